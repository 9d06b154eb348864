// Device identities and their self-signed certificates (certificate.h).
#include "device/certificate.h"

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "device/ossl.h"

namespace trustmesh::device {

namespace {

struct Ext {
  int nid;
  const char* value;
};

Result<uint64_t> asn1_seconds(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return make_error(ErrorCode::kMalformed, "certificate has an unreadable validity time");
  }
  time_t s = timegm(&tm);
  return s < 0 ? uint64_t{0} : static_cast<uint64_t>(s);
}

Result<std::string> common_name(X509* x) {
  char buf[128];
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) {
    return make_error(ErrorCode::kMalformed, "certificate has no usable subject CN");
  }
  return std::string(buf, static_cast<size_t>(n));
}

bool san_names(X509* x, const std::string& uri) {
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return false;
  bool found = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && !found; ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type != GEN_URI) continue;
    const ASN1_IA5STRING* s = g->d.uniformResourceIdentifier;
    found = std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                        static_cast<size_t>(ASN1_STRING_length(s))) == uri;
  }
  GENERAL_NAMES_free(names);
  return found;
}

}  // namespace

Result<std::string> random_bytes_hex(size_t n) {
  Bytes b(n);
  if (RAND_bytes(b.data(), static_cast<int>(n)) != 1) {
    return make_error(ErrorCode::kCryptoFailure, "RAND_bytes failed");
  }
  return to_hex(b);
}

std::string new_uuid() {
  uint8_t b[16];
  TM_ASSERT(RAND_bytes(b, sizeof b) == 1);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string h = to_hex(ByteView(b, sizeof b));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20, 12);
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<Identity> make_identity(const std::string& id, uint64_t now, uint32_t days) {
  if (!is_uuid(id)) return make_error(ErrorCode::kInvalidArgument, "device id must be a lowercase UUID");
  if (days == 0 || days > 36500)
    return make_error(ErrorCode::kInvalidArgument, "validity must be 1..36500 days");
  TM_ASSIGN_OR_RETURN(KeyPair key, KeyPair::generate(KeyAlg::kP256));
  TM_ASSIGN_OR_RETURN(EvpPkeyPtr pkey, evp_private(key));
  X509Ptr x(X509_new());
  if (!x) return make_error(ErrorCode::kCryptoFailure, "X509_new: " + openssl_error());
  uint8_t serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1)
    return make_error(ErrorCode::kCryptoFailure, "RAND_bytes failed");
  serial[0] &= 0x7f;  // a positive INTEGER
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn != nullptr && X509_set_version(x.get(), 2) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get())) != nullptr &&
            ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(now - 60)) != nullptr &&
            ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(now + uint64_t{days} * 86400)) !=
                nullptr &&
            X509_set_pubkey(x.get(), pkey.get()) == 1;
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(x.get());
  ok = ok &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>(id.c_str()), -1, -1, 0) == 1 &&
       X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>("trustmesh device"), -1, -1,
                                  0) == 1 &&
       X509_set_issuer_name(x.get(), name) == 1;
  std::string san = "URI:urn:uuid:" + id;
  const Ext exts[] = {{NID_basic_constraints, "critical,CA:FALSE"},
                      {NID_key_usage, "critical,digitalSignature,keyAgreement"},
                      {NID_subject_alt_name, san.c_str()}};
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  for (const Ext& e : exts) {
    if (!ok) break;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, e.nid, e.value);
    ok = ext != nullptr && X509_add_ext(x.get(), ext, -1) == 1;
    X509_EXTENSION_free(ext);
  }
  if (!ok || X509_sign(x.get(), pkey.get(), EVP_sha256()) <= 0) {
    return make_error(ErrorCode::kCryptoFailure, "building the certificate: " + openssl_error());
  }
  TM_ASSIGN_OR_RETURN(Bytes der, x509_der(x.get()));
  return Identity{id, std::move(key), std::move(der)};
}

Result<CertificateInfo> certificate_info(X509* x, bool check_self_signature) {
  TM_ASSIGN_OR_RETURN(std::string cn, common_name(x));
  if (!is_uuid(cn))
    return make_error(ErrorCode::kMalformed, "certificate CN '" + cn + "' is not a device UUID");
  if (!san_names(x, "urn:uuid:" + cn)) {
    return make_error(ErrorCode::kMalformed, "certificate SAN does not carry urn:uuid:" + cn);
  }
  // The key straight from SubjectPublicKeyInfo (no OpenSSL decoder round
  // trip): id-ecPublicKey on prime256v1, an uncompressed point 04 || x || y,
  // turned into our compressed form 0x01 || (02|03) || x and validated by
  // PublicKey::from_encoded_cached.
  X509_PUBKEY* spki = X509_get_X509_PUBKEY(x);
  ASN1_OBJECT* alg = nullptr;
  const unsigned char* point = nullptr;
  int len = 0;
  X509_ALGOR* params = nullptr;
  if (spki == nullptr || X509_PUBKEY_get0_param(&alg, &point, &len, &params, spki) != 1 ||
      OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey) {
    return make_error(ErrorCode::kBadKey, "device certificates carry P-256 keys");
  }
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(nullptr, &ptype, &pval, params);
  if (ptype != V_ASN1_OBJECT || OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(pval)) != NID_X9_62_prime256v1 ||
      len != 65 || point[0] != 0x04) {
    return make_error(ErrorCode::kBadKey, "device certificates carry uncompressed P-256 keys");
  }
  Bytes enc = {static_cast<uint8_t>(KeyAlg::kP256), static_cast<uint8_t>(0x02 | (point[64] & 1))};
  enc.insert(enc.end(), point + 1, point + 33);
  TM_ASSIGN_OR_RETURN(PublicKey key, PublicKey::from_encoded_cached(enc));
  if (check_self_signature) {
    EVP_PKEY* pk = X509_get0_pubkey(x);
    if (pk == nullptr || X509_verify(x, pk) != 1) {
      openssl_error();
      return make_error(ErrorCode::kBadSignature, "certificate is not self-signed by its own key");
    }
  }
  TM_ASSIGN_OR_RETURN(uint64_t nb, asn1_seconds(X509_get0_notBefore(x)));
  TM_ASSIGN_OR_RETURN(uint64_t na, asn1_seconds(X509_get0_notAfter(x)));
  return CertificateInfo{cn, std::move(key), nb, na};
}

Result<CertificateInfo> read_certificate(ByteView der) {
  TM_ASSIGN_OR_RETURN(X509Ptr x, parse_x509(der));
  return certificate_info(x.get(), true);
}

}  // namespace trustmesh::device
