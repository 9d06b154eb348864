// Hex encoding and big-endian helpers; see bytes.h.
#include "core/bytes.h"

namespace trustmesh {

std::string to_hex(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return make_error(ErrorCode::kMalformed, "hex string has odd length " + std::to_string(hex.size()));
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error(ErrorCode::kMalformed,
                        "non-hex character at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

Result<Hash32> hash32_from_hex(std::string_view hex) {
  if (hex.size() != 64) {
    return make_error(ErrorCode::kMalformed, "expected 64 hex characters, got " + std::to_string(hex.size()));
  }
  TM_ASSIGN_OR_RETURN(Bytes b, from_hex(hex));
  Hash32 h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

void append_u32_be(Bytes& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void append_u64_be(Bytes& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t read_u64_be(ByteView in) {
  TM_ASSERT(in.size() == 8);
  uint64_t v = 0;
  for (uint8_t b : in) v = (v << 8) | b;
  return v;
}

bool equal_ct(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  uint8_t acc = 0;
  for (size_t i = 0; i < a.size(); ++i) acc |= static_cast<uint8_t>(a[i] ^ b[i]);
  return acc == 0;
}

}  // namespace trustmesh
