// The genesis of a development chain (`trustmesh init`, `trustmesh testnet
// init`): one funded account that is also the only trustee, the given
// validators (power 1, sorted by address as genesis requires), and parameters
// short enough to try names by hand (a preorder waits one block). The result
// has been through to_json / from_json, so it is exactly what gets written.
#pragma once

#include <string>
#include <vector>

#include "ledger/genesis.h"

namespace trustmesh::cli {

struct DevValidator {
  PublicKey key;
  std::string name;
};

Result<ledger::Genesis> dev_genesis(const std::string& chain_id, const Address& dev_account,
                                    const std::vector<DevValidator>& validators);

}  // namespace trustmesh::cli
