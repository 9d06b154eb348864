// X.509 v2 CRLs with OpenSSL 3; see x509_crl.h.
#include "core/x509_crl.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <memory>

#include "core/hash.h"
#include "core/x509_internal.h"

namespace trustmesh::x509 {

namespace {

struct CrlFree {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

constexpr std::array<std::string_view, 11> kReasons = {
    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",    "cessationOfOperation", "certificateHold", "",  // 7 is unused
    "removeFromCRL", "privilegeWithdrawn",   "aACompromise"};

// A reason a revocation on the ledger (final) may carry: not certificateHold (6),
// not removeFromCRL (8), not the unused 7.
bool is_final_reason(int code) {
  return code >= 0 && code <= 10 && code != 6 && code != 7 && code != 8;
}

Result<CrlPtr> decode_crl(ByteView der) {
  if (der.size() > kMaxCrlDer)
    return make_error(ErrorCode::kTooLarge, "CRL is " + std::to_string(der.size()) + " bytes; the limit is " +
                                                std::to_string(kMaxCrlDer));
  const unsigned char* p = der.data();
  CrlPtr c(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!c || p != der.data() + der.size()) {
    ERR_clear_error();
    return make_error(ErrorCode::kMalformed, "not a DER X.509 CRL");
  }
  return c;
}

}  // namespace

Result<CrlFacts> parse_crl(ByteView der) {
  TM_ASSIGN_OR_RETURN(CrlPtr c, decode_crl(der));
  CrlFacts f;
  f.hash = sha256(der);
  if (X509_CRL_get_version(c.get()) != 1)
    return make_error(ErrorCode::kMalformed, "only v2 CRLs are accepted");
  f.issuer_hash = detail::name_hash(X509_CRL_get_issuer(c.get()));
  f.issuer = detail::name_text(X509_CRL_get_issuer(c.get()));
  TM_ASSIGN_OR_RETURN(f.this_update, detail::seconds(X509_CRL_get0_lastUpdate(c.get())));
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(c.get())) {
    TM_ASSIGN_OR_RETURN(f.next_update, detail::seconds(next));
  }
  int crit = 0;
  auto* num = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(c.get(), NID_crl_number, &crit, nullptr));
  const bool number_ok = num && ASN1_INTEGER_get_uint64(&f.number, num) == 1;
  ASN1_INTEGER_free(num);
  if (!number_ok) return make_error(ErrorCode::kMalformed, "the CRL has no cRLNumber below 2^64");
  // Only what every relying party reads the same way: no delta CRLs, no
  // issuing distribution points, no indirect entries, no un-revocations.
  for (int i = 0; i < X509_CRL_get_ext_count(c.get()); ++i) {
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(X509_CRL_get_ext(c.get(), i)));
    if (nid != NID_crl_number && nid != NID_authority_key_identifier)
      return make_error(ErrorCode::kMalformed,
                        std::string("the CRL carries extension ") +
                            (nid == NID_undef ? "(unknown)" : OBJ_nid2sn(nid)) +
                            "; only cRLNumber and authorityKeyIdentifier are accepted");
  }
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(c.get());
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
    const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(r);
    if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER)
      return make_error(ErrorCode::kMalformed, "the CRL lists a negative serial number");
    for (int e = 0; e < X509_REVOKED_get_ext_count(r); ++e) {
      const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(X509_REVOKED_get_ext(r, e)));
      if (nid == NID_invalidity_date) continue;
      if (nid != NID_crl_reason)
        return make_error(ErrorCode::kMalformed,
                          "a CRL entry carries an extension other than reasonCode and invalidityDate");
      int crit = 0;
      auto* reason =
          static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &crit, nullptr));
      const long code = reason ? ASN1_ENUMERATED_get(reason) : -1;
      ASN1_ENUMERATED_free(reason);
      if (code < 0 || code > 10 || !is_final_reason(static_cast<int>(code)))
        return make_error(ErrorCode::kMalformed,
                          "a CRL entry's reason is not a final revocation (certificateHold, removeFromCRL) "
                          "or does not parse");
    }
    f.serials.push_back(detail::serial_bytes(serial));
  }
  std::sort(f.serials.begin(), f.serials.end());
  if (std::adjacent_find(f.serials.begin(), f.serials.end()) != f.serials.end())
    return make_error(ErrorCode::kMalformed, "the CRL lists a serial number twice");
  return f;
}

Status verify_crl_signed_by(ByteView crl_der, ByteView issuer_der) {
  TM_ASSIGN_OR_RETURN(CrlPtr crl, decode_crl(crl_der));
  TM_ASSIGN_OR_RETURN(detail::X509Ptr issuer, detail::decode(issuer_der));
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer.get())) != 0)
    return make_error(ErrorCode::kBadSignature, "the CRL's issuer is not this certificate's subject");
  if ((X509_get_extension_flags(issuer.get()) & EXFLAG_KUSAGE) &&
      !(X509_get_key_usage(issuer.get()) & KU_CRL_SIGN))
    return make_error(ErrorCode::kBadSignature, "the certificate's keyUsage does not allow cRLSign");
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  if (!key || X509_CRL_verify(crl.get(), key) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kBadSignature, "the CRL's signature does not verify under the issuer's key");
  }
  return Status::Ok();
}

