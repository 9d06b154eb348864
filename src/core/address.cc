// Account addresses: 20-byte SHA-256 prefix of a public key's encoded form,
// as Bech32m text with hrp "tm"; see address.h.
//
// Invariants: to_string() output is lowercase and parse(to_string()) returns
// the same address; parse accepts only a valid Bech32m string (all lowercase or
// all uppercase) whose hrp is "tm" and whose payload is exactly 20 bytes.
#include "core/address.h"

#include <algorithm>

#include "core/bech32.h"
#include "core/hash.h"

namespace trustmesh {
namespace {
constexpr std::string_view kHrp = "tm";
}  // namespace

Address Address::of(const PublicKey& key) {
  Hash32 h = sha256(key.encoded());
  Address a;
  std::copy_n(h.begin(), kAddressSize, a.bytes_.begin());
  return a;
}

Result<Address> Address::from_bytes(ByteView raw) {
  if (raw.size() != kAddressSize) {
    return make_error(ErrorCode::kBadAddress, "address must be " + std::to_string(kAddressSize) +
                                                  " bytes, got " + std::to_string(raw.size()));
  }
  Address a;
  std::copy(raw.begin(), raw.end(), a.bytes_.begin());
  return a;
}

namespace {

// "invalid address 'tm1...': " -- quoting the input only when it is short,
// printable text, so messages never carry control bytes or huge strings.
std::string invalid_prefix(std::string_view text) {
  bool printable = text.size() <= bech32::kMaxLength &&
                   std::all_of(text.begin(), text.end(), [](char c) { return c >= 32 && c <= 126; });
  return printable ? "invalid address '" + std::string(text) + "': " : std::string("invalid address: ");
}

}  // namespace

Result<Address> Address::parse(std::string_view text) {
  auto payload = bech32m_decode(text, kHrp);
  if (!payload.ok())
    return make_error(ErrorCode::kBadAddress, invalid_prefix(text) + payload.error().message);
  if (payload->size() != kAddressSize) {
    return make_error(ErrorCode::kBadAddress, invalid_prefix(text) + "payload is " +
                                                  std::to_string(payload->size()) + " bytes, expected 20");
  }
  return from_bytes(*payload);
}

std::string Address::to_string() const {
  return bech32m_encode(kHrp, view());
}

}  // namespace trustmesh
