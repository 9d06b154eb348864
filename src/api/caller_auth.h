// Who is asking: signed HTTP requests (docs/API.md, "Access domains").
//
// A request may carry
//   Authorization: TM-Sig key=<hex of PublicKey::encoded()>, ts=<unix seconds>, sig=<hex>
// where sig is the key's signature (core/keys.h; P-256 or Ed25519) over
// SHA-256 of request_auth_text(): "trustmesh-request-v1\n" chain_id "\n"
// METHOD "\n" target "\n" ts, target being the path with its query exactly
// as sent. The caller is then Address::of(key). No header: anonymous.
//
// Invariants: these are pure functions (the clock is an argument); a header
// is accepted only if it parses exactly (three fields, in this order, lower
// hex, decimal ts), the key decodes, ts is within kAuthSkewSeconds of `now`
// and the signature verifies for this chain, method and target, so a
// signature cannot be replayed on another chain, endpoint or (beyond the
// window) time. Every refusal is kUnauthenticated saying why. The signer
// half is here too (the CLI and tests include this header; it needs only core).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/address.h"
#include "core/keys.h"

namespace trustmesh::api {

inline constexpr std::string_view kAuthScheme = "TM-Sig";
inline constexpr uint64_t kAuthSkewSeconds = 300;

// The text whose SHA-256 is signed.
std::string request_auth_text(std::string_view chain_id, std::string_view method, std::string_view target,
                              uint64_t ts);

// The Authorization header value for a request (method e.g. "GET").
Result<std::string> sign_request(const KeyPair& key, std::string_view chain_id, std::string_view method,
                                 std::string_view target, uint64_t ts);

// Verifies a header value; the caller's address, or kUnauthenticated with the reason.
Result<Address> verify_request(std::string_view header, std::string_view chain_id, std::string_view method,
                               std::string_view target, uint64_t now);

}  // namespace trustmesh::api
