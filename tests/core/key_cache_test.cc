// PublicKey::from_encoded_cached returns exactly what from_encoded returns,
// for hits, misses, slot collisions and invalid keys.
#include <gtest/gtest.h>

#include "core/hash.h"
#include "core/keys.h"

namespace trustmesh {
namespace {

TEST(KeyCache, MatchesUncachedParsing) {
  std::vector<Bytes> encs;
  for (int i = 0; i < 300; ++i) {
    KeyAlg alg = i % 3 == 0 ? KeyAlg::kEd25519 : KeyAlg::kP256;
    encs.push_back(
        KeyPair::from_seed(alg, sha256(as_bytes("kc" + std::to_string(i)))).value().public_key().encoded());
  }
  for (int round = 0; round < 3; ++round) {
    for (const auto& e : encs) {
      auto a = PublicKey::from_encoded_cached(e);
      ASSERT_TRUE(a.ok());
      EXPECT_EQ(a->encoded(), e);
      EXPECT_EQ(*a, PublicKey::from_encoded(e).value());
    }
  }
}

TEST(KeyCache, SameSlotDifferentKeyIsNotConfused) {
  Bytes a = KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("a"))).value().public_key().encoded();
  // A second valid key that shares a's last two bytes is hard to make; instead
  // corrupt a's x-coordinate (same slot) so it is a different, probably invalid key.
  Bytes b = a;
  b[5] ^= 0x01;
  ASSERT_TRUE(PublicKey::from_encoded_cached(a).ok());
  auto cb = PublicKey::from_encoded_cached(b);
  auto ub = PublicKey::from_encoded(b);
  ASSERT_EQ(cb.ok(), ub.ok());
  if (cb.ok()) {
    EXPECT_EQ(cb->encoded(), b);
  }
  EXPECT_EQ(PublicKey::from_encoded_cached(a)->encoded(), a);
}

TEST(KeyCache, InvalidKeysAreRefusedEveryTime) {
  Bytes bad(34, 0x07);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(PublicKey::from_encoded_cached(bad).ok());
  EXPECT_FALSE(PublicKey::from_encoded_cached(Bytes{}).ok());
}

}  // namespace
}  // namespace trustmesh
