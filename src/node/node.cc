// Node assembly and the consensus thread (see node.h).
#include "node/node.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/hash.h"
#include "ledger/records.h"
#include "ledger/schema.h"
#include "node/sign_log_file.h"
#include "node/validator_sets.h"

namespace trustmesh::node {

namespace {

using Clock = std::chrono::steady_clock;

Result<std::string> read_text(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read " + std::string(what) + " " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t wall_seconds() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

constexpr std::string_view kNamePrefix = "n:";
// A proposal's time may run at most this far ahead of our clock.
constexpr uint64_t kMaxClockDriftSeconds = 30;
// Hard bound on txs per block from peers (our own limit is max_block_txs).
constexpr size_t kMaxBlockTxs = 1000000;
// Admitted txs are relayed to peers in batches this often.
constexpr uint64_t kTxRelayMs = 20;

// A storage fault or a broken invariant of our own: the node must not go on
// (the next start recovers from the last fully written block).
}  // namespace

[[noreturn]] void fatal_error(const char* what, const Error& e) {
  std::fprintf(stderr, "fatal: %s: %s\n", what, e.to_string().c_str());
  std::fflush(stderr);
  std::abort();
}

Node::Node(NodeConfig config) : config_(std::move(config)) {}

Node::~Node() {
  stop();
}

Result<std::unique_ptr<Node>> Node::open(const NodeConfig& config) {
  std::unique_ptr<Node> n(new Node(config));
  TM_ASSIGN_OR_RETURN(n->genesis_json_, read_text(config.path(config.genesis), "genesis file"));
  TM_ASSIGN_OR_RETURN(n->genesis_, ledger::Genesis::from_json(n->genesis_json_));
  if (n->genesis_.validators.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "genesis has no validators: add {\"pub_key\": ..., \"power\": 1} to \"validators\" "
                      "(trustmesh init writes a development genesis with one)");
  }

  std::string key_path = config.path(config.validator_key);
  if (std::filesystem::exists(key_path)) {
    TM_ASSIGN_OR_RETURN(std::string pem, read_text(key_path, "validator key"));
    TM_ASSIGN_OR_RETURN(KeyPair key, KeyPair::from_pem(pem));
    n->key_ = std::move(key);
  }

  store::StateDbOptions opts;
  opts.sync = config.sync;
  TM_ASSIGN_OR_RETURN(n->ledger_, store::LedgerDb::open(config.state_dir(), opts));
  TM_TRY(n->ledger_->init(n->genesis_));
  n->mempool_ = std::make_unique<Mempool>(n->genesis_.chain_id, config.mempool,
                                          std::make_shared<ViewReader>(n->ledger_->state().view()));
  TM_TRY(n->load_head());

