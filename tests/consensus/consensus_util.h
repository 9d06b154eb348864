// Test helpers for the consensus layer: deterministic validator keys, a
// validator set with its keys in set (address) order, test blocks and signed
// votes and proposals. Chain id "test" everywhere.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "consensus/engine.h"

namespace trustmesh::consensus::testing {

inline constexpr std::string_view kChain = "test";

// Deterministic P-256 key from (tag, i).
KeyPair seeded_key(const std::string& tag, size_t i);

// A validator set and its keys: keys[i] belongs to set.validators()[i].
struct Net {
  std::vector<KeyPair> keys;
  ValidatorSet set;
  size_t index_of(const Validator& v) const { return *set.index_of(v.address()); }
  // Set index of the proposer of (height, round).
  size_t proposer(uint64_t height, uint64_t round) const {
    return index_of(proposer_for(set, height, round));
  }
};
Net make_net(const std::vector<uint64_t>& powers, const std::string& tag = "validator");

// A block for `height` on chain "test" holding one tx `label`, with tx_root
// matching its txs, the set's hash as validators_hash, and an arbitrary state root.
Block make_block(const ValidatorSet& set, uint64_t height, const std::string& label, const Hash32& prev = {},
                 const Address& proposer = {});

EngineConfig test_config();

Vote signed_vote(const Net& net, size_t i, VoteType type, uint64_t height, uint64_t round,
                 std::optional<Hash32> block);
// Signed by the proposer of (height, round).
Proposal signed_proposal(const Net& net, uint64_t height, uint64_t round, int64_t pol_round, Block block);

}  // namespace trustmesh::consensus::testing
