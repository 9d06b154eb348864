// The node's side of the peer-to-peer network (see node.h): decoding peer
// messages, relaying transactions, feeding consensus messages to the engine in
// height order, gossip, and block sync.
//
// Threads: on_peer_message / on_peer run on the p2p host's thread and only
// touch thread-safe parts (mempool, read views, the host, the queues under
// their mutexes); everything else runs on the consensus thread.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/hash.h"
#include "ledger/access.h"
#include "ledger/tx.h"
#include "node/node.h"
#include "store/block_store.h"

namespace trustmesh::node {

namespace {

using Clock = std::chrono::steady_clock;

// Consensus messages buffered for later heights (at most two ahead).
constexpr size_t kMaxFutureMessages = 20000;
constexpr uint64_t kMaxFutureHeights = 2;
// A block request unanswered this long is sent to another peer.
constexpr auto kSyncRetry = std::chrono::milliseconds(2000);
// seen_ is cleared when it grows past this (a flood of distinct messages).
constexpr size_t kMaxSeen = 200000;

uint64_t height_of(const consensus::Message& m) {
  return std::visit([](const auto& x) { return x.height; }, m);
}

Result<KeyPair> load_or_create_node_key(const std::string& path) {
  if (std::filesystem::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto key = KeyPair::from_pem(pem);
    if (!key.ok())
      return make_error(ErrorCode::kInvalidArgument, "p2p node key " + path + ": " + key.error().message);
    return key;
  }
  TM_ASSIGN_OR_RETURN(KeyPair key, KeyPair::generate());
  TM_ASSIGN_OR_RETURN(std::string pem, key.to_pem());
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return make_error(ErrorCode::kIo, "cannot write p2p node key " + path);
  out << pem;
  out.close();
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               ec);
  return key;
}

}  // namespace

Status Node::open_peers() {
  TM_ASSIGN_OR_RETURN(KeyPair node_key, load_or_create_node_key(config_.path(config_.p2p.node_key)));
  p2p::HostConfig hc{};
  hc.chain_id = genesis_.chain_id;
  hc.node_key = std::move(node_key);
  hc.listen_host = config_.p2p.host;
  hc.listen_port = config_.p2p.port;
  hc.external_address = config_.p2p.external;
  hc.seeds = config_.p2p.seeds;
  hc.max_peers = config_.p2p.max_peers;
  hc.pex = config_.p2p.pex;
  // A block and its commit must fit in one message.
  hc.max_message_bytes = std::max<size_t>(hc.max_message_bytes, config_.max_block_bytes + (1 << 20));
  TM_ASSIGN_OR_RETURN(host_,
                      p2p::Host::start(
                          std::move(hc),
                          [this](const p2p::NodeId& from, uint8_t ch, Bytes payload) {
                            on_peer_message(from, ch, std::move(payload));
                          },
                          [this](const p2p::NodeId& peer, bool connected) { on_peer(peer, connected); }));
  live_host_.store(host_.get());
  return Status::Ok();
}

std::vector<p2p::PeerInfo> Node::peers() const {
  return host_ ? host_->peers() : std::vector<p2p::PeerInfo>{};
}

std::optional<p2p::NodeId> Node::node_id() const {
  if (!host_) return std::nullopt;
  return host_->id();
}

uint16_t Node::p2p_port() const {
  return host_ ? host_->port() : 0;
}

void Node::send(const std::optional<p2p::NodeId>& to, const wire::Msg& m) {
  if (!host_) return;
  Bytes payload = wire::encode(m);
  if (to) {
    host_->send(*to, wire::channel_of(m), std::move(payload));
  } else {
    host_->broadcast(wire::channel_of(m), std::move(payload));
  }
}

// --- p2p thread ---

void Node::on_peer(const p2p::NodeId& peer, bool connected) {
  p2p::Host* host = live_host_.load();
  if (!host) return;  // still starting: the gossip tick sends our status soon
  metrics_.peers = host->peer_count();
  if (connected) send(peer, wire::Status{view()->height()});
}

