// Certificate issuing; see x509_issue.h.
#include "core/x509_issue.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>

#include "core/x509.h"

namespace trustmesh::x509 {

void PkeyFree::operator()(EVP_PKEY* k) const {
  EVP_PKEY_free(k);
}

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

bool add_ext(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  bool ok = ext != nullptr && X509_add_ext(x, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool add_name(X509_NAME* n, const char* field, const std::string& v) {
  return v.empty() ||
         X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v.data()),
                                    static_cast<int>(v.size()), -1, 0) == 1;
}

// subjectAltName built entry by entry (no config-string parsing, so a value
// can never smuggle in another entry).
bool add_general_name(GENERAL_NAMES* names, int type, const std::string& v) {
  GENERAL_NAME* g = GENERAL_NAME_new();
  ASN1_IA5STRING* s = ASN1_IA5STRING_new();
  if (!g || !s || ASN1_STRING_set(s, v.data(), static_cast<int>(v.size())) != 1) {
    GENERAL_NAME_free(g);
    ASN1_IA5STRING_free(s);
    return false;
  }
  GENERAL_NAME_set0_value(g, type, s);
  if (sk_GENERAL_NAME_push(names, g) <= 0) {
    GENERAL_NAME_free(g);
    return false;
  }
  return true;
}

bool add_san(X509* x, const CertSpec& spec) {
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  bool ok = names != nullptr && (spec.uri_san.empty() || add_general_name(names, GEN_URI, spec.uri_san));
  for (const std::string& d : spec.dns_sans) ok = ok && add_general_name(names, GEN_DNS, d);
  ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
  GENERAL_NAMES_free(names);
  return ok;
}

std::string hex4(uint64_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(v & 0xffff));
  return buf;
}

}  // namespace

Result<Issued> issue(const CertSpec& spec, const std::optional<std::pair<ByteView, EVP_PKEY*>>& issuer) {
  if (spec.subject_key) EVP_PKEY_up_ref(spec.subject_key);
  PkeyPtr key(spec.subject_key ? spec.subject_key : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return make_error(ErrorCode::kCryptoFailure, "P-256 key generation failed");
  std::unique_ptr<X509, X509Free> x(X509_new());
  std::unique_ptr<X509, X509Free> parent;
  if (issuer) {
    const unsigned char* p = issuer->first.data();
    parent.reset(d2i_X509(nullptr, &p, static_cast<long>(issuer->first.size())));
    if (!parent) return make_error(ErrorCode::kMalformed, "issuer certificate does not parse");
  }
  uint8_t serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1)
    return make_error(ErrorCode::kCryptoFailure, "RAND_bytes failed");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  int64_t nb = spec.not_before ? spec.not_before : static_cast<int64_t>(std::time(nullptr)) - 3600;
  int64_t na = spec.not_after ? spec.not_after : nb + 10LL * 365 * 86400;
  X509_NAME* name = X509_NAME_new();
  bool ok =
      bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get())) && X509_set_version(x.get(), 2) == 1 &&
      ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(nb)) &&
      ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(na)) &&
      X509_set_pubkey(x.get(), key.get()) == 1 && add_name(name, "O", spec.org) &&
      add_name(name, "CN", spec.cn) && (!spec.vid || add_name(name, kVidOid, hex4(*spec.vid))) &&
      (!spec.pid || add_name(name, kPidOid, hex4(*spec.pid))) && X509_set_subject_name(x.get(), name) == 1 &&
      X509_set_issuer_name(x.get(), parent ? X509_get_subject_name(parent.get()) : name) == 1;
  BN_free(bn);
  X509_NAME_free(name);
  X509* ext_issuer = parent ? parent.get() : x.get();
  ok = ok &&
       add_ext(
           x.get(), ext_issuer, NID_basic_constraints,
           (spec.ca ? "critical,CA:TRUE" +
                          (spec.path_len >= 0 ? ",pathlen:" + std::to_string(spec.path_len) : std::string())
                    : std::string("critical,CA:FALSE"))
               .c_str()) &&
       add_ext(x.get(), ext_issuer, NID_key_usage,
               spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
       add_ext(x.get(), ext_issuer, NID_subject_key_identifier, "hash") &&
       (!parent || add_ext(x.get(), ext_issuer, NID_authority_key_identifier, "keyid:always"));
  if (ok && spec.ocsp_signing)
    ok = add_ext(x.get(), ext_issuer, NID_ext_key_usage, "critical,OCSPSigning") &&
         add_ext(x.get(), ext_issuer, NID_id_pkix_OCSP_noCheck, "ignored");
  if (ok && spec.tls_client_server)
    ok = add_ext(x.get(), ext_issuer, NID_ext_key_usage, "clientAuth,serverAuth");
  if (ok && (!spec.uri_san.empty() || !spec.dns_sans.empty())) ok = add_san(x.get(), spec);
  EVP_PKEY* signer = issuer ? issuer->second : key.get();
  // Ed25519 signs without a separate digest.
  const EVP_MD* md = EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (!ok || X509_sign(x.get(), signer, md) <= 0)
    return make_error(ErrorCode::kCryptoFailure, "building or signing the certificate failed");
  unsigned char* der = nullptr;
  int n = i2d_X509(x.get(), &der);
  if (n <= 0) return make_error(ErrorCode::kCryptoFailure, "encoding the certificate failed");
  Issued out{Bytes(der, der + n), std::move(key)};
  OPENSSL_free(der);
  return out;
}

Result<Bytes> certify(const CertSpec& spec, EVP_PKEY* subject_key, ByteView issuer_der,
                      EVP_PKEY* issuer_key) {
  if (!subject_key || !issuer_key) return make_error(ErrorCode::kInvalidArgument, "certify needs both keys");
  CertSpec s = spec;
  s.subject_key = subject_key;
  TM_ASSIGN_OR_RETURN(Issued out, issue(s, std::make_pair(issuer_der, issuer_key)));
  return std::move(out.der);
}

Result<Bytes> sign_with(EVP_PKEY* key, ByteView message) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  size_t len = 0;
  Bytes sig;
  bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, ed ? nullptr : EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, message.data(), message.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, sig.data(), &len, message.data(), message.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return make_error(ErrorCode::kCryptoFailure, "signing with the certificate's key failed");
  return sig;
}

std::string key_to_pem(EVP_PKEY* key) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(b);
  return s;
}

Result<PkeyPtr> key_from_pem(std::string_view pem) {
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  if (!k) return make_error(ErrorCode::kMalformed, "not a PEM private key");
  return PkeyPtr(k);
}

}  // namespace trustmesh::x509