  consensus::EngineConfig ec;
  ec.chain_id = n->genesis_.chain_id;
  ec.timeouts.propose_ms = config.timeout_propose_ms;
  ec.timeouts.propose_delta_ms = config.timeout_propose_delta_ms;
  ec.timeouts.prevote_ms = config.timeout_prevote_ms;
  ec.timeouts.prevote_delta_ms = config.timeout_prevote_delta_ms;
  ec.timeouts.precommit_ms = config.timeout_precommit_ms;
  ec.timeouts.precommit_delta_ms = config.timeout_precommit_delta_ms;
  if (n->key_) {
    // Every signature goes through the write-ahead log first.
    TM_ASSIGN_OR_RETURN(auto log, FileSignLog::open(config.path("consensus/sign.wal")));
    TM_ASSIGN_OR_RETURN(n->signer_, consensus::Signer::open(*n->key_, n->genesis_.chain_id, std::move(log)));
    n->engine_ = consensus::make_tendermint(ec, n->signer_);
  } else {
    // Without a key the engine only follows; it gets a throwaway key that is not in the set.
    TM_ASSIGN_OR_RETURN(KeyPair throwaway, KeyPair::generate());
    n->engine_ = consensus::make_tendermint(ec, std::move(throwaway));
  }
  return n;
}

Result<consensus::ValidatorSet> Node::set_for(uint64_t height) const {
  return validator_set_at(ViewReader(view()), height);
}

Result<consensus::ValidatorSet> Node::current_validators() const {
  return set_for(view()->height() + 1);
}

bool Node::is_validator() const {
  if (!key_) return false;
  auto set = current_validators();
  return set.ok() && set->index_of(Address::of(key_->public_key())).has_value();
}

Status Node::load_head() {
  auto view = ledger_->state().view();
  uint64_t h = view->height();
  metrics_.height = h;
  if (h == 0) {
    last_hash_ = Hash32{};
    last_time_ = genesis_.genesis_time;
    return Status::Ok();
  }
  TM_ASSIGN_OR_RETURN(auto hc, store::read_header_commit(*view, h));
  if (!hc) {
    return make_error(ErrorCode::kIo, "state is at height " + std::to_string(h) +
                                          " but the block store has no block there: this directory was "
                                          "written by `trustmesh ledger apply`, not by a node");
  }
  TM_ASSIGN_OR_RETURN(consensus::BlockHeader header, consensus::BlockHeader::decode(hc->first));
  if (header.state_root != view->root())
    return make_error(ErrorCode::kIo,
                      "corrupt data: block " + std::to_string(h) + " state root differs from the state");
  last_hash_ = header.hash();
  last_time_ = header.time;
  return Status::Ok();
}

std::optional<Address> Node::validator_address() const {
  if (!key_) return std::nullopt;
  return Address::of(key_->public_key());
}

Status Node::start() {
  if (thread_.joinable()) return make_error(ErrorCode::kInvalidArgument, "node already started");
  stopping_ = false;
  last_commit_at_ = Clock::now() - std::chrono::milliseconds(config_.block_interval_ms);
  if (config_.p2p.enabled() && !host_) TM_TRY(open_peers());
  thread_ = std::thread([this] { run(); });
  return Status::Ok();
}

void Node::stop() {
  // Peers first: after this no p2p callback runs.
  if (host_) host_->stop();
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<Hash32> Node::submit_tx(ByteView tx_bytes) {
  Result<Hash32> r = mempool_->add(tx_bytes);
  if (!r.ok()) {
    metrics_.mempool_rejected.fetch_add(1, std::memory_order_relaxed);
  } else {
    metrics_.mempool_txs = mempool_->count();
    metrics_.mempool_bytes = mempool_->bytes();
    if (host_) {
      recent_txs_.insert(*r);  // the tx hash is SHA-256 of its bytes
      std::lock_guard<std::mutex> lock(tx_out_mu_);
      tx_out_.emplace_back(tx_bytes.begin(), tx_bytes.end());
    }
  }
  return r;
}

uint64_t Node::subscribe(std::function<void(const BlockEvent&)> fn) {
  std::lock_guard<std::mutex> lock(subs_mu_);
  uint64_t id = next_sub_++;
  subs_[id] = std::move(fn);
  return id;
}

void Node::unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> lock(subs_mu_);
  subs_.erase(id);
}

bool Node::wait_for_height(uint64_t h, uint64_t timeout_ms) const {
  std::unique_lock<std::mutex> lock(wake_mu_);
  return wake_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return metrics_.height.load() >= h || stopping_.load();
  }) && metrics_.height.load() >= h;
}

// --- consensus thread ---

