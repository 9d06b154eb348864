// The consensus validator set that signs a height, from ledger state: the
// ledger keeps the set and its pending governance changes
// (ledger::validators_for); consensus wants a ValidatorSet. One conversion,
// used by the node, block sync and the audit replay.
#pragma once

#include "consensus/validator_set.h"
#include "ledger/state.h"

namespace trustmesh::node {

// The set that signs `height`, given the state after block height - 1 (it can
// also answer height + 1; see ledger/validators.h for the exact contract).
Result<consensus::ValidatorSet> validator_set_at(const ledger::StateReader& state, uint64_t height);

}  // namespace trustmesh::node
