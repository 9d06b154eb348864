// Sparse Merkle tree hashing vectors, proof verification (membership and
// non-membership, tampering) and the strict CBOR wire form of proofs.
#include "store/proof.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "core/cbor.h"
#include "core/hash.h"
#include "store/smt.h"
#include "store/store_util.h"

namespace trustmesh::store {
namespace {

using testing_util::apply;
using testing_util::bytes_of;

Hash32 hex32(const char* hex) {
  Result<Hash32> h = hash32_from_hex(hex);
  TM_ASSERT(h.ok());
  return *h;
}

// A tree of state keys held in a MemNodeStore, for building real proofs.
struct Tree {
  MemNodeStore store;
  Hash32 root = empty_hash();
  std::map<std::string, std::string> kv;

  void set(const std::map<std::string, std::string>& changes) {
    std::vector<TreeUpdate> ups;
    for (const auto& [k, v] : changes) {
      ups.push_back(TreeUpdate{tree_key(as_bytes(k)), value_digest(as_bytes(v))});
      kv[k] = v;
    }
    root = apply(store, root, std::move(ups));
  }
  Proof prove_key(const std::string& k) const {
    Result<Proof> p = store::prove(store, root, tree_key(as_bytes(k)));
    TM_ASSERT(p.ok());
    return *p;
  }
};

Tree make_tree(int n) {
  Tree t;
  std::map<std::string, std::string> m;
  for (int i = 0; i < n; ++i) m["key-" + std::to_string(i)] = "value-" + std::to_string(i);
  t.set(m);
  return t;
}

TEST(ProofHashing, Vectors) {
  EXPECT_EQ(empty_hash(), Hash32{});
  // SHA-256 of 65 zero bytes, and of 0x01 followed by 64 zero bytes.
  EXPECT_EQ(leaf_hash(Hash32{}, Hash32{}),
            hex32("98ce42deef51d40269d542f5314bef2c7468d401ad5d85168bfab4c0108f75f7"));
  EXPECT_EQ(internal_hash(Hash32{}, Hash32{}),
            hex32("ae0798d0ecaed2b778eddebf18f071a561c53658c05e76cedecc27cafbdbc577"));
  Hash32 k = tree_key(as_bytes("alice"));
  Hash32 v = value_digest(as_bytes("1"));
  EXPECT_EQ(k, sha256(as_bytes("alice")));
  EXPECT_EQ(v, sha256(as_bytes("1")));
  Bytes pre{0x00};
  append(pre, k);
  append(pre, v);
  EXPECT_EQ(leaf_hash(k, v), sha256(pre));
  Bytes ipre{0x01};
  append(ipre, k);
  append(ipre, v);
  EXPECT_EQ(internal_hash(k, v), sha256(ipre));
}

TEST(ProofHashing, KeyBitsMostSignificantFirst) {
  Hash32 k{};
  k[0] = 0x80;
  k[1] = 0x01;
  k[31] = 0x01;
  EXPECT_TRUE(key_bit(k, 0));
  EXPECT_FALSE(key_bit(k, 1));
  EXPECT_FALSE(key_bit(k, 7));
  EXPECT_FALSE(key_bit(k, 8));
  EXPECT_TRUE(key_bit(k, 15));
  EXPECT_TRUE(key_bit(k, 255));
  EXPECT_FALSE(key_bit(k, 254));
}

TEST(ProofHashing, EmptyAndSingleKeyRoots) {
  Tree t;
  EXPECT_EQ(t.root, empty_hash());
  // Deleting absent keys from the empty tree keeps it empty.
  MemNodeStore s;
  EXPECT_EQ(apply(s, empty_hash(), {TreeUpdate{tree_key(as_bytes("x")), std::nullopt}}), empty_hash());
  EXPECT_EQ(apply(s, empty_hash(), {}), empty_hash());

  t.set({{"alice", "1"}});
  EXPECT_EQ(t.root, leaf_hash(tree_key(as_bytes("alice")), value_digest(as_bytes("1"))));
  EXPECT_EQ(t.root, hex32("d016098f5004316b2c734d9f90d96f9a9c606e35fd9f3feb56d2e69d6ddd2f2e"));
  Proof p = t.prove_key("alice");
  EXPECT_TRUE(p.siblings.empty());
  EXPECT_TRUE(verify_membership(t.root, as_bytes("alice"), as_bytes("1"), p).ok());
}

// Roots computed by an independent Python model of the compacted tree.
TEST(ProofHashing, ReferenceRoots) {
  Tree two;
  two.set({{"alice", "1"}, {"bob", "2"}});
  EXPECT_EQ(two.root, hex32("fd3db0729467ee4bcbd2833be2d190d2180adbc807774ae61b81fa76b97bf32f"));
  EXPECT_EQ(make_tree(10).root, hex32("e1e7f656eed821507c039efd17a5b2798976f19f8199db6e63004d3da584877d"));
  EXPECT_EQ(make_tree(1000).root, hex32("29987e91d74d347f283cede83b961372331163cd548b1d128986751f4f1543f5"));
}

TEST(Proof, MembershipAndNonMembership) {
  Tree t = make_tree(64);
  for (const auto& [k, v] : t.kv) {
    Proof p = t.prove_key(k);
    ASSERT_TRUE(p.terminal.has_value());
    Status s = verify_membership(t.root, as_bytes(k), as_bytes(v), p);
    EXPECT_TRUE(s.ok()) << k << ": " << s.error().to_string();
    EXPECT_FALSE(verify_non_membership(t.root, as_bytes(k), p).ok());
    EXPECT_EQ(proof_root(tree_key(as_bytes(k)), p), t.root);
  }
  int on_empty = 0;
  int on_leaf = 0;
  for (int i = 0; i < 400; ++i) {
    std::string k = "absent-" + std::to_string(i);
    Proof p = t.prove_key(k);
    Status s = verify_non_membership(t.root, as_bytes(k), p);
    EXPECT_TRUE(s.ok()) << k << ": " << s.error().to_string();
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes("value-1"), p).ok());
    (p.terminal ? on_leaf : on_empty)++;
  }
  // Both kinds of non-membership proof were exercised.
  EXPECT_GT(on_empty, 0);
  EXPECT_GT(on_leaf, 0);
}