void Node::run() {
  start_height(ledger_->height() + 1);
  // Recurring with peers: gossip (votes, status, block requests) and the tx
  // relay. Each re-arms itself; both live as long as this loop.
  std::function<void()> gossip = [this, &gossip] {
    gossip_tick();
    timers_.push(
        Timer{Clock::now() + std::chrono::milliseconds(config_.gossip_interval_ms), timer_seq_++, gossip});
  };
  std::function<void()> relay = [this, &relay] {
    flush_txs();
    timers_.push(Timer{Clock::now() + std::chrono::milliseconds(kTxRelayMs), timer_seq_++, relay});
  };
  if (host_) {
    gossip();
    relay();
  }
  while (!stopping_) {
    if (!inbox_.empty()) {
      consensus::Message m = std::move(inbox_.front());
      inbox_.pop_front();
      if (auto* p = std::get_if<consensus::Proposal>(&m)) {
        // Our own proposal: it was executed when built, so it is valid.
        handle(engine_->on_proposal(*p));
      } else {
        handle(engine_->on_vote(std::get<consensus::Vote>(m)));
      }
      continue;
    }
    std::deque<std::pair<p2p::NodeId, wire::Msg>> from_peers;
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      from_peers.swap(peer_inbox_);
    }
    if (!from_peers.empty()) {
      for (auto& [peer, msg] : from_peers) {
        deliver(peer, std::move(msg));
        if (stopping_) break;
      }
      continue;
    }
    if (!timers_.empty() && timers_.top().due <= Clock::now()) {
      Timer t = timers_.top();
      timers_.pop();
      t.fire();
      continue;
    }
    std::unique_lock<std::mutex> lock(wake_mu_);
    if (stopping_ || !peer_inbox_.empty()) continue;
    if (timers_.empty()) {
      wake_cv_.wait_for(lock, std::chrono::milliseconds(100));
    } else {
      wake_cv_.wait_until(lock, timers_.top().due);
    }
  }
}

void Node::start_height(uint64_t height) {
  auto cur = set_for(height);
  if (!cur.ok()) fatal_error("cannot read the validator set", cur.error());
  auto next = set_for(height + 1);
  if (!next.ok()) fatal_error("cannot read the next validator set", next.error());
  cur_set_ = std::move(cur).value();
  next_set_ = std::move(next).value();
  checked_.clear();
  seen_.clear();
  executed_.clear();
  handle(engine_->start(height, *cur_set_));
  // Messages that arrived early for this height; older ones are dropped.
  std::vector<consensus::Message> early;
  for (auto it = future_.begin(); it != future_.end() && it->first <= height;) {
    future_count_ -= it->second.size();
    if (it->first == height) early = std::move(it->second);
    it = future_.erase(it);
  }
  for (const consensus::Message& m : early) deliver_consensus(m);
}

void Node::handle(std::vector<consensus::Output> outputs) {
  for (consensus::Output& out : outputs) {
    if (auto* b = std::get_if<consensus::Broadcast>(&out)) {
      if (host_) {
        std::visit([&](const auto& m) { send(std::nullopt, wire::Msg{m}); }, b->msg);
      }
      inbox_.push_back(std::move(b->msg));  // and deliver to ourselves
    } else if (auto* st = std::get_if<consensus::ScheduleTimeout>(&out)) {
      consensus::Timeout to = st->timeout;
      timers_.push(Timer{Clock::now() + std::chrono::milliseconds(st->after_ms), timer_seq_++,
                         [this, to] { handle(engine_->on_timeout(to)); }});
    } else if (auto* bp = std::get_if<consensus::BuildProposal>(&out)) {
      uint64_t h = bp->height, r = bp->round;
      auto due = last_commit_at_ + std::chrono::milliseconds(config_.block_interval_ms);
      timers_.push(Timer{due, timer_seq_++, [this, h, r] {
                           Status s = build_proposal(h, r);
                           if (!s.ok()) fatal_error("cannot build block", s.error());
                         }});
    } else if (auto* d = std::get_if<consensus::Decide>(&out)) {
      Status s = commit_block(d->block, d->commit);
      if (!s.ok()) fatal_error("cannot commit block", s.error());
      if (host_) send(std::nullopt, wire::Status{ledger_->height()});
      start_height(ledger_->height() + 1);
    }
  }
  submit_evidence();
}

