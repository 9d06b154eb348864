// Sparse Merkle tree hashing and proof verification.
//
// This file and proof.cc depend only on core/ (SHA-256, CBOR) so that light
// clients, devices and gateways can link them without RocksDB.
//
// The tree: keys are 256-bit (key_hash = SHA-256(state key)), bit i of a key is
// bit (7 - i%8) of byte i/8 (most significant first); bit 0 chooses the root's
// child (0 = left). The tree is "compacted": a subtree holding exactly one key
// is represented by that key's leaf, placed at the shallowest depth where it is
// alone; an empty subtree is the all-zero hash. Hence the root is a function
// of the key/value set only (history-independent).
//
//   empty            = 32 zero bytes
//   leaf(k, v)       = SHA-256(0x00 || k || v)      k = key_hash, v = SHA-256(value)
//   internal(l, r)   = SHA-256(0x01 || l || r)
//
// A proof for key k under root R lists the sibling hashes from the root down
// (siblings[i] is the sibling at depth i+1, i.e. on the other side of bit i of
// k) and a terminal: the subtree at depth siblings.size() on k's path, which is
//   * the leaf of k itself        -> membership (with k's value hash),
//   * empty                       -> non-membership,
//   * the leaf of another key k'  -> non-membership; k' must share k's first
//                                    siblings.size() bits and differ from k.
// Wire form (CBOR): {"s": [bstr32...], "t": null | [bstr32 k', bstr32 v']}.
#pragma once

#include <optional>
#include <vector>

#include "core/bytes.h"

namespace trustmesh::store {

constexpr size_t kMaxTreeDepth = 256;

Hash32 empty_hash();
Hash32 leaf_hash(const Hash32& key_hash, const Hash32& value_hash);
Hash32 internal_hash(const Hash32& left, const Hash32& right);
bool key_bit(const Hash32& key_hash, size_t depth);  // depth < 256

Hash32 tree_key(ByteView state_key);  // SHA-256(state key)
Hash32 value_digest(ByteView value);  // SHA-256(value)

struct ProofLeaf {
  Hash32 key_hash;
  Hash32 value_hash;
  bool operator==(const ProofLeaf&) const = default;
};

struct Proof {
  std::vector<Hash32> siblings;       // root side first
  std::optional<ProofLeaf> terminal;  // nullopt = empty subtree
  bool operator==(const Proof&) const = default;
};

Bytes encode_proof(const Proof& p);
Result<Proof> decode_proof(ByteView data);  // strict; rejects > 256 siblings

// The root this proof implies for its terminal. Requires at most kMaxTreeDepth
// siblings (asserted); decode_proof and verify_* check that first.
Hash32 proof_root(const Hash32& key_hash, const Proof& p);

// OK iff `state_key` maps to `value` in the tree with root `root`.
Status verify_membership(const Hash32& root, ByteView state_key, ByteView value, const Proof& p);
// OK iff `state_key` is absent from the tree with root `root`.
Status verify_non_membership(const Hash32& root, ByteView state_key, const Proof& p);

}  // namespace trustmesh::store
