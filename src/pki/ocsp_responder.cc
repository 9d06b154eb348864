// OCSP responder answering from ledger state; see ocsp_responder.h.
#include "pki/ocsp_responder.h"

#include <openssl/bn.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <functional>
#include <map>
#include <mutex>

#include "core/hash.h"
#include "core/x509.h"
#include "core/x509_crl.h"
#include "ledger/compliance_access.h"
#include "pki/ossl.h"

namespace trustmesh::pki {

using namespace detail;

namespace {

Bytes encode(OCSP_RESPONSE* r) {
  unsigned char* der = nullptr;
  const int n = r ? i2d_OCSP_RESPONSE(r, &der) : -1;
  Bytes out;
  if (n > 0) out.assign(der, der + n);
  OPENSSL_free(der);
  return out;
}

// A serial number as x509::CertFacts::serial holds it (big-endian magnitude).
Bytes magnitude(const ASN1_INTEGER* serial) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  Bytes out(bn ? static_cast<size_t>(BN_num_bytes(bn)) : 0);
  if (bn) BN_bn2bin(bn, out.data());
  BN_free(bn);
  return out;
}

// An unsuccessful OCSPResponse (no body).
Bytes status_only(int status) {
  ResponsePtr r(OCSP_response_create(status, nullptr));
  return encode(r.get());
}

// The CA a responder certificate was issued by, on the ledger: unrevoked if
// there is such a one, else a revoked one (whose certificates are all revoked).
struct LedgerCa {
  Hash32 hash{};
  ledger::CertRecord rec;
  X509Ptr x509;
  // The CA or a certificate above it is revoked: everything under it is, from
  // that block time (0 = unknown).
  bool chain_revoked = false;
  uint64_t chain_revoked_time = 0;
};

// How many certificates above a CA are looked at (ledger chains are shorter).
constexpr int kMaxChainWalk = 8;

// The ledger CA certificate that signed a responder certificate whose issuer
// name hashes to `issuer_hash`. signed_by(hash, der): whether the ledger
// certificate `hash` (DER `der`) signed it; decoded(hash, der): that
// certificate parsed (both remembered by the caller: they depend on the DER only).
Result<std::optional<LedgerCa>> find_ca(const ledger::ComplianceReader& r, const Hash32& issuer_hash,
                                        const std::function<bool(const Hash32&, const Bytes&)>& signed_by,
                                        const std::function<X509Ptr(const Hash32&, const Bytes&)>& decoded) {
  TM_ASSIGN_OR_RETURN(std::vector<Hash32> named, r.certs_named(issuer_hash));
  std::optional<LedgerCa> found;
  for (const Hash32& h : named) {
    TM_ASSIGN_OR_RETURN(auto rec, r.cert(h));
    if (!rec || !signed_by(h, rec->der)) continue;
    if (found && !found->rec.revoked) break;
    X509Ptr x = decoded(h, rec->der);  // before the record moves
    found = LedgerCa{h, std::move(*rec), std::move(x)};
    if (!found->rec.revoked) break;
  }
  if (found && !found->x509) return make_error(ErrorCode::kInternal, "a ledger certificate does not decode");
  if (found) {
    const ledger::CertRecord* at = &found->rec;
    std::optional<ledger::CertRecord> above;
    for (int i = 0; i <= kMaxChainWalk && at; ++i) {
      if (at->revoked) {
        found->chain_revoked = true;
        found->chain_revoked_time = at->revoked_time;
        break;
      }
      if (!at->parent) break;
      TM_ASSIGN_OR_RETURN(above, r.cert(*at->parent));
      at = above ? &*above : nullptr;
    }
  }
  return found;
}

}  // namespace

struct OcspResponder::Impl {
  std::vector<OcspSigner> signers;
  std::vector<X509Ptr> certs;         // decoded signers[i].cert_der
  std::vector<Hash32> issuer_hashes;  // of signers[i]'s issuer name (x509::CertFacts::issuer_hash)

  // Ledger CA certificates parsed once (OpenSSL 3 parsing takes locks and
  // allocations that cost more than the rest of an answer). Bounded like
  // `verified`. Returns a new reference.
  X509Ptr decoded(const Hash32& h, const Bytes& der) const {
    std::lock_guard<std::mutex> lock(mu);
    auto it = parsed.find(h);
    if (it == parsed.end()) {
      if (parsed.size() >= 1024) parsed.clear();
      X509Ptr x = decode_x509(der);
      if (!x) return nullptr;
      it = parsed.emplace(h, std::move(x)).first;
    }
    X509_up_ref(it->second.get());
    return X509Ptr(it->second.get());
  }
  mutable std::map<Hash32, X509Ptr> parsed;

  // answer_at(): SHA-256 of the request -> answer, for `answers_height` only.
  mutable std::mutex answers_mu;
  mutable uint64_t answers_height = 0;
  mutable std::map<Hash32, Bytes> answers;

