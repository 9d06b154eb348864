// TLS helpers (see tls.h).
#include "p2p/tls.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace trustmesh::p2p {

namespace {

Error tls_error(const std::string& what) {
  return make_error(ErrorCode::kCryptoFailure, "p2p TLS: " + what);
}

// Any chain is acceptable: there is no CA, the id is the key.
int accept_any(int, X509_STORE_CTX*) {
  return 1;
}

}  // namespace

Status configure_tls(SSL_CTX* ctx, const KeyPair& key) {
  TM_ASSIGN_OR_RETURN(Bytes der, key.to_der());
  const unsigned char* p = der.data();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())), EVP_PKEY_free);
  if (!pkey) return tls_error("cannot load the node key");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!cert) return tls_error("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn = Address::of(key.public_key()).to_string();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), pkey.get());
  const EVP_MD* md = key.alg() == KeyAlg::kEd25519 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), pkey.get(), md) <= 0) return tls_error("cannot sign the node certificate");

  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
    return tls_error("cannot require TLS 1.3");
  if (SSL_CTX_use_certificate(ctx, cert.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, pkey.get()) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1)
    return tls_error("cannot use the node certificate");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  return Status::Ok();
}

Result<Address> peer_id(SSL* ssl) {
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), X509_free);
  if (!cert) return tls_error("the peer sent no certificate");
  EVP_PKEY* pk = X509_get0_pubkey(cert.get());
  if (!pk) return tls_error("the peer certificate has no key");
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pk, &der);
  if (len <= 0) return tls_error("cannot encode the peer key");
  Bytes spki(der, der + len);
  OPENSSL_free(der);
  TM_ASSIGN_OR_RETURN(PublicKey key, PublicKey::from_der(spki));
  return Address::of(key);
}

}  // namespace trustmesh::p2p
