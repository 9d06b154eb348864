// The simulator (see sim_util.h).
#include "sim_util.h"

#include <algorithm>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <variant>

#include "core/hash.h"

namespace trustmesh::sim {

using namespace consensus;

namespace {

constexpr std::string_view kChain = "sim";
constexpr uint64_t kTickMs = 150;      // gossip and status period
constexpr size_t kMaxBuffered = 4000;  // future-height messages per node

struct SyncStatus {
  uint64_t height;
};
struct SyncBlock {
  Block block;
  Commit commit;
};
using Msg = std::variant<Proposal, Vote, SyncStatus, SyncBlock>;

uint64_t height_of(const Msg& m) {
  if (auto* p = std::get_if<Proposal>(&m)) return p->height;
  if (auto* v = std::get_if<Vote>(&m)) return v->height;
  return 0;
}

const std::vector<KeyPair>& keys(size_t n) {
  static std::map<size_t, std::vector<KeyPair>> cache;
  auto& k = cache[n];
  if (k.empty()) {
    for (size_t i = 0; i < n; ++i)
      k.push_back(
          KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("sim-validator-" + std::to_string(i)))).value());
  }
  return k;
}

ValidatorSet set_of(size_t n) {
  std::vector<Validator> vals;
  for (const auto& key : keys(n)) vals.push_back({key.public_key(), 1});
  return ValidatorSet::make(vals).value();
}

Block make_block(const ValidatorSet& set, uint64_t height, const Hash32& prev, const Address& proposer,
                 const std::string& label) {
  Block b;
  b.header.chain_id = std::string(kChain);
  b.header.height = height;
  b.header.time = height;
  b.header.prev_hash = prev;
  b.txs = {Bytes(label.begin(), label.end())};
  b.header.tx_root = tx_merkle_root(b.txs);
  b.header.state_root = sha256(as_bytes(label));
  b.header.validators_hash = set.hash();
  b.header.next_validators_hash = set.hash();
  b.header.proposer = proposer;
  return b;
}

struct Event {
  uint64_t time;
  uint64_t seq;
  enum Kind { kDeliver, kTimeout, kBuild, kTick, kCrash, kRestart } kind;
  size_t node;
  size_t from = 0;
  uint64_t epoch = 0;  // node epoch when scheduled (a crash invalidates)
  Msg msg = SyncStatus{0};
  Timeout timeout{};
  uint64_t h = 0, r = 0;
  bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

class Sim {
 public:
  Sim(const SimConfig& c, const EngineFactory& f)
      : cfg_(c), factory_(f), rng_(c.seed), set_(set_of(c.validators)) {
    const auto& k = keys(c.validators);
    // node i holds the key of set index i (address order).
    for (size_t i = 0; i < c.validators; ++i) {
      const Address& a = set_.validators()[i].address();
      for (const auto& key : k) {
        if (Address::of(key.public_key()) == a) node_keys_.push_back(key);
      }
    }
    honest_ = c.validators - c.byzantine;
    nodes_.resize(honest_);
    for (size_t i = 0; i < honest_; ++i) {
      nodes_[i].log = std::make_shared<MemorySignLog>();
      boot(i);
    }
    for (size_t i = 0; i < c.validators; ++i) push(Event{rng_() % kTickMs, 0, Event::kTick, i});
    if (c.faults) plan_faults();
  }

  SimResult run() {
    const uint64_t end = cfg_.chaos_ms + cfg_.liveness_ms;
    while (!events_.empty() && result_.safe) {
      Event e = events_.top();
      events_.pop();
      now_ = e.time;
      if (now_ > end) break;
      ++result_.events;
      dispatch(e);
      if (now_ > cfg_.chaos_ms && all_done()) break;
    }
    result_.sim_ms = now_;
    result_.decided = UINT64_MAX;
    for (const Node& n : nodes_) result_.decided = std::min<uint64_t>(result_.decided, n.chain.size());
    if (result_.safe && result_.decided < cfg_.heights) {
      result_.live = false;
      result_.failure = "liveness: an honest node decided only " + std::to_string(result_.decided) + " of " +
                        std::to_string(cfg_.heights) + " heights within " + std::to_string(cfg_.liveness_ms) +
                        " ms after the network healed;";
      for (size_t i = 0; i < nodes_.size(); ++i) {
        const Node& n = nodes_[i];
        result_.failure += " node" + std::to_string(i) + ": decided " + std::to_string(n.chain.size()) +
                           (n.engine ? ", at round " + std::to_string(n.engine->round()) + " step " +
                                           std::to_string(static_cast<int>(n.engine->step()))
                                     : ", down");
      }
    }
    return result_;
  }

