// Sparse Merkle tree hashing, proof verification and the proof wire form (see
// proof.h). Depends on core/ only, so light clients can link it without RocksDB.
//
// Invariants kept here:
//  * the three node hashes are domain-separated (0x00 leaf, 0x01 internal,
//    empty = 32 zero bytes), so a leaf can never pass for an internal node;
//  * a proof is accepted only if it folds to the expected root, has at most
//    kMaxTreeDepth siblings and its terminal is of the kind the check asks for:
//    a membership proof never verifies as non-membership and vice versa;
//  * decode_proof accepts exactly what encode_proof produces (strict CBOR,
//    known fields only, 32-byte hashes), and never more than 256 siblings.
#include "store/proof.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/cbor.h"
#include "core/hash.h"

namespace trustmesh::store {

namespace {

Hash32 hash_tagged(uint8_t tag, const Hash32& x, const Hash32& y) {
  uint8_t buf[65];
  buf[0] = tag;
  std::memcpy(buf + 1, x.data(), 32);
  std::memcpy(buf + 33, y.data(), 32);
  return sha256(ByteView(buf, sizeof(buf)));
}

// True iff a and b agree on their first `bits` bits (bits <= 256).
bool share_prefix(const Hash32& a, const Hash32& b, size_t bits) {
  TM_ASSERT(bits <= kMaxTreeDepth);
  size_t full = bits / 8;
  if (!std::equal(a.begin(), a.begin() + full, b.begin())) return false;
  size_t rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

Status check_shape(const Proof& p) {
  if (p.siblings.size() > kMaxTreeDepth) {
    return make_error(ErrorCode::kMalformed, "proof has " + std::to_string(p.siblings.size()) +
                                                 " siblings, more than the tree depth " +
                                                 std::to_string(kMaxTreeDepth));
  }
  return Status::Ok();
}

Status check_root(const Hash32& root, const Hash32& key_hash, const Proof& p) {
  if (proof_root(key_hash, p) != root) {
    return make_error(ErrorCode::kInvalidArgument, "proof does not match root");
  }
  return Status::Ok();
}

Result<Hash32> hash_field(const cbor::Value& v, const char* what) {
  if (!v.is_bytes()) {
    return make_error(ErrorCode::kMalformed, std::string("proof: ") + what + " must be a byte string, got " +
                                                 std::string(cbor::type_name(v.type())));
  }
  ByteView b = v.bytes_view();
  if (b.size() != 32) {
    return make_error(ErrorCode::kMalformed,
                      std::string("proof: ") + what + " must be 32 bytes, got " + std::to_string(b.size()));
  }
  Hash32 h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

}  // namespace

Hash32 empty_hash() {
  return Hash32{};
}

Hash32 leaf_hash(const Hash32& key_hash, const Hash32& value_hash) {
  return hash_tagged(0x00, key_hash, value_hash);
}

Hash32 internal_hash(const Hash32& left, const Hash32& right) {
  return hash_tagged(0x01, left, right);
}

bool key_bit(const Hash32& key_hash, size_t depth) {
  TM_ASSERT(depth < kMaxTreeDepth);
  return ((key_hash[depth / 8] >> (7 - depth % 8)) & 1) != 0;
}

Hash32 tree_key(ByteView state_key) {
  return sha256(state_key);
}
Hash32 value_digest(ByteView value) {
  return sha256(value);
}

Hash32 proof_root(const Hash32& key_hash, const Proof& p) {
  // Callers holding untrusted proofs go through decode_proof or verify_*,
  // which reject deeper proofs before getting here.
  TM_ASSERT(p.siblings.size() <= kMaxTreeDepth);
  Hash32 h = p.terminal ? leaf_hash(p.terminal->key_hash, p.terminal->value_hash) : empty_hash();
  for (size_t i = p.siblings.size(); i-- > 0;) {
    h = key_bit(key_hash, i) ? internal_hash(p.siblings[i], h) : internal_hash(h, p.siblings[i]);
  }
  return h;
}

Status verify_membership(const Hash32& root, ByteView state_key, ByteView value, const Proof& p) {
  TM_TRY(check_shape(p));
  if (!p.terminal) {
    return make_error(ErrorCode::kInvalidArgument, "proof shows the key is absent");
  }
  Hash32 k = tree_key(state_key);
  if (p.terminal->key_hash != k) {
    return make_error(ErrorCode::kInvalidArgument, "proof is for a different key");
  }
  if (p.terminal->value_hash != value_digest(value)) {
    return make_error(ErrorCode::kInvalidArgument, "proof is for a different value");
  }
  return check_root(root, k, p);
}

Status verify_non_membership(const Hash32& root, ByteView state_key, const Proof& p) {
  TM_TRY(check_shape(p));
  Hash32 k = tree_key(state_key);
  if (p.terminal) {
    if (p.terminal->key_hash == k) {
      return make_error(ErrorCode::kInvalidArgument, "proof shows the key is present");
    }
    if (!share_prefix(p.terminal->key_hash, k, p.siblings.size())) {
      return make_error(ErrorCode::kInvalidArgument, "proof terminal leaf is not on the key's path");
    }
  }
  return check_root(root, k, p);
}

Bytes encode_proof(const Proof& p) {
  TM_ASSERT(p.siblings.size() <= kMaxTreeDepth);
  cbor::Array sibs;
  sibs.reserve(p.siblings.size());
  for (const Hash32& s : p.siblings) sibs.push_back(cbor::Value::bytes(ByteView(s)));
  cbor::Value terminal;  // null = empty subtree
  if (p.terminal) {
    terminal = cbor::Value::array({cbor::Value::bytes(ByteView(p.terminal->key_hash)),
                                   cbor::Value::bytes(ByteView(p.terminal->value_hash))});
  }
  cbor::MapEntries entries;
  entries.emplace_back(cbor::Value::text("s"), cbor::Value::array(std::move(sibs)));
  entries.emplace_back(cbor::Value::text("t"), std::move(terminal));
  return cbor::encode(cbor::Value::map(std::move(entries)));
}

Result<Proof> decode_proof(ByteView data) {
  // A maximal proof is 1 map + 2 keys + 1 array + 256 siblings + 3 terminal
  // items; the item limit keeps hostile inputs from costing more than that.
  cbor::DecodeLimits limits;
  limits.max_depth = 4;
  limits.max_items = 2 * kMaxTreeDepth + 16;
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(data, limits));
  TM_ASSIGN_OR_RETURN(cbor::MapReader r, cbor::MapReader::of(v, "proof"));

  Proof p;
  TM_ASSIGN_OR_RETURN(const cbor::Value* s, r.get("s"));
  if (!s->is_array()) {
    return make_error(ErrorCode::kMalformed,
                      "proof: field \"s\" must be an array, got " + std::string(cbor::type_name(s->type())));
  }
  const cbor::Array& items = s->array_items();
  if (items.size() > kMaxTreeDepth) {
    return make_error(ErrorCode::kMalformed, "proof has " + std::to_string(items.size()) +
                                                 " siblings, more than the tree depth " +
                                                 std::to_string(kMaxTreeDepth));
  }
  p.siblings.reserve(items.size());
  for (const cbor::Value& item : items) {
    TM_ASSIGN_OR_RETURN(Hash32 h, hash_field(item, "sibling"));
    p.siblings.push_back(h);
  }

  TM_ASSIGN_OR_RETURN(const cbor::Value* t, r.get("t"));
  if (!t->is_null()) {
    if (!t->is_array() || t->array_items().size() != 2) {
      return make_error(ErrorCode::kMalformed, "proof: field \"t\" must be null or [key hash, value hash]");
    }
    ProofLeaf leaf;
    TM_ASSIGN_OR_RETURN(leaf.key_hash, hash_field(t->array_items()[0], "terminal key hash"));
    TM_ASSIGN_OR_RETURN(leaf.value_hash, hash_field(t->array_items()[1], "terminal value hash"));
    p.terminal = leaf;
  }
  TM_TRY(r.finish());
  return p;
}

}  // namespace trustmesh::store
