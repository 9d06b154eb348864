// Genesis: the chain's starting state, read from a JSON file.
//
//   {
//     "chain_id": "trustmesh-dev",
//     "genesis_time": 1767225600,              // seconds since the epoch
//     "accounts": [{"address": "tm1...", "balance": 1000000}],
//     "trustees": ["tm1...", ...],
//     "validators": [{"pub_key": "<hex of PublicKey::encoded()>", "power": 1,
//                     "name": "node-0"}],          // optional for offline replay
//     "params": {"min_tx_fee": 10, ...}        // optional; unset fields keep defaults
//   }
//
// Invariants of a parsed Genesis: chain_id is 1..64 printable ASCII chars;
// addresses are unique; total supply fits in 64 bits; trustees are unique and
// at least one; params validate; validators are unique, sorted by address,
// each with power >= 1 and a total of at most 2^62. Unknown JSON fields are errors (typos must not
// pass silently).
#pragma once

#include <string>
#include <vector>

#include "core/address.h"
#include "core/keys.h"
#include "ledger/params.h"
#include "ledger/state.h"

namespace trustmesh::ledger {

struct GenesisAccount {
  Address address;
  uint64_t balance = 0;
};

struct GenesisValidator {
  PublicKey key;
  uint64_t power = 1;
  std::string name;  // label for humans; not part of the state
};

struct Genesis {
  std::string chain_id;
  uint64_t genesis_time = 0;
  std::vector<GenesisAccount> accounts;
  std::vector<Address> trustees;             // sorted
  std::vector<GenesisValidator> validators;  // sorted by address; power >= 1
  Params params;

  static Result<Genesis> from_json(std::string_view json);
  std::string to_json() const;  // pretty, stable field order

  // The state before block 1.
  Result<Changes> initial_state() const;
};

}  // namespace trustmesh::ledger
