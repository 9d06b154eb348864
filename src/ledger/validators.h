// The validator set in ledger state, and when it changes.
//
// "g:validators" holds the set in force ([[encoded key, power], ...] by
// address, the encoding whose SHA-256 is a header's validators_hash);
// "g:validators_pending" holds changes not yet in force:
// [[effective_height, [[encoded key, power], ...]], ...] in height order,
// power 0 meaning removal. A change made by a tx in block H takes effect at
// H + 2, so the state after block s already fixes the sets of s + 1 and s + 2:
// the node can put next_validators_hash into block s + 1's header before
// executing it, and a light client that trusts block s knows who signs s + 1.
//
// Invariants: every set this file returns is non-empty, sorted by address,
// with unique keys and powers >= 1; pending changes are applied in height
// order; execution of block h moves changes effective at <= h into
// "g:validators" (promote_validator_changes).
#pragma once

#include <vector>

#include "ledger/genesis.h"
#include "ledger/records.h"
#include "ledger/state.h"

namespace trustmesh::ledger {

struct PendingValidatorChanges {
  uint64_t effective_height = 0;
  std::vector<ValidatorChange> changes;
};

// The set that signs block `height`, from the state after block s where
// height is s + 1 or s + 2 (any other height gives a wrong answer; callers
// know s). Names are empty (they are not state). kNotFound if the state has no
// validator set (an offline replay).
Result<std::vector<GenesisValidator>> validators_for(const StateReader& state, uint64_t height);

// Changes not yet in force, in height order.
Result<std::vector<PendingValidatorChanges>> pending_validator_changes(const StateReader& state);

// `set` with `changes` applied (add, update power, remove), re-sorted by address.
Result<std::vector<GenesisValidator>> apply_validator_changes(std::vector<GenesisValidator> set,
                                                              const std::vector<ValidatorChange>& changes);

// Records `changes` to take effect at `effective_height` (appended to the
// pending list in height order). Checks the set they give is valid.
Status schedule_validator_changes(Overlay& state, uint64_t effective_height,
                                  const std::vector<ValidatorChange>& changes);
// End of block `height`: moves pending changes effective at <= height into
// the set in force.
Status promote_validator_changes(Overlay& state, uint64_t height);

// Encodings of the two state values.
Bytes encode_validator_set(const std::vector<GenesisValidator>& set);
Result<std::vector<GenesisValidator>> decode_validator_set(ByteView bytes);
Bytes encode_pending_changes(const std::vector<PendingValidatorChanges>& pending);

}  // namespace trustmesh::ledger
