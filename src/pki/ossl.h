// OpenSSL ownership and small file helpers shared by the pki/ sources (not
// part of the layer's interface: only pki/*.cc include it).
//
// Invariants: every *Ptr frees with its type's own OpenSSL free function;
// decode_x509 accepts exactly one DER certificate with nothing after it.
#pragma once

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace trustmesh::pki::detail {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using X509Ptr = std::unique_ptr<X509, Free<X509, X509_free>>;
using RequestPtr = std::unique_ptr<OCSP_REQUEST, Free<OCSP_REQUEST, OCSP_REQUEST_free>>;
using BasicPtr = std::unique_ptr<OCSP_BASICRESP, Free<OCSP_BASICRESP, OCSP_BASICRESP_free>>;
using ResponsePtr = std::unique_ptr<OCSP_RESPONSE, Free<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using CertIdPtr = std::unique_ptr<OCSP_CERTID, Free<OCSP_CERTID, OCSP_CERTID_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, Free<ASN1_TIME, ASN1_TIME_free>>;

// The certificate in exactly these DER bytes; null if they are not one.
X509Ptr decode_x509(ByteView der);

// A whole (small) text file; kIo naming the path when it cannot be read.
Result<std::string> read_text_file(const std::string& path);

}  // namespace trustmesh::pki::detail
