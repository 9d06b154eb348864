// Consensus test helpers (see consensus_util.h).
#include "consensus_util.h"

#include "core/hash.h"

namespace trustmesh::consensus::testing {

KeyPair seeded_key(const std::string& tag, size_t i) {
  Hash32 seed = sha256(as_bytes("consensus-test-" + tag + "-" + std::to_string(i)));
  return KeyPair::from_seed(KeyAlg::kP256, ByteView(seed)).value();
}

Net make_net(const std::vector<uint64_t>& powers, const std::string& tag) {
  std::vector<KeyPair> keys;
  std::vector<Validator> vals;
  for (size_t i = 0; i < powers.size(); ++i) {
    keys.push_back(seeded_key(tag, i));
    vals.push_back(Validator{keys.back().public_key(), powers[i]});
  }
  ValidatorSet set = ValidatorSet::make(vals).value();
  std::vector<KeyPair> ordered;
  for (const Validator& v : set.validators()) {
    for (const KeyPair& k : keys) {
      if (k.public_key() == v.key) ordered.push_back(k);
    }
  }
  return Net{std::move(ordered), std::move(set)};
}

Block make_block(const ValidatorSet& set, uint64_t height, const std::string& label, const Hash32& prev,
                 const Address& proposer) {
  Block b;
  b.txs = {to_bytes(label)};
  b.header.chain_id = std::string(kChain);
  b.header.height = height;
  b.header.time = 1767225600 + height;
  b.header.prev_hash = prev;
  b.header.tx_root = tx_merkle_root(b.txs);
  b.header.state_root = sha256(as_bytes("state-" + label));
  b.header.validators_hash = set.hash();
  b.header.next_validators_hash = set.hash();
  b.header.proposer = proposer;
  return b;
}

EngineConfig test_config() {
  EngineConfig c;
  c.chain_id = std::string(kChain);
  return c;
}

Vote signed_vote(const Net& net, size_t i, VoteType type, uint64_t height, uint64_t round,
                 std::optional<Hash32> block) {
  return make_vote(net.keys[i], kChain, type, height, round, block).value();
}

Proposal signed_proposal(const Net& net, uint64_t height, uint64_t round, int64_t pol_round, Block block) {
  return make_proposal(net.keys[net.proposer(height, round)], kChain, height, round, pol_round,
                       std::move(block))
      .value();
}

}  // namespace trustmesh::consensus::testing
