// X.509 certificate facts with OpenSSL 3; see x509.h.
#include "core/x509.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "core/hash.h"

namespace trustmesh::x509 {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

Result<X509Ptr> decode(ByteView der) {
  if (der.size() > kMaxCertDer) {
    return make_error(ErrorCode::kTooLarge, "certificate is " + std::to_string(der.size()) +
                                                " bytes; the limit is " + std::to_string(kMaxCertDer));
  }
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != der.data() + der.size())
    return make_error(ErrorCode::kMalformed, "not a DER X.509 certificate");
  return x;
}

Hash32 name_hash(const X509_NAME* name) {
  const unsigned char* der = nullptr;
  size_t len = 0;
  X509_NAME_get0_der(const_cast<X509_NAME*>(name), &der, &len);
  return sha256(ByteView(der, len));
}

std::string name_text(const X509_NAME* name) {
  BIO* b = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(b);
  return s;
}

Result<int64_t> seconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1)
    return make_error(ErrorCode::kMalformed, "certificate time does not parse");
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

Result<CertFacts> parse_certificate(ByteView der) {
  TM_ASSIGN_OR_RETURN(X509Ptr x, decode(der));
  CertFacts f;
  f.hash = sha256(der);
  f.subject_hash = name_hash(X509_get_subject_name(x.get()));
  f.issuer_hash = name_hash(X509_get_issuer_name(x.get()));
  f.subject = name_text(X509_get_subject_name(x.get()));
  f.issuer = name_text(X509_get_issuer_name(x.get()));
  const uint32_t flags = X509_get_extension_flags(x.get());
  f.is_ca = (flags & EXFLAG_BCONS) && (flags & EXFLAG_CA);
  unsigned char* spki = nullptr;
  int spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x.get()), &spki);
  if (spki_len <= 0) return make_error(ErrorCode::kMalformed, "certificate public key does not encode");
  f.key_hash = sha256(ByteView(spki, static_cast<size_t>(spki_len)));
  OPENSSL_free(spki);
  TM_ASSIGN_OR_RETURN(f.not_before, seconds(X509_get0_notBefore(x.get())));
  TM_ASSIGN_OR_RETURN(f.not_after, seconds(X509_get0_notAfter(x.get())));
  return f;
}

Status verify_signed_by(ByteView child_der, ByteView issuer_der) {
  TM_ASSIGN_OR_RETURN(X509Ptr child, decode(child_der));
  TM_ASSIGN_OR_RETURN(X509Ptr issuer, decode(issuer_der));
  if (X509_NAME_cmp(X509_get_issuer_name(child.get()), X509_get_subject_name(issuer.get())) != 0)
    return make_error(ErrorCode::kBadSignature, "the certificate's issuer is not this certificate's subject");
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  if (!key || X509_verify(child.get(), key) != 1)
    return make_error(ErrorCode::kBadSignature,
                      "the certificate's signature does not verify under the issuer's key");
  return Status::Ok();
}

Status verify_by_cert_key(ByteView cert_der, ByteView message, ByteView sig) {
  TM_ASSIGN_OR_RETURN(X509Ptr x, decode(cert_der));
  EVP_PKEY* key = X509_get0_pubkey(x.get());
  if (!key) return make_error(ErrorCode::kBadSignature, "the certificate has no usable public key");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, ed ? nullptr : EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, sig.data(), sig.size(), message.data(), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return make_error(ErrorCode::kBadSignature, "the signature is not by the certificate's key");
  return Status::Ok();
}

Result<std::vector<Bytes>> read_certificates(std::string_view text) {
  std::vector<Bytes> out;
  if (text.find("-----BEGIN") == std::string_view::npos) {
    Bytes der(text.begin(), text.end());
    TM_TRY(decode(der));
    out.push_back(std::move(der));
    return out;
  }
  BIO* b = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  for (;;) {
    X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
    if (!x) break;
    unsigned char* der = nullptr;
    int n = i2d_X509(x, &der);
    X509_free(x);
    if (n <= 0) break;
    out.emplace_back(der, der + n);
    OPENSSL_free(der);
  }
  BIO_free(b);
  if (out.empty()) return make_error(ErrorCode::kMalformed, "no PEM CERTIFICATE block found");
  return out;
}

std::string to_pem(ByteView der) {
  auto x = decode(der);
  if (!x.ok()) return {};
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x->get());
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(b);
  return s;
}

}  // namespace trustmesh::x509
