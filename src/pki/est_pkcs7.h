// PKCS#7 "certs-only" messages (RFC 7030 section 4.1.3 and 4.2.3: a
// degenerate SignedData with no signers and no content, carrying
// certificates): what cacerts and simpleenroll answer, as
// "application/pkcs7-mime; smime-type=certs-only", base64.
//
// Invariants: encode keeps the certificates in the order given; decode
// accepts exactly one DER ContentInfo of type signedData with at least one
// certificate and returns their DER in order. All via OpenSSL's PKCS7 API.
#pragma once

#include <vector>

#include "core/bytes.h"

namespace trustmesh::pki {

inline constexpr const char* kCertsOnlyType = "application/pkcs7-mime; smime-type=certs-only";

Result<Bytes> certs_only_encode(const std::vector<Bytes>& certs);
Result<std::vector<Bytes>> certs_only_decode(ByteView der);

}  // namespace trustmesh::pki