 private:
  struct Node {
    std::shared_ptr<MemorySignLog> log;           // the "disk": survives crashes
    std::vector<std::pair<Block, Commit>> chain;  // decided, also on "disk"
    std::unique_ptr<Engine> engine;
    bool up = true;
    uint64_t epoch = 0;
    std::map<uint64_t, std::vector<Msg>> future;
    size_t buffered = 0;
    std::set<Hash32> seen;  // delivered at the current height and round
    uint64_t seen_round = 0;
    uint64_t ticks = 0;
  };

  bool all_done() const {
    for (const Node& n : nodes_) {
      if (n.chain.size() < cfg_.heights) return false;
    }
    return true;
  }

  void push(Event e) {
    e.seq = seq_++;
    events_.push(std::move(e));
  }

  bool partitioned(size_t a, size_t b) const { return partition_active_ && side_[a] != side_[b]; }

  void send(size_t from, size_t to, const Msg& m) {
    if (from == to) {
      push(Event{now_, 0, Event::kDeliver, to, from, 0, m});
      return;
    }
    if (partitioned(from, to)) return;
    bool chaos = cfg_.faults && now_ < cfg_.chaos_ms;
    if (chaos && rng_() % 100 < loss_pct_) return;
    // During chaos one message in ten is slow (200-1200 ms): reordering far
    // beyond the timeouts, as an adversarial scheduler would do.
    auto delay = [&]() -> uint64_t {
      if (!chaos) return 1 + rng_() % 20;
      return rng_() % 10 == 0 ? 200 + rng_() % 1000 : 1 + rng_() % 80;
    };
    push(Event{now_ + delay(), 0, Event::kDeliver, to, from, 0, m});
    if (chaos && rng_() % 100 < 5) push(Event{now_ + delay(), 0, Event::kDeliver, to, from, 0, m});
  }

  void broadcast(size_t from, const Msg& m) {
    for (size_t to = 0; to < cfg_.validators; ++to) send(from, to, m);
  }

  void plan_faults() {
    loss_pct_ = rng_() % 20;
    side_.assign(cfg_.validators, 0);
    // A few partitions and crashes during chaos; everything heals at chaos_ms.
    uint64_t t = rng_() % 1000;
    while (t < cfg_.chaos_ms) {
      uint64_t len = 200 + rng_() % 1500;
      partitions_.push_back({t, std::min(t + len, cfg_.chaos_ms)});
      t += len + rng_() % 1500;
    }
    for (size_t i = 0; i < honest_; ++i) {
      if (rng_() % 3 != 0) continue;
      uint64_t at = rng_() % cfg_.chaos_ms;
      uint64_t down = 100 + rng_() % 1200;
      push(Event{at, 0, Event::kCrash, i});
      push(Event{std::min(at + down, cfg_.chaos_ms), 0, Event::kRestart, i});
    }
  }

  void update_partition() {
    bool active = false;
    for (auto [a, b] : partitions_) active |= now_ >= a && now_ < b;
    if (active && !partition_active_) {
      for (size_t i = 0; i < cfg_.validators; ++i) side_[i] = rng_() % 2;
    }
    partition_active_ = active;
  }

  void boot(size_t i) {
    Node& n = nodes_[i];
    EngineConfig ec;
    ec.chain_id = std::string(kChain);
    ec.timeouts = TimeoutConfig{300, 100, 150, 50, 150, 50};
    auto signer = Signer::open(node_keys_[i], std::string(kChain), n.log);
    TM_ASSERT(signer.ok());
    n.engine = factory_(ec, std::move(signer).value());
    n.up = true;
    n.future.clear();
    n.buffered = 0;
    start_height(i);
  }

  Hash32 last_hash(const Node& n) const { return n.chain.empty() ? Hash32{} : n.chain.back().first.hash(); }

  void start_height(size_t i) {
    Node& n = nodes_[i];
    n.seen.clear();
    const uint64_t h = n.chain.size() + 1;
    handle(i, n.engine->start(h, set_));
    auto it = n.future.find(h);
    std::vector<Msg> early;
    if (it != n.future.end()) early = std::move(it->second);
    for (auto f = n.future.begin(); f != n.future.end() && f->first <= h;) {
      n.buffered -= f->second.size();
      f = n.future.erase(f);
    }
    for (const Msg& m : early) deliver(i, m);
  }