TEST(Proof, EmptyTreeProvesAbsence) {
  Tree t;
  Proof p = t.prove_key("anything");
  EXPECT_TRUE(p.siblings.empty());
  EXPECT_FALSE(p.terminal.has_value());
  EXPECT_TRUE(verify_non_membership(empty_hash(), as_bytes("anything"), p).ok());
  EXPECT_FALSE(verify_membership(empty_hash(), as_bytes("anything"), as_bytes(""), p).ok());
}

TEST(Proof, WrongRootKeyOrValueFails) {
  Tree t = make_tree(32);
  Proof p = t.prove_key("key-7");
  ASSERT_TRUE(verify_membership(t.root, as_bytes("key-7"), as_bytes("value-7"), p).ok());
  Hash32 bad_root = t.root;
  bad_root[5] ^= 1;
  Status s = verify_membership(bad_root, as_bytes("key-7"), as_bytes("value-7"), p);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(verify_membership(t.root, as_bytes("key-8"), as_bytes("value-7"), p).ok());
  EXPECT_FALSE(verify_membership(t.root, as_bytes("key-7"), as_bytes("value-8"), p).ok());
  EXPECT_FALSE(verify_membership(t.root, as_bytes("key-7"), as_bytes(""), p).ok());

  Proof a = t.prove_key("nope");
  ASSERT_TRUE(verify_non_membership(t.root, as_bytes("nope"), a).ok());
  EXPECT_FALSE(verify_non_membership(bad_root, as_bytes("nope"), a).ok());
  // The same proof for a key that is present must fail.
  EXPECT_FALSE(verify_non_membership(t.root, as_bytes("key-7"), a).ok());
}

