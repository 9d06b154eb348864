// The mempool: transactions admitted by this node and waiting for a block.
//
// Admission (add) decodes the tx strictly and verifies its signature outside
// the lock (so API threads verify in parallel), then, under the lock, refuses
// duplicates and checks it against the mempool's state plus the txs of the
// same sender already pending (sequence, fee, balance; see
// ledger::check_pending_tx). The pool is bounded in count and bytes.
//
// The mempool's state is the committed state it was last updated with, and
// it changes only inside update(), under the lock, together with the removal
// of that block's txs: an admission never pairs a newer state with an older
// pending set (which would count a committed tx as still pending).
//
// Invariants (under the lock): every pending tx passed those checks against
// the state it was last checked against; for each sender, pending txs have
// consecutive sequence numbers in arrival order; count() <= max_txs and
// bytes() <= max_bytes. update() after each block removes the committed txs
// and re-checks the rest in arrival order against the new state, dropping any
// that no longer pass.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/state.h"
#include "ledger/tx.h"

namespace trustmesh::node {

struct MempoolConfig {
  size_t max_txs = 20000;
  size_t max_bytes = 32 << 20;
};

class Mempool {
 public:
  using StatePtr = std::shared_ptr<const ledger::StateReader>;

  Mempool(std::string chain_id, MempoolConfig config, StatePtr state)
      : chain_id_(std::move(chain_id)), config_(config), state_(std::move(state)) {}

  // Admits a tx checked against the mempool's state. Returns its hash;
  // kDuplicateTx if already pending, kMempoolFull at the bound, or the
  // admission error (nothing changes on any error).
  Result<Hash32> add(ByteView tx_bytes);

  bool contains(const Hash32& hash) const;
  // Pending txs in arrival order, at most max_txs of them and max_bytes in total.
  std::vector<Bytes> reap(size_t max_bytes, size_t max_txs) const;
  // After a block: adopt `state` (the state after it), drop `committed`,
  // re-check the rest. Returns how many were dropped by the re-check.
  size_t update(const std::vector<Hash32>& committed, StatePtr state);

  size_t count() const;
  size_t bytes() const;
  // Txs of `sender` waiting here (its next tx needs sequence account seq + this).
  uint64_t pending_of(const Address& sender) const;

 private:
  struct Entry {
    Hash32 hash;
    Bytes bytes;
    ledger::Tx tx;
    Address sender;
  };
  struct SenderPending {
    uint64_t count = 0;
    uint64_t fees = 0;
  };
  void erase_locked(std::list<Entry>::iterator it);

  const std::string chain_id_;
  const MempoolConfig config_;
  mutable std::mutex mu_;
  std::list<Entry> order_;                                // arrival order
  std::map<Hash32, std::list<Entry>::iterator> by_hash_;  // every entry of order_
  std::map<Address, SenderPending> senders_;              // senders with pending txs
  StatePtr state_;                                        // what pending txs were checked against
  size_t bytes_ = 0;
};

}  // namespace trustmesh::node
