// The node: one process that keeps the ledger. It assembles the store
// (LedgerDb: state, blocks and indexes in one RocksDB), the mempool and the
// consensus engine, and drives the engine from one thread (the "consensus
// thread": every write to the ledger happens there, in order).
//
// Readers on any thread use view(): a consistent snapshot of the latest
// committed height (state, block store, proofs), so reads never wait for block
// production and never see half a block.
//
// Block production: the engine asks for a proposal; the node waits until
// block_interval_ms after the previous block, takes txs from the mempool (up to
// max_block_bytes / max_block_txs), executes them (nothing is written), drops
// any the executor rejects, and builds the header with the resulting state
// root. When the engine decides, the block, its commit, its tx results, the
// indexes and the state changes are written in ONE synced batch; then the
// mempool is re-checked and block subscribers are notified.
//
// Peers (p2p enabled in node.toml): the node links to other nodes over TLS 1.3
// (p2p/host.h) and speaks the messages of wire.h. Consensus messages from
// peers go to the consensus thread; a proposal is handed to the engine only
// after its block was executed here and gave the header's state root (the
// engine's valid(v)); messages for the next heights wait in a bounded buffer.
// Transactions are admitted to the mempool on the p2p thread and relayed in
// batches. Every gossip_interval_ms the node re-sends the engine's gossip()
// messages and its height; a peer that is ahead is asked for the missing
// blocks, each applied only with a commit that verifies against the set that
// signs its height (block sync). Without a validator key the node is a full
// node: it follows the chain the same way and never signs.
//
// A validator signs only through a consensus::Signer whose write-ahead log
// (FileSignLog, consensus/sign.wal) is synced before a signature leaves the
// process, so a restart never signs two different votes for one round.
//
// Invariants: view()->height() is the height of the latest stored block (or 0
// before the first); each stored block's header.state_root is the state root
// at its height, header.prev_hash the hash of the block below; a block is
// stored only with a commit that verifies against the validator set of its
// height (ledger::validators_for).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <thread>

#include "consensus/engine.h"
#include "consensus/signer.h"
#include "core/recent_set.h"
#include "ledger/genesis.h"
#include "node/config.h"
#include "node/mempool.h"
#include "node/metrics.h"
#include "node/wire.h"
#include "p2p/host.h"
#include "store/block_store.h"
#include "store/ledger_db.h"

namespace trustmesh::node {

// A short summary of a committed block, for subscribers (event streams).
struct BlockEvent {
  uint64_t height = 0;
  Hash32 hash{};
  uint64_t time = 0;
  Hash32 state_root{};
  size_t txs = 0;
};

// ledger::StateReader over a ReadView, keeping the view (snapshot) alive.
class ViewReader : public ledger::StateReader {
 public:
  explicit ViewReader(std::shared_ptr<const store::ReadView> v) : v_(std::move(v)) {}
  Result<std::optional<Bytes>> get(ByteView key) const override { return v_->get(key); }

 private:
  std::shared_ptr<const store::ReadView> v_;
};

// Prints "fatal: what: error" and aborts: a storage fault or a broken
// invariant of our own (the next start recovers from the last stored block).
[[noreturn]] void fatal_error(const char* what, const Error& e);

class Node {
 public:
  // Opens (or creates) the data directory: reads node.toml, the genesis file
  // and the validator key; commits genesis on first start; checks the stored
  // chain is this genesis's on later starts.
  static Result<std::unique_ptr<Node>> open(const NodeConfig& config);
  ~Node();

  // Starts / stops the consensus thread. stop() finishes the block being
  // written (if any) and returns; it is safe to call twice.
  Status start();
  void stop();

  // --- Reads, from any thread ---
  const NodeConfig& config() const { return config_; }
  const std::string& chain_id() const { return genesis_.chain_id; }
  const ledger::Genesis& genesis() const { return genesis_; }
  const std::string& genesis_json() const { return genesis_json_; }
  // The validator set that signs the next block (as of the latest view).
  Result<consensus::ValidatorSet> current_validators() const;
  std::optional<Address> validator_address() const;
  // Whether this node holds a key of the current validator set.
  bool is_validator() const;
  // Connected peers (empty without p2p) and this node's p2p id.
  std::vector<p2p::PeerInfo> peers() const;
  std::optional<p2p::NodeId> node_id() const;
  uint16_t p2p_port() const;
  std::shared_ptr<const store::ReadView> view() const { return ledger_->state().view(); }

  // Admits a transaction to the mempool (checked against the latest state).
  Result<Hash32> submit_tx(ByteView tx_bytes);
  const Mempool& mempool() const { return *mempool_; }
  Metrics& metrics() { return metrics_; }