TEST(Proof, TamperedProofsFail) {
  Tree t = make_tree(200);
  const std::string k = "key-42";
  const std::string v = "value-42";
  Proof good = t.prove_key(k);
  ASSERT_GE(good.siblings.size(), 2u);
  ASSERT_TRUE(verify_membership(t.root, as_bytes(k), as_bytes(v), good).ok());

  for (size_t i = 0; i < good.siblings.size(); ++i) {
    for (size_t byte : {size_t{0}, size_t{31}}) {
      Proof p = good;
      p.siblings[i][byte] ^= 0x01;
      EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok()) << i;
    }
  }
  {
    Proof p = good;
    p.siblings.pop_back();
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
  }
  {
    Proof p = good;
    p.siblings.erase(p.siblings.begin());
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
  }
  {
    Proof p = good;
    p.siblings.push_back(empty_hash());
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
  }
  {
    Proof p = good;
    p.siblings.insert(p.siblings.begin(), empty_hash());
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
  }
  {
    Proof p = good;
    std::swap(p.siblings[0], p.siblings[1]);
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
  }
  {
    // Terminal swapped for another key's leaf, or for empty.
    Proof p = good;
    p.terminal = t.prove_key("key-43").terminal;
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
    EXPECT_FALSE(verify_non_membership(t.root, as_bytes(k), p).ok());
    p.terminal.reset();
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
    EXPECT_FALSE(verify_non_membership(t.root, as_bytes(k), p).ok());
  }
  {
    // A terminal value hash other than the value's digest.
    Proof p = good;
    p.terminal->value_hash[0] ^= 1;
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
  }
  {
    // Another key's valid proof does not prove this key.
    Proof p = t.prove_key("key-43");
    EXPECT_FALSE(verify_membership(t.root, as_bytes(k), as_bytes(v), p).ok());
    EXPECT_FALSE(verify_non_membership(t.root, as_bytes(k), p).ok());
  }
}

TEST(Proof, NonMembershipLeafMustBeOnThePath) {
  // A leaf terminal of a key that does not share the siblings.size() first
  // bits of k is refused even when the root is built to match.
  Hash32 k = tree_key(as_bytes("target"));
  Hash32 other = k;
  other[0] ^= 0x80;  // differs at bit 0
  Proof p;
  p.siblings = {tree_key(as_bytes("s1")), tree_key(as_bytes("s2"))};
  p.terminal = ProofLeaf{other, value_digest(as_bytes("v"))};
  Hash32 root = proof_root(k, p);
  Status s = verify_non_membership(root, as_bytes("target"), p);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);

  // Sharing exactly the first 2 bits is accepted.
  other = k;
  other[0] ^= 0x20;  // differs at bit 2
  p.terminal->key_hash = other;
  root = proof_root(k, p);
  EXPECT_TRUE(verify_non_membership(root, as_bytes("target"), p).ok());
}

TEST(Proof, MoreThan256SiblingsRejected) {
  Proof p;
  p.siblings.assign(257, empty_hash());
  Status s = verify_non_membership(empty_hash(), as_bytes("k"), p);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kMalformed);
  p.terminal = ProofLeaf{tree_key(as_bytes("k")), value_digest(as_bytes("v"))};
  s = verify_membership(empty_hash(), as_bytes("k"), as_bytes("v"), p);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kMalformed);
}

// --- wire form ---

cbor::Value hash_value(const Hash32& h) {
  return cbor::Value::bytes(ByteView(h));
}

cbor::Value proof_value(cbor::Array sibs, cbor::Value terminal) {
  cbor::MapEntries e;
  e.emplace_back(cbor::Value::text("s"), cbor::Value::array(std::move(sibs)));
  e.emplace_back(cbor::Value::text("t"), std::move(terminal));
  return cbor::Value::map(std::move(e));
}

TEST(ProofWire, RoundTrip) {
  Tree t = make_tree(100);
  std::vector<Proof> proofs = {t.prove_key("key-1"), t.prove_key("absent-1"), Proof{}};
  for (int i = 0; i < 50 && proofs.size() < 5; ++i) {
    Proof p = t.prove_key("absent-" + std::to_string(i));
    if (p.terminal) proofs.push_back(p);
  }
  Proof deep;
  deep.siblings.assign(256, tree_key(as_bytes("x")));
  deep.terminal = ProofLeaf{tree_key(as_bytes("a")), tree_key(as_bytes("b"))};
  proofs.push_back(deep);
  for (const Proof& p : proofs) {
    Bytes enc = encode_proof(p);
    Result<Proof> dec = decode_proof(enc);
    ASSERT_TRUE(dec.ok()) << dec.error().to_string();
    EXPECT_EQ(*dec, p);
    EXPECT_EQ(encode_proof(*dec), enc);
  }
  // The documented shape: {"s": [...], "t": null}.
  Bytes empty = encode_proof(Proof{});
  Result<cbor::Value> v = cbor::decode(empty);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, proof_value({}, cbor::Value::null()));
  EXPECT_EQ(to_hex(empty), "a26173806174f6");
}

