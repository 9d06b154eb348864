// OpenSSL glue (ossl.h).
#include "device/ossl.h"

#include <openssl/err.h>

namespace trustmesh::device {

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no OpenSSL error recorded";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Result<EvpPkeyPtr> evp_private(const KeyPair& key) {
  TM_ASSIGN_OR_RETURN(Bytes der, key.to_der());
  const unsigned char* p = der.data();
  EvpPkeyPtr k(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
  OPENSSL_cleanse(der.data(), der.size());
  if (!k) return make_error(ErrorCode::kCryptoFailure, "private key import: " + openssl_error());
  return k;
}

Result<EvpPkeyPtr> evp_public(const PublicKey& key) {
  TM_ASSIGN_OR_RETURN(Bytes der, key.to_der());
  const unsigned char* p = der.data();
  EvpPkeyPtr k(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!k) return make_error(ErrorCode::kCryptoFailure, "public key import: " + openssl_error());
  return k;
}

Result<X509Ptr> parse_x509(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != der.data() + der.size()) {
    ERR_clear_error();
    return make_error(ErrorCode::kMalformed, "not a DER X.509 certificate");
  }
  return x;
}

Result<Bytes> x509_der(X509* cert) {
  int n = i2d_X509(cert, nullptr);
  if (n <= 0) return make_error(ErrorCode::kCryptoFailure, "certificate encoding: " + openssl_error());
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(cert, &p);
  return out;
}

}  // namespace trustmesh::device