bool is_final_revocation_reason(std::string_view reason) {
  return reason.empty() || is_final_reason(crl_reason_code(reason));
}

int crl_reason_code(std::string_view reason) {
  if (reason.empty()) return -1;
  for (size_t i = 0; i < kReasons.size(); ++i)
    if (kReasons[i] == reason) return static_cast<int>(i);
  return -1;
}

Result<Bytes> sign_crl(ByteView issuer_der, EVP_PKEY* key, const std::vector<CrlEntry>& entries,
                       int64_t this_update, int64_t next_update, uint64_t number) {
  if (!key) return make_error(ErrorCode::kInvalidArgument, "no key to sign the CRL with");
  TM_ASSIGN_OR_RETURN(detail::X509Ptr issuer, detail::decode(issuer_der));
  CrlPtr crl(X509_CRL_new());
  auto set_time = [](int64_t t, auto setter) {
    ASN1_TIME* a = ASN1_TIME_set(nullptr, static_cast<time_t>(t));
    bool ok = a && setter(a) == 1;
    ASN1_TIME_free(a);
    return ok;
  };
  bool ok = crl && X509_CRL_set_version(crl.get(), 1) == 1 &&
            X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())) == 1 &&
            set_time(this_update, [&](ASN1_TIME* a) { return X509_CRL_set1_lastUpdate(crl.get(), a); }) &&
            (next_update == 0 ||
             set_time(next_update, [&](ASN1_TIME* a) { return X509_CRL_set1_nextUpdate(crl.get(), a); }));
  for (const CrlEntry& e : entries) {
    if (!ok) break;
    X509_REVOKED* r = X509_REVOKED_new();
    BIGNUM* bn = BN_bin2bn(e.serial.data(), static_cast<int>(e.serial.size()), nullptr);
    ASN1_INTEGER* sn = bn ? BN_to_ASN1_INTEGER(bn, nullptr) : nullptr;
    ok = r && sn && X509_REVOKED_set_serialNumber(r, sn) == 1 &&
         set_time(e.revoked_at, [&](ASN1_TIME* a) { return X509_REVOKED_set_revocationDate(r, a); });
    if (const int code = crl_reason_code(e.reason); ok && code >= 0) {
      ASN1_ENUMERATED* reason = ASN1_ENUMERATED_new();
      ok = reason && ASN1_ENUMERATED_set(reason, code) == 1 &&
           X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, reason, 0, 0) == 1;
      ASN1_ENUMERATED_free(reason);
    }
    BN_free(bn);
    ASN1_INTEGER_free(sn);
    if (ok && X509_CRL_add0_revoked(crl.get(), r) == 1) continue;
    X509_REVOKED_free(r);
    ok = false;
  }
  ASN1_INTEGER* num = ASN1_INTEGER_new();
  ok = ok && num && ASN1_INTEGER_set_uint64(num, number) == 1 &&
       X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, num, 0, 0) == 1;
  ASN1_INTEGER_free(num);
  if (ok) {  // authorityKeyIdentifier, when the issuer has a subject key identifier
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer.get(), nullptr, nullptr, crl.get(), 0);
    X509_EXTENSION* akid = X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid");
    if (akid) ok = X509_CRL_add_ext(crl.get(), akid, -1) == 1;
    X509_EXTENSION_free(akid);
  }
  const bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  if (!ok || X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), key, ed ? nullptr : EVP_sha256()) <= 0)
    return make_error(ErrorCode::kCryptoFailure, "building or signing the CRL failed");
  unsigned char* der = nullptr;
  const int n = i2d_X509_CRL(crl.get(), &der);
  if (n <= 0) return make_error(ErrorCode::kCryptoFailure, "encoding the CRL failed");
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

Result<Bytes> read_crl(std::string_view text) {
  if (text.size() > 2 * kMaxCrlDer) return make_error(ErrorCode::kTooLarge, "the CRL file is too large");
  if (text.find("-----BEGIN") == std::string_view::npos) {
    Bytes der(text.begin(), text.end());
    TM_TRY(decode_crl(der));
    return der;
  }
  BIO* b = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  CrlPtr c(b ? PEM_read_bio_X509_CRL(b, nullptr, nullptr, nullptr) : nullptr);
  BIO_free(b);
  if (!c) {
    ERR_clear_error();
    return make_error(ErrorCode::kMalformed, "not a PEM X509 CRL");
  }
  unsigned char* der = nullptr;
  const int n = i2d_X509_CRL(c.get(), &der);
  if (n <= 0) return make_error(ErrorCode::kMalformed, "the CRL does not encode");
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

std::string crl_to_pem(ByteView der) {
  auto c = decode_crl(der);
  if (!c.ok()) return "";
  BIO* b = BIO_new(BIO_s_mem());
  if (!b || PEM_write_bio_X509_CRL(b, c->get()) != 1) {
    BIO_free(b);
    return "";
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(b);
  return s;
}

}  // namespace trustmesh::x509
