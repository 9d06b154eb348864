// Bech32m (BIP-350) encoding and decoding; see bech32.h. This is an encoding
// with an error-detecting checksum (a BCH code over GF(32)), not cryptography.
//
// Invariants: decode never reads outside its input, rejects every string
// BIP-350 rejects, and reports one specific reason per failure.
#include "core/bech32.h"

#include <array>

#include "core/address.h"

namespace trustmesh::bech32 {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr uint32_t kBech32mConst = 0x2bc830a3;

// Character -> 5-bit value, -1 when not in the charset (lowercase only).
constexpr auto kRev = [] {
  std::array<int8_t, 128> rev{};
  rev.fill(-1);
  for (int i = 0; i < 32; ++i) rev[static_cast<uint8_t>(kCharset[i])] = static_cast<int8_t>(i);
  return rev;
}();

uint32_t polymod_step(uint32_t chk, uint8_t value) {
  static constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t top = chk >> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (int i = 0; i < 5; ++i) {
    if ((top >> i) & 1) chk ^= kGen[i];
  }
  return chk;
}

// polymod(hrp_expand(hrp) + data5) with the initial value 1.
uint32_t checksum_state(std::string_view hrp, ByteView data5) {
  uint32_t chk = 1;
  for (char c : hrp) chk = polymod_step(chk, static_cast<uint8_t>(c) >> 5);
  chk = polymod_step(chk, 0);
  for (char c : hrp) chk = polymod_step(chk, static_cast<uint8_t>(c) & 31);
  for (uint8_t v : data5) chk = polymod_step(chk, v);
  return chk;
}

Error bad(std::string message) {
  return make_error(ErrorCode::kBadAddress, std::move(message));
}

}  // namespace

std::string encode(std::string_view hrp, ByteView data5) {
  TM_ASSERT(!hrp.empty());
  std::string out;
  out.reserve(hrp.size() + 1 + data5.size() + kChecksumLength);
  for (char c : hrp) {
    TM_ASSERT(c >= 33 && c <= 126);
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  out.push_back('1');
  uint32_t chk = checksum_state(std::string_view(out).substr(0, hrp.size()), data5);
  for (uint8_t v : data5) {
    TM_ASSERT(v < 32);
    out.push_back(kCharset[v]);
  }
  for (size_t i = 0; i < kChecksumLength; ++i) chk = polymod_step(chk, 0);
  chk ^= kBech32mConst;
  for (size_t i = 0; i < kChecksumLength; ++i) out.push_back(kCharset[(chk >> (5 * (5 - i))) & 31]);
  return out;
}

Result<Decoded> decode(std::string_view text) {
  if (text.size() > kMaxLength) {
    return bad("Bech32m string is " + std::to_string(text.size()) + " characters; the maximum is 90");
  }
  bool lower = false;
  bool upper = false;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 33 || c > 126)
      return bad("invalid character (byte " + std::to_string(c) + ") at position " + std::to_string(i));
    lower |= c >= 'a' && c <= 'z';
    upper |= c >= 'A' && c <= 'Z';
  }
  if (lower && upper) return bad("mixed upper and lower case; write the address in one case");
  size_t sep = text.rfind('1');
  if (sep == std::string_view::npos) return bad("missing the '1' separator");
  if (sep == 0) return bad("empty human-readable part before '1'");
  if (text.size() - sep - 1 < kChecksumLength)
    return bad("data part is shorter than the 6-character checksum");

  Decoded out;
  out.hrp.reserve(sep);
  for (size_t i = 0; i < sep; ++i) {
    char c = text[i];
    out.hrp.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  Bytes data5;
  data5.reserve(text.size() - sep - 1);
  for (size_t i = sep + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    int8_t v = kRev[static_cast<unsigned char>(c)];
    if (v < 0)
      return bad(std::string("invalid data character '") + text[i] + "' at position " + std::to_string(i));
    data5.push_back(static_cast<uint8_t>(v));
  }
  if (checksum_state(out.hrp, data5) != kBech32mConst) {
    return bad("checksum mismatch: the text has a typo or is not Bech32m");
  }
  data5.resize(data5.size() - kChecksumLength);
  out.data5 = std::move(data5);
  return out;
}

Bytes to_5bit(ByteView data8) {
  Bytes out;
  out.reserve((data8.size() * 8 + 4) / 5);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : data8) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0) out.push_back(static_cast<uint8_t>((acc << (5 - bits)) & 31));
  return out;
}

Result<Bytes> to_8bit(ByteView data5) {
  Bytes out;
  out.reserve(data5.size() * 5 / 8);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t v : data5) {
    if (v >= 32) return bad("5-bit value out of range");
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 5) return bad("data part has an incomplete byte (too many padding bits)");
  if (((acc << (8 - bits)) & 0xff) != 0) return bad("data part has non-zero padding bits");
  return out;
}

}  // namespace trustmesh::bech32

namespace trustmesh {

std::string bech32m_encode(std::string_view hrp, ByteView data8) {
  return bech32::encode(hrp, bech32::to_5bit(data8));
}

Result<Bytes> bech32m_decode(std::string_view text, std::string_view expected_hrp) {
  TM_ASSIGN_OR_RETURN(bech32::Decoded d, bech32::decode(text));
  if (d.hrp != expected_hrp) {
    return make_error(ErrorCode::kBadAddress,
                      "wrong prefix '" + d.hrp + "'; expected '" + std::string(expected_hrp) + "1...'");
  }
  return bech32::to_8bit(d.data5);
}

}  // namespace trustmesh
