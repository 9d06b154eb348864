// Helpers shared by the cbor_*.cc files; not part of the public API (include
// core/cbor.h instead).
//
// Invariants: every function here is total (no input makes it read out of
// bounds), and the encoding helpers produce exactly the bytes the public
// encoder emits, so "sorted by encoded key" means the same thing everywhere.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/cbor.h"

namespace trustmesh::cbor::internal {

inline constexpr size_t kUtf8Valid = static_cast<size_t>(-1);

// Offset of the first byte of the first ill-formed UTF-8 sequence in s
// (overlong forms, surrogates, code points above U+10FFFF, stray or missing
// continuation bytes), or kUtf8Valid if s is well-formed.
size_t utf8_error_offset(std::string_view s);

// Appends the shortest head (initial byte plus argument) for major type 0..7.
void put_head(Bytes& out, uint8_t major, uint64_t arg);

// Canonical encoding of v, whose outermost container sits at nesting level
// depth + 1 (asserted <= kMaxDepth).
void encode_at(Bytes& out, const Value& v, size_t depth);

// A map entry with its key's encoding, for sorting.
struct EncodedEntry {
  Bytes key;
  const Value* key_value;
  const Value* value;
};

// Entries in canonical order: bytewise lexicographic on the encoded keys.
// Duplicate keys end up adjacent (the caller decides whether that is fatal).
std::vector<EncodedEntry> sorted_entries(const MapEntries& entries, size_t depth);

// "-1 - n" in decimal for a negative argument n, e.g. 0 -> "-1" and
// 2^64-1 -> "-18446744073709551616".
std::string negative_decimal(uint64_t n);

}  // namespace trustmesh::cbor::internal
