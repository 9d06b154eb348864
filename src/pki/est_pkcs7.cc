// PKCS#7 certs-only encoding; see est_pkcs7.h.
#include "pki/est_pkcs7.h"

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <memory>

namespace trustmesh::pki {

namespace {

struct P7Free {
  void operator()(PKCS7* p) const { PKCS7_free(p); }
};
using P7Ptr = std::unique_ptr<PKCS7, P7Free>;

}  // namespace

Result<Bytes> certs_only_encode(const std::vector<Bytes>& certs) {
  if (certs.empty())
    return make_error(ErrorCode::kInvalidArgument, "a certs-only message needs a certificate");
  P7Ptr p7(PKCS7_new());
  // A degenerate SignedData: version 1, no digest algorithms, no signers, empty data content.
  bool ok = p7 && PKCS7_set_type(p7.get(), NID_pkcs7_signed) == 1 &&
            PKCS7_content_new(p7.get(), NID_pkcs7_data) == 1;
  for (const Bytes& der : certs) {
    if (!ok) break;
    const unsigned char* p = der.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (!x || p != der.data() + der.size()) {
      X509_free(x);
      return make_error(ErrorCode::kMalformed, "a certificate for the certs-only message does not parse");
    }
    ok = PKCS7_add_certificate(p7.get(), x) == 1;  // takes its own reference
    X509_free(x);
  }
  unsigned char* out = nullptr;
  const int n = ok ? i2d_PKCS7(p7.get(), &out) : -1;
  if (n <= 0) return make_error(ErrorCode::kCryptoFailure, "encoding the PKCS#7 certs-only message failed");
  Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

Result<std::vector<Bytes>> certs_only_decode(ByteView der) {
  const unsigned char* p = der.data();
  P7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!p7 || p != der.data() + der.size() || !PKCS7_type_is_signed(p7.get()) || !p7->d.sign)
    return make_error(ErrorCode::kMalformed, "not one DER PKCS#7 SignedData");
  STACK_OF(X509)* certs = p7->d.sign->cert;
  std::vector<Bytes> out;
  for (int i = 0; certs && i < sk_X509_num(certs); ++i) {
    unsigned char* d = nullptr;
    const int n = i2d_X509(sk_X509_value(certs, i), &d);
    if (n <= 0)
      return make_error(ErrorCode::kMalformed, "a certificate in the PKCS#7 message does not encode");
    out.emplace_back(d, d + n);
    OPENSSL_free(d);
  }
  if (out.empty()) return make_error(ErrorCode::kMalformed, "the PKCS#7 message carries no certificate");
  return out;
}

}  // namespace trustmesh::pki