  // Whether ledger certificate `ca` signed signers[i]: a pure function of two
  // immutable DERs (a hash names one DER), so it is remembered rather than
  // verified again on every request. Bounded: cleared when it grows past 1024.
  bool signed_by(size_t i, const Hash32& ca, const Bytes& ca_der) const {
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = verified.find({i, ca});
      if (it != verified.end()) return it->second;
    }
    const bool ok = x509::verify_signed_by(signers[i].cert_der, ca_der).ok();
    std::lock_guard<std::mutex> lock(mu);
    if (verified.size() >= 1024) verified.clear();
    verified[{i, ca}] = ok;
    return ok;
  }
  mutable std::mutex mu;
  mutable std::map<std::pair<size_t, Hash32>, bool> verified;
};

OcspResponder::OcspResponder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OcspResponder::~OcspResponder() = default;

Result<std::unique_ptr<OcspResponder>> OcspResponder::create(std::vector<OcspSigner> signers) {
  auto impl = std::make_unique<Impl>();
  for (OcspSigner& s : signers) {
    X509Ptr x = decode_x509(s.cert_der);
    if (!x) return make_error(ErrorCode::kInvalidArgument, "an OCSP signer certificate does not parse");
    auto facts = x509::parse_certificate(s.cert_der);
    if (!facts.ok())
      return make_error(ErrorCode::kInvalidArgument, "OCSP signer certificate: " + facts.error().message);
    const std::string name = facts->subject;
    if (!(X509_get_extension_flags(x.get()) & EXFLAG_XKUSAGE) ||
        !(X509_get_extended_key_usage(x.get()) & XKU_OCSP_SIGN))
      return make_error(
          ErrorCode::kInvalidArgument,
          "'" + name + "' lacks extendedKeyUsage OCSPSigning (trustmesh cert issue --ocsp-signing)");
    if (!s.key || X509_check_private_key(x.get(), s.key.get()) != 1)
      return make_error(ErrorCode::kInvalidArgument, "the key given for '" + name + "' is not its key");
    impl->certs.push_back(std::move(x));
    impl->issuer_hashes.push_back(facts->issuer_hash);
    impl->signers.push_back(std::move(s));
  }
  return std::unique_ptr<OcspResponder>(new OcspResponder(std::move(impl)));
}

Result<std::unique_ptr<OcspResponder>> OcspResponder::load(const std::vector<std::string>& pairs) {
  std::vector<OcspSigner> signers;
  for (const std::string& pair : pairs) {
    const size_t colon = pair.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size())
      return make_error(ErrorCode::kInvalidArgument,
                        "an OCSP signer is CERT.pem:KEY.pem, not '" + pair + "'");
    TM_ASSIGN_OR_RETURN(std::string cert_pem, read_text_file(pair.substr(0, colon)));
    TM_ASSIGN_OR_RETURN(std::string key_pem, read_text_file(pair.substr(colon + 1)));
    TM_ASSIGN_OR_RETURN(std::vector<Bytes> certs, x509::read_certificates(cert_pem));
    TM_ASSIGN_OR_RETURN(x509::PkeyPtr key, x509::key_from_pem(key_pem));
    signers.push_back(OcspSigner{certs.at(0), std::move(key)});
  }
  return create(std::move(signers));
}

Bytes OcspResponder::answer_at(const ledger::StateReader& state, uint64_t height, ByteView request,
                               int64_t block_time, int64_t validity_s) const {
  const Hash32 key = sha256(request);
  {
    std::lock_guard<std::mutex> lock(impl_->answers_mu);
    if (impl_->answers_height == height) {
      auto it = impl_->answers.find(key);
      if (it != impl_->answers.end()) return it->second;
    }
  }
  Bytes out = answer(state, request, block_time, validity_s);
  std::lock_guard<std::mutex> lock(impl_->answers_mu);
  if (height > impl_->answers_height) {  // a newer state: older answers are stale
    impl_->answers.clear();
    impl_->answers_height = height;
  }
  // Only successful answers: an error (e.g. a storage fault) is worth trying again.
  const bool successful = out.size() > 5;
  if (successful && height == impl_->answers_height && impl_->answers.size() < kMaxCachedAnswers)
    impl_->answers[key] = out;
  return out;
}

