// dev_genesis (see dev_genesis.h).
#include "cli/dev_genesis.h"

#include <algorithm>
#include <ctime>

namespace trustmesh::cli {

Result<ledger::Genesis> dev_genesis(const std::string& chain_id, const Address& dev_account,
                                    const std::vector<DevValidator>& validators) {
  ledger::Genesis g;
  g.chain_id = chain_id;
  g.genesis_time = static_cast<uint64_t>(::time(nullptr));
  g.accounts.push_back({dev_account, 1'000'000'000'000});
  g.trustees.push_back(dev_account);
  for (const DevValidator& v : validators) g.validators.push_back({v.key, 1, v.name});
  std::sort(g.validators.begin(), g.validators.end(),
            [](const auto& a, const auto& b) { return Address::of(a.key) < Address::of(b.key); });
  g.params.min_validity_blocks = 10;
  g.params.preorder_min_blocks = 1;
  g.params.preorder_max_blocks = 100;
  TM_TRY(g.params.validate());
  return ledger::Genesis::from_json(g.to_json());
}

}  // namespace trustmesh::cli