  void handle(size_t i, std::vector<Output> outs) {
    Node& n = nodes_[i];
    for (Output& o : outs) {
      if (auto* b = std::get_if<Broadcast>(&o)) {
        Msg m = std::visit([](auto& x) -> Msg { return x; }, b->msg);
        broadcast(i, m);
      } else if (auto* st = std::get_if<ScheduleTimeout>(&o)) {
        Event e{now_ + st->after_ms, 0, Event::kTimeout, i};
        e.epoch = n.epoch;
        e.timeout = st->timeout;
        push(e);
      } else if (auto* bp = std::get_if<BuildProposal>(&o)) {
        Event e{now_ + 5, 0, Event::kBuild, i};
        e.epoch = n.epoch;
        e.h = bp->height;
        e.r = bp->round;
        push(e);
      } else if (auto* d = std::get_if<Decide>(&o)) {
        decide(i, d->block, d->commit);
        if (!result_.safe) return;
        start_height(i);
        return;  // outputs after a Decide belong to the finished height
      }
    }
  }

  void decide(size_t i, const Block& block, const Commit& commit) {
    Node& n = nodes_[i];
    const uint64_t h = block.header.height;
    if (h != n.chain.size() + 1) {
      fail("node " + std::to_string(i) + " decided height " + std::to_string(h) + " out of order");
      return;
    }
    Hash32 hash = block.hash();
    auto [it, first] = decided_.emplace(h, hash);
    if (!first && it->second != hash) {
      fail("safety: two honest nodes decided different blocks at height " + std::to_string(h) + " (node " +
           std::to_string(i) + " at " + std::to_string(now_) + " ms)");
      return;
    }
    if (Status s = verify_commit(set_, block.header, commit); cfg_.check_commits && !s.ok()) {
      fail("node " + std::to_string(i) + " decided height " + std::to_string(h) +
           " with a commit that does not verify: " + s.error().message);
      return;
    }
    n.chain.emplace_back(block, commit);
  }

  void fail(std::string why) {
    result_.safe = false;
    result_.failure = std::move(why);
  }

  bool valid(const Node& n, const Proposal& p) const {
    return p.block.header.height == n.chain.size() + 1 && p.block.header.prev_hash == last_hash(n) &&
           p.block.header.chain_id == kChain && p.block.header.tx_root == tx_merkle_root(p.block.txs);
  }

  void deliver(size_t i, const Msg& m) {
    Node& n = nodes_[i];
    const uint64_t cur = n.chain.size() + 1;
    if (std::holds_alternative<SyncStatus>(m)) return;
    if (auto* sb = std::get_if<SyncBlock>(&m)) {
      if (sb->block.header.height != cur || sb->block.header.prev_hash != last_hash(n)) return;
      if (!verify_commit(set_, sb->block.header, sb->commit).ok()) return;
      decide(i, sb->block, sb->commit);
      if (result_.safe) start_height(i);
      return;
    }
    const uint64_t h = height_of(m);
    if (h < cur) return;
    if (h > cur) {
      if (h <= cur + 2 && n.buffered < kMaxBuffered) {
        n.future[h].push_back(m);
        ++n.buffered;
      }
      return;
    }
    // The engine may refuse a message for a round too far ahead and accept
    // the same message once it gets closer: forget what was delivered
    // whenever the round moves.
    if (n.engine->round() != n.seen_round) {
      n.seen.clear();
      n.seen_round = n.engine->round();
    }
    Bytes enc = std::holds_alternative<Proposal>(m) ? cbor::encode(std::get<Proposal>(m).to_cbor())
                                                    : cbor::encode(std::get<Vote>(m).to_cbor());
    if (!n.seen.insert(sha256(enc)).second) return;
    if (auto* p = std::get_if<Proposal>(&m)) {
      if (!valid(n, *p)) return;
      handle(i, n.engine->on_proposal(*p));
    } else {
      handle(i, n.engine->on_vote(std::get<Vote>(m)));
    }
  }

