// Base64 as EST (RFC 7030 section 4) carries it: request and response bodies
// are base64 DER, "Content-Transfer-Encoding: base64", with or without line
// breaks. Uses OpenSSL's EVP base64 codec (no hand-rolled encoder).
//
// Invariants: decode accepts only the base64 alphabet, '=' padding at the end
// and whitespace (CR, LF, space, tab) anywhere; anything else, a wrong length
// or an empty body is kMalformed. encode writes 64-character lines ending in
// LF (not CRLF: `base64 -d` of GNU coreutils, the RFC's client, refuses CR).
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.h"

namespace trustmesh::pki {

inline constexpr size_t kMaxEstBody = 64 * 1024;  // base64 text accepted in a request

Result<Bytes> base64_decode(std::string_view text);
std::string base64_encode(ByteView data);

}  // namespace trustmesh::pki
