// Genesis: the chain's starting state, read from a JSON file.
//
//   {
//     "chain_id": "trustmesh-dev",
//     "genesis_time": 1767225600,              // seconds since the epoch
//     "accounts": [{"address": "tm1...", "balance": 1000000}],
//     "trustees": ["tm1...", ...],
//     "params": {"min_tx_fee": 10, ...}        // optional; unset fields keep defaults
//   }
//
// Invariants of a parsed Genesis: chain_id is 1..64 printable ASCII chars;
// addresses are unique; total supply fits in 64 bits; trustees are unique and
// at least one; params validate. Unknown JSON fields are errors (typos must not
// pass silently).
#pragma once

#include <string>
#include <vector>

#include "core/address.h"
#include "ledger/params.h"
#include "ledger/state.h"

namespace trustmesh::ledger {

struct GenesisAccount {
  Address address;
  uint64_t balance = 0;
};

struct Genesis {
  std::string chain_id;
  uint64_t genesis_time = 0;
  std::vector<GenesisAccount> accounts;
  std::vector<Address> trustees;  // sorted
  Params params;

  static Result<Genesis> from_json(std::string_view json);
  std::string to_json() const;  // pretty, stable field order

  // The state before block 1.
  Result<Changes> initial_state() const;
};

}  // namespace trustmesh::ledger
