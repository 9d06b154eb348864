// LedgerDb: the ledger state machine on top of the authenticated StateDb.
// It applies genesis once, then blocks of transactions one height at a time,
// each committed atomically with its state root.
//
// Invariants: the chain id is read from committed state ("g:chain_id"), so a
// data directory can never be continued with another chain's genesis; block
// heights are consecutive from 1; a block is either fully committed or not at
// all (StateDb's single synced write batch).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "store/state_db.h"

namespace trustmesh::store {

// ledger::StateReader over the latest committed StateDb state.
class StateDbReader : public ledger::StateReader {
 public:
  explicit StateDbReader(const StateDb& db) : db_(db) {}
  Result<std::optional<Bytes>> get(ByteView key) const override { return db_.get(key); }

 private:
  const StateDb& db_;
};

struct AppliedBlock {
  uint64_t height = 0;
  Hash32 root{};
  std::vector<ledger::TxResult> txs;
};

// A block executed against the latest state but not yet stored: the node
// builds the header from prepared.root, then commits it with the block.
struct ExecutedBlock {
  uint64_t height = 0;
  uint64_t time = 0;
  std::vector<ledger::TxResult> txs;
  PreparedCommit prepared;  // the state changes and the root they produce
};

class LedgerDb {
 public:
  static Result<std::unique_ptr<LedgerDb>> open(const std::string& path, const StateDbOptions& opts = {});

  // Commits the genesis state as height 0 if the directory is new; otherwise
  // checks that it holds this genesis's chain (same chain id and height-0 root).
  Status init(const ledger::Genesis& genesis);
  bool initialised() const { return !chain_id_.empty(); }
  const std::string& chain_id() const { return chain_id_; }

  uint64_t height() const { return db_->height(); }
  const Hash32& root() const { return db_->root(); }

  // Executes and commits the next block (height() + 1), storing its input digest.
  Result<AppliedBlock> apply_block(uint64_t time, const std::vector<Bytes>& txs);

  // Two-phase form of apply_block for the node: execute (nothing written),
  // then commit together with the block store's raw entries in one batch.
  Result<ExecutedBlock> execute(uint64_t time, const std::vector<Bytes>& txs) const;
  Result<Hash32> commit_executed(const ExecutedBlock& block, const std::vector<RawWrite>& extra);

  // SHA-256 of CBOR [time, [tx bytes...]]: identifies a block's input until
  // blocks have headers (node issue). Stored per height by apply_block.
  static Hash32 block_input_digest(uint64_t time, const std::vector<Bytes>& txs);
  Result<std::optional<Hash32>> block_digest_at(uint64_t height) const {
    return db_->block_digest_at(height);
  }

  StateDb& state() { return *db_; }
  const StateDb& state() const { return *db_; }

 private:
  explicit LedgerDb(std::unique_ptr<StateDb> db) : db_(std::move(db)) {}
  Status load_chain_id();
  std::unique_ptr<StateDb> db_;
  std::string chain_id_;
};

}  // namespace trustmesh::store