Status Node::build_proposal(uint64_t height, uint64_t round) {
  if (height != ledger_->height() + 1 || engine_->height() != height) return Status::Ok();  // stale request
  std::vector<Bytes> txs = mempool_->reap(config_.max_block_bytes, config_.max_block_txs);
  uint64_t time = std::max(last_time_, wall_seconds());
  TM_ASSIGN_OR_RETURN(store::ExecutedBlock exec, ledger_->execute(time, txs));
  // Rejected txs changed nothing, so leaving them out leaves the state changes
  // (and every other result) exactly as executed.
  std::vector<Bytes> kept;
  std::vector<ledger::TxResult> kept_results;
  for (size_t i = 0; i < txs.size(); ++i) {
    if (exec.txs[i].outcome == ledger::TxOutcome::kRejected) continue;
    kept.push_back(std::move(txs[i]));
    kept_results.push_back(std::move(exec.txs[i]));
  }
  exec.txs = std::move(kept_results);

  consensus::Block block;
  block.header.chain_id = genesis_.chain_id;
  block.header.height = height;
  block.header.time = time;
  block.header.prev_hash = last_hash_;
  block.header.tx_root = consensus::tx_merkle_root(kept);
  block.header.state_root = exec.prepared.root;
  block.header.validators_hash = cur_set_->hash();
  block.header.next_validators_hash = next_set_->hash();
  block.header.proposer = *validator_address();
  block.txs = std::move(kept);
  checked_[block.hash()] = true;
  executed_[block.hash()] = std::move(exec);
  handle(engine_->on_proposal_ready(height, round, std::move(block)));
  return Status::Ok();
}

bool Node::proposal_valid(const consensus::Proposal& p) {
  Hash32 hash = p.block.hash();
  if (auto it = checked_.find(hash); it != checked_.end()) return it->second;
  Status s = check_block(p.block);
  if (!s.ok()) {
    std::fprintf(stderr, "consensus: refusing block %s at height %llu round %llu: %s\n",
                 to_hex(ByteView(hash)).substr(0, 16).c_str(), static_cast<unsigned long long>(p.height),
                 static_cast<unsigned long long>(p.round), s.error().to_string().c_str());
  }
  checked_[hash] = s.ok();
  return s.ok();
}

// Every header field is what this node would have produced, and executing the
// txs gives the header's state root; the result is kept for commit_block.
Status Node::check_block(const consensus::Block& block) {
  const consensus::BlockHeader& h = block.header;
  auto bad = [&](const std::string& why) { return make_error(ErrorCode::kInvalidArgument, why); };
  if (h.chain_id != genesis_.chain_id) return bad("another chain: " + h.chain_id);
  if (h.height != ledger_->height() + 1) return bad("not the next height");
  if (h.prev_hash != last_hash_) return bad("prev_hash is not our latest block");
  if (h.time < last_time_) return bad("time goes backwards");
  if (h.time > wall_seconds() + kMaxClockDriftSeconds) return bad("time is too far in the future");
  if (h.validators_hash != cur_set_->hash()) return bad("validators_hash is not the set of this height");
  if (h.next_validators_hash != next_set_->hash()) return bad("next_validators_hash is not the next set");
  if (!cur_set_->index_of(h.proposer)) return bad("proposer is not a validator");
  if (block.txs.size() > kMaxBlockTxs) return bad("too many txs");
  TM_ASSIGN_OR_RETURN(store::ExecutedBlock exec, ledger_->execute(h.time, block.txs));
  for (const ledger::TxResult& r : exec.txs) {
    if (r.outcome == ledger::TxOutcome::kRejected) return bad("holds a tx that the executor rejects");
  }
  if (exec.prepared.root != h.state_root) return bad("state root differs from execution");
  executed_[block.hash()] = std::move(exec);
  return Status::Ok();
}