Bytes OcspResponder::answer(const ledger::StateReader& state, ByteView request, int64_t block_time,
                            int64_t validity_s) const {
  if (request.empty() || request.size() > kMaxOcspRequest)
    return status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  const unsigned char* p = request.data();
  RequestPtr req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request.size())));
  const int n = req ? OCSP_request_onereq_count(req.get()) : 0;
  if (!req || p != request.data() + request.size() || n < 1 || n > kMaxCertIdsPerRequest)
    return status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);

  ledger::ComplianceReader r(state);
  // The signer whose CA issued the first CertID answers them all.
  std::optional<size_t> signer;
  std::optional<LedgerCa> ca;
  for (size_t i = 0; i < impl_->signers.size() && !signer; ++i) {
    auto found = find_ca(
        r, impl_->issuer_hashes[i],
        [&](const Hash32& h, const Bytes& der) { return impl_->signed_by(i, h, der); },
        [&](const Hash32& h, const Bytes& der) { return impl_->decoded(h, der); });
    if (!found.ok()) return status_only(OCSP_RESPONSE_STATUS_INTERNALERROR);
    if (!*found) continue;
    OCSP_CERTID* first = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), 0));
    ASN1_OBJECT* md_oid = nullptr;
    OCSP_id_get0_info(nullptr, &md_oid, nullptr, nullptr, first);
    const EVP_MD* md = md_oid ? EVP_get_digestbyobj(md_oid) : nullptr;
    if (!md) return status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    CertIdPtr ca_id(OCSP_cert_to_id(md, nullptr, (*found)->x509.get()));
    if (ca_id && OCSP_id_issuer_cmp(ca_id.get(), first) == 0) {
      signer = i;
      ca = std::move(*found);
    }
  }
  if (!signer) return status_only(OCSP_RESPONSE_STATUS_UNAUTHORIZED);

  BasicPtr basic(OCSP_BASICRESP_new());
  TimePtr this_update(ASN1_TIME_set(nullptr, static_cast<time_t>(block_time)));
  TimePtr next_update(ASN1_TIME_set(nullptr, static_cast<time_t>(block_time + validity_s)));
  if (!basic || !this_update || !next_update) return status_only(OCSP_RESPONSE_STATUS_INTERNALERROR);
  for (int i = 0; i < n; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), i));
    ASN1_OBJECT* md_oid = nullptr;
    ASN1_INTEGER* serial = nullptr;
    OCSP_id_get0_info(nullptr, &md_oid, nullptr, &serial, id);
    const EVP_MD* md = md_oid ? EVP_get_digestbyobj(md_oid) : nullptr;
    CertIdPtr ca_id(md ? OCSP_cert_to_id(md, nullptr, ca->x509.get()) : nullptr);
    if (!ca_id || !serial) return status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    if (OCSP_id_issuer_cmp(ca_id.get(), id) != 0) return status_only(OCSP_RESPONSE_STATUS_UNAUTHORIZED);
    const Bytes serial_bytes = magnitude(serial);
    int status = V_OCSP_CERTSTATUS_UNKNOWN, reason = OCSP_REVOKED_STATUS_NOSTATUS;
    int64_t revoked_time = 0;
    if (ca->chain_revoked) {  // a revoked CA (or one above it) revokes everything under it
      status = V_OCSP_CERTSTATUS_REVOKED;
      revoked_time = ca->chain_revoked_time ? static_cast<int64_t>(ca->chain_revoked_time) : block_time;
      reason = OCSP_REVOKED_STATUS_CACOMPROMISE;
    } else if (ASN1_STRING_type(serial) !=
               V_ASN1_NEG_INTEGER) {  // no ledger certificate has a negative serial
      auto hash = r.cert_by_serial(ca->hash, serial_bytes);
      if (!hash.ok()) return status_only(OCSP_RESPONSE_STATUS_INTERNALERROR);
      if (*hash) {
        auto rec = r.cert(**hash);
        if (!rec.ok() || !*rec) return status_only(OCSP_RESPONSE_STATUS_INTERNALERROR);
        status = (*rec)->revoked ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD;
        if ((*rec)->revoked) {
          revoked_time = (*rec)->revoked_time ? static_cast<int64_t>((*rec)->revoked_time) : block_time;
          const int code = x509::crl_reason_code((*rec)->reason);
          reason = code >= 0 ? code : OCSP_REVOKED_STATUS_NOSTATUS;
        }
      }
    }
    TimePtr rev(status == V_OCSP_CERTSTATUS_REVOKED
                    ? ASN1_TIME_set(nullptr, static_cast<time_t>(revoked_time))
                    : nullptr);
    if (!OCSP_basic_add1_status(basic.get(), id, status, reason, rev.get(), this_update.get(),
                                next_update.get()))
      return status_only(OCSP_RESPONSE_STATUS_INTERNALERROR);
  }
  const OcspSigner& s = impl_->signers[*signer];
  if (OCSP_copy_nonce(basic.get(), req.get()) <= 0 ||
      OCSP_basic_sign(basic.get(), impl_->certs[*signer].get(), s.key.get(),
                      EVP_PKEY_get_base_id(s.key.get()) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256(), nullptr,
                      0) != 1)
    return status_only(OCSP_RESPONSE_STATUS_INTERNALERROR);
  ResponsePtr resp(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  return encode(resp.get());
}

}  // namespace trustmesh::pki
