// OpenSSL helpers shared by the x509 files (core/ only; not a public API).
#pragma once

#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/bytes.h"

namespace trustmesh::x509::detail {

Hash32 name_hash(const X509_NAME* name);       // SHA-256 of the Name's DER
std::string name_text(const X509_NAME* name);  // RFC 2253, one line
Result<int64_t> seconds(const ASN1_TIME* t);   // kMalformed if it does not parse
Bytes serial_bytes(const ASN1_INTEGER* serial);

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
// Exactly one DER certificate of at most kMaxCertDer bytes (kMalformed / kTooLarge).
Result<X509Ptr> decode(ByteView der);

}  // namespace trustmesh::x509::detail
