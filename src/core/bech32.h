// Internal to src/core (and its tests): the generic Bech32m codec of BIP-350,
// working on 5-bit values. Address text and the 8-bit helpers in address.h
// are built on it.
//
// Invariants: encode output is lowercase and always decodes back to the same
// hrp and data; decode accepts exactly the strings BIP-350 calls valid
// Bech32m (length <= 90, ASCII 33..126, not mixed case, last '1' separates a
// non-empty hrp from >= 6 data characters, checksum constant 0x2bc830a3).
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.h"

namespace trustmesh::bech32 {

constexpr size_t kMaxLength = 90;
constexpr size_t kChecksumLength = 6;

struct Decoded {
  std::string hrp;  // lowercased
  Bytes data5;      // 5-bit values, checksum removed
};

// Preconditions (asserted): hrp is non-empty ASCII 33..126, data5 values are
// < 32. The hrp is lowercased. The result exceeds kMaxLength (and so will not
// decode) if hrp.size() + data5.size() > 83.
std::string encode(std::string_view hrp, ByteView data5);
// Any hrp; kBadAddress with the reason on failure.
Result<Decoded> decode(std::string_view text);

// Regroups bits (BIP-173 convertbits). 8 -> 5 pads the tail with zero bits.
// 5 -> 8 fails (kBadAddress) on more than 4 padding bits or non-zero padding.
Bytes to_5bit(ByteView data8);
Result<Bytes> to_8bit(ByteView data5);

}  // namespace trustmesh::bech32
