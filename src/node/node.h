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
// Invariants: view()->height() is the height of the latest stored block (or 0
// before the first); each stored block's header.state_root is the state root
// at its height, header.prev_hash the hash of the block below; a block is
// stored only with a commit that verifies against the validator set.
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
#include <thread>

#include "consensus/engine.h"
#include "ledger/genesis.h"
#include "node/config.h"
#include "node/mempool.h"
#include "node/metrics.h"
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
  const consensus::ValidatorSet& validators() const { return *validators_; }
  std::optional<Address> validator_address() const;
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
  void run();
  void handle(std::vector<consensus::Output> outputs);
  Status build_proposal(uint64_t height, uint64_t round);
  Status commit_block(const consensus::Block& block, const consensus::Commit& commit);
  std::vector<store::OwnerIndexChange> owner_changes(const store::ChangeSet& changes) const;

  NodeConfig config_;
  ledger::Genesis genesis_;
  std::string genesis_json_;
  std::optional<KeyPair> key_;
  std::optional<consensus::ValidatorSet> validators_;
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
  std::deque<consensus::Message> inbox_;  // own broadcasts, delivered back in order

  std::thread thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex wake_mu_;
  mutable std::condition_variable wake_cv_;  // height changes and stop requests

  std::mutex subs_mu_;
  std::map<uint64_t, std::function<void(const BlockEvent&)>> subs_;
  uint64_t next_sub_ = 1;
};

}  // namespace trustmesh::node
