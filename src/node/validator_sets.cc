// validator_set_at (see validator_sets.h).
#include "node/validator_sets.h"

#include "ledger/validators.h"

namespace trustmesh::node {

Result<consensus::ValidatorSet> validator_set_at(const ledger::StateReader& state, uint64_t height) {
  TM_ASSIGN_OR_RETURN(std::vector<ledger::GenesisValidator> vals, ledger::validators_for(state, height));
  std::vector<consensus::Validator> out;
  out.reserve(vals.size());
  for (const auto& v : vals) out.push_back(consensus::Validator{v.key, v.power});
  return consensus::ValidatorSet::make(std::move(out));
}

}  // namespace trustmesh::node