std::vector<store::OwnerIndexChange> Node::owner_changes(const store::ChangeSet& changes) const {
  std::vector<store::OwnerIndexChange> out;
  auto owner_of = [](const std::optional<Bytes>& raw) -> std::optional<Address> {
    if (!raw) return std::nullopt;
    auto v = cbor::decode(*raw);
    if (!v.ok()) return std::nullopt;
    auto rec = ledger::NameRecord::from_cbor(*v);
    if (!rec.ok()) return std::nullopt;
    return rec->owner;
  };
  for (const auto& [key, value] : changes) {
    if (key.size() <= kNamePrefix.size() || !std::equal(kNamePrefix.begin(), kNamePrefix.end(), key.begin()))
      continue;
    std::string name(key.begin() + kNamePrefix.size(), key.end());
    auto before = ledger_->state().get(key);
    std::optional<Address> old_owner = before.ok() ? owner_of(*before) : std::nullopt;
    std::optional<Address> new_owner = owner_of(value);
    if (old_owner == new_owner) continue;
    if (old_owner) out.push_back({*old_owner, name, false});
    if (new_owner) out.push_back({*new_owner, name, true});
  }
  return out;
}

Status Node::commit_block(const consensus::Block& block, const consensus::Commit& commit) {
  auto started = Clock::now();
  const uint64_t height = block.header.height;
  TM_ASSERT(height == ledger_->height() + 1);
  TM_ASSERT(block.header.prev_hash == last_hash_);
  TM_TRY(consensus::verify_commit(*cur_set_, block.header, commit));
  Hash32 hash = block.hash();
  auto it = executed_.find(hash);
  if (it == executed_.end()) {
    // Decided without our having built or checked it (not possible with one
    // validator; with peers the block is executed here).
    TM_ASSIGN_OR_RETURN(store::ExecutedBlock exec, ledger_->execute(block.header.time, block.txs));
    it = executed_.emplace(hash, std::move(exec)).first;
  }
  store::ExecutedBlock& exec = it->second;
  if (exec.prepared.root != block.header.state_root) {
    return make_error(ErrorCode::kInternal, "decided block " + std::to_string(height) +
                                                " has a state root that execution does not give");
  }

  cbor::Array results;
  std::vector<Hash32> tx_hashes;
  uint64_t failed = 0;
  for (const ledger::TxResult& r : exec.txs) {
    results.push_back(r.to_cbor());
    tx_hashes.push_back(r.tx_hash);
    if (r.outcome != ledger::TxOutcome::kOk) ++failed;
  }
  Bytes header_bytes = block.header.encode();
  std::vector<store::RawWrite> writes = store::block_writes(
      height, header_bytes, block.encode(), commit.encode(),
      cbor::encode(cbor::Value::array(std::move(results))), tx_hashes, owner_changes(exec.prepared.changes));
  TM_TRY(ledger_->commit_executed(exec, writes));

  last_hash_ = hash;
  last_time_ = block.header.time;
  last_commit_at_ = Clock::now();
  executed_.clear();
  checked_.clear();

  mempool_->update(tx_hashes, std::make_shared<ViewReader>(view()));
  metrics_.txs_committed.fetch_add(tx_hashes.size(), std::memory_order_relaxed);
  metrics_.txs_failed.fetch_add(failed, std::memory_order_relaxed);
  metrics_.mempool_txs = mempool_->count();
  metrics_.mempool_bytes = mempool_->bytes();
  metrics_.block_commit_seconds.observe(std::chrono::duration<double>(Clock::now() - started).count());
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    metrics_.height = height;
  }
  wake_cv_.notify_all();

  BlockEvent ev{height, hash, block.header.time, block.header.state_root, block.txs.size()};
  std::lock_guard<std::mutex> lock(subs_mu_);
  for (auto& [id, fn] : subs_) fn(ev);
  return Status::Ok();
}

}  // namespace trustmesh::node