  // Calls fn(event) on the consensus thread after each committed block; fn
  // must be quick and must not call back into the node's write path.
  uint64_t subscribe(std::function<void(const BlockEvent&)> fn);
  void unsubscribe(uint64_t id);

  // Blocks until the latest height is >= h or the timeout passes (tests, CLI).
  bool wait_for_height(uint64_t h, uint64_t timeout_ms) const;

 private:
  explicit Node(NodeConfig config);
  Status load_head();
  Status open_peers();
  void run();
  void handle(std::vector<consensus::Output> outputs);
  void start_height(uint64_t height);
  Status build_proposal(uint64_t height, uint64_t round);
  Status commit_block(const consensus::Block& block, const consensus::Commit& commit);
  std::vector<store::OwnerIndexChange> owner_changes(const store::ChangeSet& changes) const;
  // The set that signs `height` (latest height + 1 or + 2), from the latest state.
  Result<consensus::ValidatorSet> set_for(uint64_t height) const;
  // valid(v): executes the block (once per hash) and checks every header field.
  bool proposal_valid(const consensus::Proposal& p);
  Status check_block(const consensus::Block& block);
  void submit_evidence();

  // --- peers (node_peers.cc) ---
  void on_peer_message(const p2p::NodeId& from, uint8_t channel, Bytes payload);  // p2p thread
  void on_peer(const p2p::NodeId& peer, bool connected);                          // p2p thread
  void deliver(const p2p::NodeId& from, wire::Msg msg);                           // consensus thread
  void deliver_consensus(const consensus::Message& m);
  void apply_synced_block(const p2p::NodeId& from, const wire::BlockMsg& bm);
  void gossip_tick();
  void flush_txs();
  void request_blocks();
  void send(const std::optional<p2p::NodeId>& to, const wire::Msg& m);

  NodeConfig config_;
  ledger::Genesis genesis_;
  std::string genesis_json_;
  std::optional<KeyPair> key_;
  std::shared_ptr<consensus::Signer> signer_;  // set iff key_
  std::unique_ptr<store::LedgerDb> ledger_;
  std::unique_ptr<Mempool> mempool_;
  Metrics metrics_;
  std::unique_ptr<consensus::Engine> engine_;

  // Consensus thread state (touched only by run() and what it calls).
  Hash32 last_hash_{};      // header hash of the latest stored block (zeros at 0)
  uint64_t last_time_ = 0;  // its time (genesis_time at 0)
  std::chrono::steady_clock::time_point last_commit_at_;
  std::map<Hash32, store::ExecutedBlock> executed_;  // proposals built/checked at this height
  struct Timer {
    std::chrono::steady_clock::time_point due;
    uint64_t seq;
    std::function<void()> fire;
    bool operator>(const Timer& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  uint64_t timer_seq_ = 0;
  std::deque<consensus::Message> inbox_;             // own broadcasts, delivered back in order
  std::optional<consensus::ValidatorSet> cur_set_;   // signs the engine's height
  std::optional<consensus::ValidatorSet> next_set_;  // signs the height after it
  std::map<Hash32, bool> checked_;                   // proposals' block hashes at this height: valid?
  std::set<Hash32> seen_;                            // consensus messages delivered at this height and round
  uint64_t seen_round_ = 0;
  std::map<uint64_t, std::vector<consensus::Message>> future_;  // for heights above the engine's
  size_t future_count_ = 0;
  size_t evidence_sent_ = 0;  // equivocations already turned into evidence txs
  std::map<p2p::NodeId, uint64_t> peer_heights_;
  uint64_t sync_requested_ = 0;  // height asked for, 0 = none outstanding
  std::chrono::steady_clock::time_point sync_requested_at_;

  // Peers. host_ is set once in start() before the consensus thread runs;
  // the p2p thread's callbacks may fire before Host::start returns, so they
  // use live_host_, published after the assignment (null until then).
  std::unique_ptr<p2p::Host> host_;
  std::atomic<p2p::Host*> live_host_{nullptr};
  std::deque<std::pair<p2p::NodeId, wire::Msg>> peer_inbox_;  // guarded by wake_mu_
  std::mutex tx_out_mu_;
  std::vector<Bytes> tx_out_;     // admitted txs waiting to be relayed
  RecentSet recent_txs_{100000};  // tx hashes seen from peers or clients
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex wake_mu_;
  mutable std::condition_variable wake_cv_;  // height changes and stop requests

  std::mutex subs_mu_;
  std::map<uint64_t, std::function<void(const BlockEvent&)>> subs_;
  uint64_t next_sub_ = 1;
};

}  // namespace trustmesh::node
