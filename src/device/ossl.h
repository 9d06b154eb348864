// OpenSSL glue for the device layer: owning pointers for OpenSSL objects and
// the conversions between core's KeyPair/PublicKey and EVP_PKEY (through
// their DER forms, so core keeps its key type private).
//
// Invariants: every pointer returned here owns its object (freed by its
// deleter); a conversion either yields a key equal to its input or an Error.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/keys.h"

namespace trustmesh::device {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

Result<EvpPkeyPtr> evp_private(const KeyPair& key);
Result<EvpPkeyPtr> evp_public(const PublicKey& key);
Result<X509Ptr> parse_x509(ByteView der);  // kMalformed unless exactly one DER certificate
Result<Bytes> x509_der(X509* cert);

// The text of OpenSSL's most recent error (and clears the queue), for messages.
std::string openssl_error();

}  // namespace trustmesh::device
