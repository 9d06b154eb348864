// Deterministic CBOR encoder (RFC 8949 §4.2.1); see cbor.h.
//
// Invariants: heads use the shortest argument form; map entries are emitted in
// bytewise order of their encoded keys; two equal keys in one map abort
// (TM_ASSERT) because a map with duplicate keys has no valid encoding; nesting
// deeper than kMaxDepth aborts, which bounds the recursion.
#include <algorithm>

#include "core/cbor_internal.h"

namespace trustmesh::cbor {
namespace internal {

void put_head(Bytes& out, uint8_t major, uint64_t arg) {
  const auto m = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out.push_back(static_cast<uint8_t>(m | arg));
  } else if (arg <= 0xff) {
    out.push_back(m | 24);
    out.push_back(static_cast<uint8_t>(arg));
  } else if (arg <= 0xffff) {
    out.push_back(m | 25);
    out.push_back(static_cast<uint8_t>(arg >> 8));
    out.push_back(static_cast<uint8_t>(arg));
  } else if (arg <= 0xffffffff) {
    out.push_back(m | 26);
    append_u32_be(out, static_cast<uint32_t>(arg));
  } else {
    out.push_back(m | 27);
    append_u64_be(out, arg);
  }
}

std::vector<EncodedEntry> sorted_entries(const MapEntries& entries, size_t depth) {
  std::vector<EncodedEntry> sorted;
  sorted.reserve(entries.size());
  for (const auto& [k, v] : entries) {
    EncodedEntry e{{}, &k, &v};
    encode_at(e.key, k, depth);
    sorted.push_back(std::move(e));
  }
  // Bytes is std::vector<uint8_t>, whose operator< is bytewise lexicographic
  // on unsigned bytes: exactly the RFC 8949 §4.2.1 order.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const EncodedEntry& a, const EncodedEntry& b) { return a.key < b.key; });
  return sorted;
}

void encode_at(Bytes& out, const Value& v, size_t depth) {
  switch (v.type()) {
    case Type::kUint: put_head(out, 0, *v.as_uint()); return;
    case Type::kNegInt: put_head(out, 1, v.negative_argument()); return;
    case Type::kBytes: {
      ByteView b = v.bytes_view();
      put_head(out, 2, b.size());
      append(out, b);
      return;
    }
    case Type::kText: {
      std::string_view t = v.text_view();
      put_head(out, 3, t.size());
      append(out, as_bytes(t));
      return;
    }
    case Type::kArray: {
      TM_ASSERT(depth < kMaxDepth);
      const Array& items = v.array_items();
      put_head(out, 4, items.size());
      for (const Value& item : items) encode_at(out, item, depth + 1);
      return;
    }
    case Type::kMap: {
      TM_ASSERT(depth < kMaxDepth);
      const std::vector<EncodedEntry> sorted = sorted_entries(v.map_entries(), depth + 1);
      put_head(out, 5, sorted.size());
      for (size_t i = 0; i < sorted.size(); ++i) {
        TM_ASSERT(i == 0 || sorted[i - 1].key != sorted[i].key);  // duplicate map key
        append(out, sorted[i].key);
        encode_at(out, *sorted[i].value, depth + 1);
      }
      return;
    }
    case Type::kBool: out.push_back(*v.as_bool() ? 0xf5 : 0xf4); return;
    case Type::kNull: out.push_back(0xf6); return;
  }
  TM_ASSERT(false && "unknown cbor::Type");
}

}  // namespace internal

void encode_to(Bytes& out, const Value& v) {
  internal::encode_at(out, v, 0);
}

Bytes encode(const Value& v) {
  Bytes out;
  encode_to(out, v);
  return out;
}

}  // namespace trustmesh::cbor
