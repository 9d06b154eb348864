// X.509 certificate facts with OpenSSL 3; see x509.h.
#include "core/x509.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "core/hash.h"
#include "core/x509_internal.h"

namespace trustmesh::x509 {

namespace detail {

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
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return make_error(ErrorCode::kMalformed, "a time does not parse");
  return static_cast<int64_t>(timegm(&tm));
}

Bytes serial_bytes(const ASN1_INTEGER* serial) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  Bytes out(bn ? static_cast<size_t>(BN_num_bytes(bn)) : 0);
  if (bn) BN_bn2bin(bn, out.data());
  BN_free(bn);
  return out;
}

Result<X509Ptr> decode(ByteView der) {
  if (der.size() > kMaxCertDer) {
    return make_error(ErrorCode::kTooLarge, "certificate is " + std::to_string(der.size()) +
                                                " bytes; the limit is " + std::to_string(kMaxCertDer));
  }
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != der.data() + der.size()) {
    ERR_clear_error();
    return make_error(ErrorCode::kMalformed, "not a DER X.509 certificate");
  }
  return x;
}

}  // namespace detail

namespace {

using detail::decode;
using detail::name_hash;
using detail::name_text;
using detail::seconds;
using detail::X509Ptr;

// A Matter-style id attribute of the subject: none, or four hex digits once.
Result<std::optional<uint64_t>> id_attribute(const X509_NAME* name, const char* oid, std::string_view what) {
  // Parsed once: OBJ_txt2obj takes OpenSSL's global object lock on every call.
  static const ASN1_OBJECT* const vid_obj = OBJ_txt2obj(kVidOid, 1);
  static const ASN1_OBJECT* const pid_obj = OBJ_txt2obj(kPidOid, 1);
  const ASN1_OBJECT* obj = std::string_view(oid) == kVidOid ? vid_obj : pid_obj;
  if (!obj) return make_error(ErrorCode::kInternal, "OID does not parse");
  const int at = X509_NAME_get_index_by_OBJ(name, obj, -1);
  const int again = at < 0 ? -1 : X509_NAME_get_index_by_OBJ(name, obj, at);
  if (at < 0) return std::optional<uint64_t>();
  const auto bad = make_error(ErrorCode::kMalformed, "the subject's " + std::string(what) +
                                                         " attribute must appear once, as 4 hex digits");
  if (again >= 0) return bad;
  const ASN1_STRING* v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  const unsigned char* p = ASN1_STRING_get0_data(v);
  if (ASN1_STRING_length(v) != 4) return bad;
  uint64_t out = 0;
  for (int i = 0; i < 4; ++i) {
    const char ch = static_cast<char>(p[i]);
    int d = (ch >= '0' && ch <= '9') ? ch - '0' : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : -1;
    if (d < 0) return bad;
    out = out * 16 + static_cast<uint64_t>(d);
  }
  return std::optional<uint64_t>(out);
}

// The one commonName of `name` as UTF-8 ("" if none, several, or not text).
std::string common_name(const X509_NAME* name) {
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0) return "";
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
  if (n < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

Result<CertFacts> parse_certificate(ByteView der) {
  TM_ASSIGN_OR_RETURN(X509Ptr x, decode(der));
  CertFacts f;
  f.hash = sha256(der);
  f.subject_hash = name_hash(X509_get_subject_name(x.get()));
  f.issuer_hash = name_hash(X509_get_issuer_name(x.get()));
  if (ASN1_STRING_type(X509_get0_serialNumber(x.get())) == V_ASN1_NEG_INTEGER)
    return make_error(ErrorCode::kMalformed, "the certificate's serial number is negative");
  f.serial = detail::serial_bytes(X509_get0_serialNumber(x.get()));
  f.subject = name_text(X509_get_subject_name(x.get()));
  f.cn = common_name(X509_get_subject_name(x.get()));
  f.issuer = name_text(X509_get_issuer_name(x.get()));
  const uint32_t flags = X509_get_extension_flags(x.get());
  f.is_ca = (flags & EXFLAG_BCONS) && (flags & EXFLAG_CA);
  if (f.is_ca) f.path_len = X509_get_pathlen(x.get());
  TM_ASSIGN_OR_RETURN(f.vid, id_attribute(X509_get_subject_name(x.get()), kVidOid, "vendor id"));
  TM_ASSIGN_OR_RETURN(f.pid, id_attribute(X509_get_subject_name(x.get()), kPidOid, "product id"));
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
  if (!key || X509_verify(child.get(), key) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kBadSignature,
                      "the certificate's signature does not verify under the issuer's key");
  }
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
  if (!ok) {
    ERR_clear_error();
    return make_error(ErrorCode::kBadSignature, "the signature is not by the certificate's key");
  }
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