void Node::on_peer_message(const p2p::NodeId& from, uint8_t channel, Bytes payload) {
  p2p::Host* host = live_host_.load();
  if (!host) return;  // still starting: gossip repeats what matters
  Result<wire::Msg> msg = wire::decode(channel, payload);
  if (!msg.ok()) {
    host->punish(from, msg.error().message);
    return;
  }
  if (auto* batch = std::get_if<wire::TxBatch>(&*msg)) {
    // Admission verifies signatures: do it here, off the consensus thread.
    std::vector<Bytes> admitted;
    for (Bytes& tx : batch->txs) {
      if (!recent_txs_.insert(sha256(tx))) continue;  // a repeat: skip the signature check
      if (mempool_->add(tx).ok()) admitted.push_back(std::move(tx));
    }
    metrics_.mempool_txs = mempool_->count();
    metrics_.mempool_bytes = mempool_->bytes();
    if (!admitted.empty()) {
      std::lock_guard<std::mutex> lock(tx_out_mu_);
      for (Bytes& tx : admitted) tx_out_.push_back(std::move(tx));
    }
    return;
  }
  if (auto* get = std::get_if<wire::GetBlock>(&*msg)) {
    // Served from a read view: never waits for the consensus thread.
    auto v = view();
    if (get->height == 0 || get->height > v->height()) return;
    auto stored = store::read_block(*v, get->height);
    if (!stored.ok() || !*stored) return;
    send(from, wire::BlockMsg{std::move((*stored)->block), std::move((*stored)->commit)});
    return;
  }
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    peer_inbox_.emplace_back(from, std::move(msg).value());
  }
  wake_cv_.notify_all();
}

// --- consensus thread ---

void Node::deliver(const p2p::NodeId& from, wire::Msg msg) {
  if (auto* p = std::get_if<consensus::Proposal>(&msg)) {
    deliver_consensus(std::move(*p));
  } else if (auto* v = std::get_if<consensus::Vote>(&msg)) {
    deliver_consensus(std::move(*v));
  } else if (auto* st = std::get_if<wire::Status>(&msg)) {
    peer_heights_[from] = st->height;
    if (st->height > ledger_->height()) request_blocks();
  } else if (auto* bm = std::get_if<wire::BlockMsg>(&msg)) {
    apply_synced_block(from, *bm);
  }
}

void Node::deliver_consensus(const consensus::Message& m) {
  const uint64_t h = height_of(m);
  const uint64_t cur = engine_->height();
  if (h < cur) return;  // a lagging peer; it catches up by block sync
  if (h > cur) {
    if (h <= cur + kMaxFutureHeights && future_count_ < kMaxFutureMessages) {
      future_[h].push_back(m);
      ++future_count_;
    }
    return;
  }
  // The engine refuses messages for rounds too far ahead and takes the same
  // message once it is closer: what was delivered is forgotten when the
  // round moves (and when the set grows too large).
  if (engine_->round() != seen_round_ || seen_.size() >= kMaxSeen) {
    seen_.clear();
    seen_round_ = engine_->round();
  }
  Hash32 id = sha256(wire::encode(std::visit([](const auto& x) { return wire::Msg{x}; }, m)));
  if (!seen_.insert(id).second) return;  // delivered before (gossip repeats)
  if (const auto* p = std::get_if<consensus::Proposal>(&m)) {
    if (!proposal_valid(*p)) return;
    handle(engine_->on_proposal(*p));
  } else {
    handle(engine_->on_vote(std::get<consensus::Vote>(m)));
  }
}

void Node::apply_synced_block(const p2p::NodeId& from, const wire::BlockMsg& bm) {
  auto block = consensus::Block::decode(bm.block);
  auto commit = consensus::Commit::decode(bm.commit);
  if (!block.ok() || !commit.ok()) {
    host_->punish(from, "undecodable block in block sync");
    return;
  }
  const uint64_t h = block->header.height;
  if (h != ledger_->height() + 1) return;  // an answer we no longer need
  if (sync_requested_ == h) sync_requested_ = 0;
  Status signed_ok = consensus::verify_commit(*cur_set_, block->header, *commit);
  if (!signed_ok.ok()) {
    host_->punish(from, "block sync: " + signed_ok.error().message);
    return;
  }
  Status valid = check_block(*block);
  if (!valid.ok()) {
    // More than 2/3 of the validators signed a block this node computes
    // differently: our state or our code differs from theirs. Do not apply it.
    std::fprintf(stderr, "sync: refusing committed block %llu: %s\n", static_cast<unsigned long long>(h),
                 valid.error().to_string().c_str());
    return;
  }
  Status s = commit_block(*block, *commit);
  if (!s.ok()) fatal_error("cannot commit synced block", s.error());
  send(std::nullopt, wire::Status{h});
  start_height(h + 1);
  request_blocks();
}

