// Block execution: the deterministic state transition function.
//
// This is the narrow, ABCI-shaped boundary the consensus and node layers call:
//   check_tx      - would this tx be admitted now? (mempool)
//   execute_block - apply a block's txs in order; returns per-tx results and
//                   the block's net state changes (the store computes the root)
//
// Transaction outcomes (recorded per tx, with a stable ErrorCode):
//  * kRejected: the tx cannot be charged - oversize, malformed, wrong chain,
//    bad signature, wrong sequence, fee below the minimum, balance below the
//    fee. NOTHING changes: no fee, no sequence use. (A proposer should not
//    include such txs; the replay tool records them and moves on.)
//  * kFailed: the tx was admitted but its operation failed (not the owner,
//    name taken, too early, ...). The fee is burned and the sender's sequence
//    advances (so the same tx cannot be replayed); every other effect of the
//    operation is discarded.
//  * kOk: fee burned, sequence advanced, operation applied.
// After the last tx, the block deletes the preorders that lapsed at its height
// (bounded work: at most the preorders made at one earlier height).
// Fees and name registration/renewal fees are burned: total supply (g:supply)
// drops by exactly their sum, and the sum of all balances always equals it.
//
// Purity: no clocks, I/O, threads, floats or unordered containers. Given the
// same state and the same (context, txs), the changes are byte-identical.
#pragma once

#include <string>
#include <vector>

#include "ledger/state.h"
#include "ledger/tx.h"

namespace trustmesh::ledger {

struct BlockContext {
  std::string chain_id;
  uint64_t height = 0;  // height of the block being executed (>= 1)
  uint64_t time = 0;    // block time from the header, seconds since the epoch (unused by names)
};

enum class TxOutcome : uint8_t { kOk = 0, kFailed = 1, kRejected = 2 };
std::string_view tx_outcome_name(TxOutcome o);  // "ok" | "failed" | "rejected"

struct TxResult {
  Hash32 tx_hash{};  // SHA-256 of the tx bytes as given
  TxOutcome outcome = TxOutcome::kRejected;
  ErrorCode code = ErrorCode::kOk;
  std::string message;  // empty when ok
  uint64_t burned = 0;  // tx fee + name fees burned by this tx

  cbor::Value to_cbor() const;
  static Result<TxResult> from_cbor(const cbor::Value& v);
};

// Mempool admission: decode, chain, sequence (must equal the account's next),
// fee, balance and signature. Ok iff execute would not reject it right now.
Status check_tx(const StateReader& state, const std::string& chain_id, ByteView tx_bytes);

// The stateful half of check_tx for a mempool that already decoded the tx and
// verified its signature, and holds `pending` earlier txs of the same sender
// whose fees add up to `pending_fees`: the tx must carry sequence
// account.seq + pending, fit max_tx_bytes, pay the minimum fee, and the
// balance must cover pending_fees + fee.
Status check_pending_tx(const StateReader& state, const std::string& chain_id, const Tx& tx, size_t tx_size,
                        uint64_t pending, uint64_t pending_fees);

// Executes one tx against `state`. An Error result means a storage fault or
// corrupt state (the node must stop), never a bad transaction.
Result<TxResult> execute_tx(Overlay& state, const BlockContext& ctx, ByteView tx_bytes);

struct BlockResult {
  std::vector<TxResult> txs;
  Changes changes;  // net effect on state, in key order
};

Result<BlockResult> execute_block(const StateReader& state, const BlockContext& ctx,
                                  const std::vector<Bytes>& txs);

// Validity rules for names, exposed for clients that want to check early.
Status check_name(std::string_view name, uint64_t max_len);
// base + per_block * validity, or kAmountOverflow.
Result<uint64_t> name_fee(uint64_t base, uint64_t per_block, uint64_t validity);

}  // namespace trustmesh::ledger