  // --- Byzantine validators: omniscient about decided blocks, they vote for
  // every proposal they see and propose two blocks when it is their turn.
  void byzantine_receive(size_t b, const Msg& m) {
    uint64_t h = 0, r = 0;
    if (auto* p = std::get_if<Proposal>(&m)) {
      h = p->height;
      r = p->round;
      Hash32 hash = p->block.hash();
      if (byz_voted_.insert({b, h, r, hash}).second) {
        // Each vote goes to a random half of the network: different nodes
        // see different quorums, the situation locking exists for.
        for (VoteType t : {VoteType::kPrevote, VoteType::kPrecommit}) {
          Vote v = make_vote(node_keys_[b], kChain, t, h, r, hash).value();
          for (size_t to = 0; to < cfg_.validators; ++to) {
            if (rng_() % 2) send(b, to, v);
          }
        }
      }
    } else if (auto* v = std::get_if<Vote>(&m)) {
      h = v->height;
      r = v->round;
    } else {
      return;
    }
    if (h == 0 || byz_proposed_.count({b, h, r})) return;
    if (proposer_for(set_, h, r).address() != set_.validators()[b].address()) return;
    byz_proposed_.insert({b, h, r});
    auto prev = decided_.find(h - 1);
    Hash32 prev_hash = h == 1 ? Hash32{} : (prev == decided_.end() ? Hash32{} : prev->second);
    const Address& me = set_.validators()[b].address();
    for (int half = 0; half < 2; ++half) {
      Block blk = make_block(set_, h, prev_hash, me,
                             "byz-" + std::to_string(b) + "-" + std::to_string(h) + "-" + std::to_string(r) +
                                 "-" + std::to_string(half));
      Proposal p = make_proposal(node_keys_[b], kChain, h, r, -1, blk).value();
      for (size_t to = 0; to < cfg_.validators; ++to) {
        if (to % 2 == static_cast<size_t>(half)) send(b, to, p);
      }
    }
  }

  void dispatch(const Event& e) {
    update_partition();
    const bool byz = e.node >= honest_;
    switch (e.kind) {
      case Event::kDeliver:
        if (byz) return byzantine_receive(e.node, e.msg);
        if (!nodes_[e.node].up) return;
        if (auto* st = std::get_if<SyncStatus>(&e.msg)) {
          // A peer behind us: send it the block it lacks (block sync).
          const Node& n = nodes_[e.node];
          if (st->height < n.chain.size())
            send(e.node, e.from, SyncBlock{n.chain[st->height].first, n.chain[st->height].second});
          return;
        }
        return deliver(e.node, e.msg);
      case Event::kTimeout: {
        Node& n = nodes_[e.node];
        if (!n.up || e.epoch != n.epoch) return;
        return handle(e.node, n.engine->on_timeout(e.timeout));
      }
      case Event::kBuild: {
        Node& n = nodes_[e.node];
        if (!n.up || e.epoch != n.epoch || n.engine->height() != e.h) return;
        Block blk =
            make_block(set_, e.h, last_hash(n), set_.validators()[e.node].address(),
                       "n" + std::to_string(e.node) + "-" + std::to_string(e.h) + "-" + std::to_string(e.r));
        return handle(e.node, n.engine->on_proposal_ready(e.h, e.r, std::move(blk)));
      }
      case Event::kTick: {
        push(Event{now_ + kTickMs, 0, Event::kTick, e.node});
        if (byz) return;
        Node& n = nodes_[e.node];
        if (!n.up) return;
        for (const Message& m : n.engine->gossip())
          broadcast(e.node, std::visit([](const auto& x) -> Msg { return x; }, m));
        // Block sync is slower than gossip (as in the node: status, request,
        // answer): every fourth tick.
        if (++n.ticks % 4 == 0) broadcast(e.node, SyncStatus{n.chain.size()});
        return;
      }
      case Event::kCrash: {
        Node& n = nodes_[e.node];
        n.up = false;
        ++n.epoch;
        n.engine.reset();
        return;
      }
      case Event::kRestart:
        if (nodes_[e.node].up) return;
        ++nodes_[e.node].epoch;
        return boot(e.node);
    }
  }

  const SimConfig cfg_;
  const EngineFactory& factory_;
  std::mt19937_64 rng_;
  ValidatorSet set_;
  std::vector<KeyPair> node_keys_;
  size_t honest_ = 0;
  std::vector<Node> nodes_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  uint64_t seq_ = 0;
  uint64_t now_ = 0;
  uint64_t loss_pct_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> partitions_;
  std::vector<int> side_;
  bool partition_active_ = false;
  std::map<uint64_t, Hash32> decided_;
  std::set<std::tuple<size_t, uint64_t, uint64_t, Hash32>> byz_voted_;
  std::set<std::tuple<size_t, uint64_t, uint64_t>> byz_proposed_;
  SimResult result_;
};

}  // namespace

SimResult run_sim(const SimConfig& config, const EngineFactory& factory) {
  TM_ASSERT(config.validators >= 1 && 3 * config.byzantine < config.validators);
  Sim sim(config, factory);
  return sim.run();
}

EngineFactory real_engine() {
  return
      [](EngineConfig c, std::shared_ptr<Signer> s) { return make_tendermint(std::move(c), std::move(s)); };
}

}  // namespace trustmesh::sim
