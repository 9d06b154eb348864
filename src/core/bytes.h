// Byte strings and their hex text form, plus big-endian integer helpers.
//
// Bytes is a plain std::vector<uint8_t>; Hash32 is a fixed 32-byte digest
// (SHA-256 output, Merkle node hashes). Hex is lowercase on output and accepts
// either case on input; odd length or a non-hex character is an error.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace trustmesh {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using Hash32 = std::array<uint8_t, 32>;

std::string to_hex(ByteView data);
Result<Bytes> from_hex(std::string_view hex);
// Parses exactly 64 hex characters.
Result<Hash32> hash32_from_hex(std::string_view hex);

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline Bytes to_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}
inline Bytes to_bytes(ByteView v) {
  return Bytes(v.begin(), v.end());
}
inline std::string to_string(ByteView v) {
  return std::string(v.begin(), v.end());
}

inline void append(Bytes& out, ByteView data) {
  out.insert(out.end(), data.begin(), data.end());
}
void append_u32_be(Bytes& out, uint32_t v);
void append_u64_be(Bytes& out, uint64_t v);
uint64_t read_u64_be(ByteView in);  // in.size() must be 8 (asserted)

// Constant-time comparison for secrets (MACs).
bool equal_ct(ByteView a, ByteView b);

}  // namespace trustmesh