void Node::request_blocks() {
  const uint64_t want = ledger_->height() + 1;
  if (sync_requested_ == want && Clock::now() - sync_requested_at_ < kSyncRetry) return;
  // Ask the peer furthest ahead, rotating away from the last one on a retry.
  std::optional<p2p::NodeId> best;
  uint64_t best_height = 0;
  for (const auto& [peer, h] : peer_heights_) {
    if (h < want) continue;
    if (!best || h > best_height || (sync_requested_ == want && h == best_height)) {
      best = peer;
      best_height = h;
    }
  }
  if (!best) return;
  sync_requested_ = want;
  sync_requested_at_ = Clock::now();
  send(*best, wire::GetBlock{want});
}

void Node::gossip_tick() {
  for (consensus::Message& m : engine_->gossip()) {
    std::visit([&](auto& x) { send(std::nullopt, wire::Msg{std::move(x)}); }, m);
  }
  send(std::nullopt, wire::Status{ledger_->height()});
  request_blocks();
  metrics_.peers = host_->peer_count();
}

void Node::flush_txs() {
  std::vector<Bytes> out;
  {
    std::lock_guard<std::mutex> lock(tx_out_mu_);
    out.swap(tx_out_);
  }
  for (size_t i = 0; i < out.size(); i += wire::kMaxTxsPerBatch) {
    wire::TxBatch b;
    size_t end = std::min(out.size(), i + wire::kMaxTxsPerBatch);
    for (size_t j = i; j < end; ++j) b.txs.push_back(std::move(out[j]));
    send(std::nullopt, b);
  }
}

// Equivocations the engine saw become evidence txs signed by this node's
// validator key (fee 0, allowed for evidence), admitted to the mempool and
// gossiped like any tx; the ledger records them and removes the validator
// from the set two blocks later (ledger/ops_gov.cc).
void Node::submit_evidence() {
  if (engine_->equivocation_count() == evidence_sent_) return;
  std::vector<consensus::Equivocation> all = engine_->equivocations();
  for (size_t i = evidence_sent_; i < all.size(); ++i) {
    const consensus::Vote& a = all[i].first;
    const consensus::Vote& b = all[i].second;
    std::fprintf(stderr, "consensus: validator %s signed two %s at height %llu round %llu\n",
                 a.validator.to_string().c_str(),
                 a.type == consensus::VoteType::kPrevote ? "prevotes" : "precommits",
                 static_cast<unsigned long long>(a.height), static_cast<unsigned long long>(a.round));
    if (!key_ || !cur_set_) continue;  // a full node has no account to sign with
    auto idx = cur_set_->index_of(a.validator);
    if (!idx) continue;
    ledger::op::Evidence ev{.validator = cur_set_->validators()[*idx].key};
    ev.vote_type = static_cast<uint8_t>(a.type);
    ev.height = a.height;
    ev.round = a.round;
    ev.block_a = a.block;
    ev.sig_a = a.sig;
    ev.block_b = b.block;
    ev.sig_b = b.sig;
    const Address me = Address::of(key_->public_key());
    ViewReader reader(view());
    ledger::Overlay scratch(reader);
    ledger::StateAccess access(scratch);
    auto acct = access.account(me);
    if (!acct.ok()) continue;
    uint64_t seq = acct->seq + mempool_->pending_of(me);
    auto tx = ledger::make_tx(*key_, genesis_.chain_id, seq, 0, std::move(ev));
    if (!tx.ok()) continue;
    auto r = submit_tx(tx->encode());
    if (r.ok()) {
      metrics_.evidence_submitted.fetch_add(1, std::memory_order_relaxed);
      std::fprintf(stderr, "consensus: submitted evidence tx %s\n", to_hex(ByteView(*r)).c_str());
    } else {
      std::fprintf(stderr, "consensus: evidence tx refused: %s\n", r.error().to_string().c_str());
    }
  }
  evidence_sent_ = all.size();
}

}  // namespace trustmesh::node
