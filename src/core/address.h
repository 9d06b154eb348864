// Account addresses: the first 20 bytes of SHA-256(PublicKey::encoded()),
// shown as Bech32m text (BIP-350) with human-readable part "tm": "tm1", the
// 20 bytes as 32 characters, then a 6-character checksum (41 characters, e.g.
// "tm17g9mtf2pkgd28sz76qjh8h320aqdzmemwlj4w2"). The checksum detects any
// single typo and any error in up to 4 characters; mixed case is rejected,
// all-uppercase is accepted, output is lowercase. All errors are kBadAddress.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/keys.h"

namespace trustmesh {

constexpr size_t kAddressSize = 20;

class Address {
 public:
  Address() { bytes_.fill(0); }
  static Address of(const PublicKey& key);
  static Result<Address> from_bytes(ByteView raw);      // exactly 20 bytes
  static Result<Address> parse(std::string_view text);  // Bech32m "tm1..."

  std::string to_string() const;
  const std::array<uint8_t, kAddressSize>& bytes() const { return bytes_; }
  ByteView view() const { return {bytes_.data(), bytes_.size()}; }

  auto operator<=>(const Address&) const = default;
  bool operator==(const Address&) const = default;

 private:
  std::array<uint8_t, kAddressSize> bytes_;
};

// Generic Bech32m over an 8-bit payload (regrouped into 5-bit characters,
// zero-padded). The 5-bit level is in core/bech32.h. hrp must be non-empty
// printable ASCII without spaces (asserted).
std::string bech32m_encode(std::string_view hrp, ByteView data8);
// Returns the 8-bit payload; checks hrp matches expected_hrp (lowercase) and
// that the padding is canonical (at most 4 zero bits).
Result<Bytes> bech32m_decode(std::string_view text, std::string_view expected_hrp);

}  // namespace trustmesh