void expect_rejected(const cbor::Value& v, const char* what) {
  Result<Proof> r = decode_proof(cbor::encode(v));
  EXPECT_FALSE(r.ok()) << what << ": " << cbor::diagnostic(v);
}

TEST(ProofWire, MalformedRejected) {
  Hash32 h = tree_key(as_bytes("h"));
  cbor::Value leaf = cbor::Value::array({hash_value(h), hash_value(h)});

  Bytes short_hash(31, 7);
  Bytes long_hash(33, 7);
  expect_rejected(proof_value({cbor::Value::bytes(short_hash)}, cbor::Value::null()), "31-byte sibling");
  expect_rejected(proof_value({cbor::Value::bytes(long_hash)}, cbor::Value::null()), "33-byte sibling");
  expect_rejected(proof_value({}, cbor::Value::array({cbor::Value::bytes(short_hash), hash_value(h)})),
                  "31-byte terminal key");
  expect_rejected(proof_value({}, cbor::Value::array({hash_value(h), cbor::Value::bytes(long_hash)})),
                  "33-byte terminal value");
  {
    Result<Proof> r =
        decode_proof(cbor::encode(proof_value({cbor::Value::bytes(short_hash)}, cbor::Value::null())));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  }
  {
    cbor::Array sibs(257, hash_value(h));
    Result<Proof> r = decode_proof(cbor::encode(proof_value(sibs, cbor::Value::null())));
    EXPECT_FALSE(r.ok()) << "257 siblings";
    cbor::Array many(5000, hash_value(h));
    EXPECT_FALSE(decode_proof(cbor::encode(proof_value(many, leaf))).ok()) << "5000 siblings";
  }
  {
    cbor::MapEntries e;
    e.emplace_back(cbor::Value::text("s"), cbor::Value::array({}));
    e.emplace_back(cbor::Value::text("t"), cbor::Value::null());
    e.emplace_back(cbor::Value::text("x"), cbor::Value::uint(1));
    expect_rejected(cbor::Value::map(std::move(e)), "unknown field");
  }
  {
    cbor::MapEntries e;
    e.emplace_back(cbor::Value::text("s"), cbor::Value::array({}));
    expect_rejected(cbor::Value::map(std::move(e)), "missing terminal");
  }
  {
    cbor::MapEntries e;
    e.emplace_back(cbor::Value::text("t"), cbor::Value::null());
    expect_rejected(cbor::Value::map(std::move(e)), "missing siblings");
  }
  expect_rejected(cbor::Value::array({}), "not a map");
  expect_rejected(proof_value({cbor::Value::text("abc")}, cbor::Value::null()), "text sibling");
  expect_rejected(proof_value({}, cbor::Value::array({hash_value(h)})), "terminal of one hash");
  expect_rejected(proof_value({}, cbor::Value::array({hash_value(h), hash_value(h), hash_value(h)})),
                  "terminal of three hashes");
  expect_rejected(proof_value({}, cbor::Value::uint(0)), "terminal not an array");
  expect_rejected(proof_value({}, cbor::Value::boolean(false)), "terminal false");
  {
    cbor::MapEntries e;
    e.emplace_back(cbor::Value::text("s"), hash_value(h));
    e.emplace_back(cbor::Value::text("t"), cbor::Value::null());
    expect_rejected(cbor::Value::map(std::move(e)), "siblings not an array");
  }

  // Not CBOR, truncated, trailing bytes.
  Bytes good = encode_proof(Tree().prove_key("k"));
  EXPECT_FALSE(decode_proof(Bytes{}).ok());
  EXPECT_FALSE(decode_proof(Bytes{0xff}).ok());
  Bytes truncated = encode_proof(make_tree(10).prove_key("key-1"));
  truncated.pop_back();
  EXPECT_FALSE(decode_proof(truncated).ok());
  Bytes trailing = good;
  trailing.push_back(0x00);
  EXPECT_FALSE(decode_proof(trailing).ok());
}

}  // namespace
}  // namespace trustmesh::store
