// The light client's trust anchor: the chain id and the validator set it
// trusts, taken from the chain's genesis file (GET /v1/genesis).
//
// Invariants of an anchor from from_genesis_json(): chain_id is 1..64
// printable ASCII characters without spaces (the genesis rule); validators is
// a valid ValidatorSet (non-empty, powers >= 1, unique, total below 2^62).
// The anchor is only as good as the genesis file: obtain it out of band (or
// pin its hash), never from the node being checked.
#pragma once

#include <string>
#include <string_view>

#include "consensus/validator_set.h"

namespace trustmesh::light {

struct TrustAnchor {
  std::string chain_id;
  consensus::ValidatorSet validators;

  // Reads "chain_id" and "validators": [{"pub_key": "<hex of
  // PublicKey::encoded()>", "power": 1 (optional, default 1), ...}] from a
  // genesis JSON file; every other field is ignored. kMalformed if the text is
  // not JSON, kInvalidArgument (or the key/set error's own code) for a missing,
  // mistyped or invalid field, each message naming the field.
  static Result<TrustAnchor> from_genesis_json(std::string_view json);
};

}  // namespace trustmesh::light
