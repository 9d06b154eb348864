// The EST registration-authority check; see est_ra.h.
#include "pki/est_ra.h"

#include <openssl/x509.h>

#include <memory>

#include "core/address.h"
#include "core/hash.h"
#include "core/keys.h"
#include "core/x509.h"
#include "pki/ossl.h"

namespace trustmesh::pki {

using namespace detail;

namespace {

// The ledger address of the certificate's key, if it is a P-256 or Ed25519 key.
std::optional<std::string> key_address(X509* x) {
  unsigned char* d = nullptr;
  const int n = i2d_PUBKEY(X509_get0_pubkey(x), &d);
  if (n <= 0) return std::nullopt;
  auto key = PublicKey::from_der(ByteView(d, static_cast<size_t>(n)));
  OPENSSL_free(d);
  if (!key.ok()) return std::nullopt;
  return Address::of(*key).to_string();
}

Bytes subject_der(X509* x) {
  unsigned char* d = nullptr;
  const int n = i2d_X509_NAME(X509_get_subject_name(x), &d);
  Bytes out;
  if (n > 0) out.assign(d, d + n);
  OPENSSL_free(d);
  return out;
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Whether the name's history (as GET /v1/names/{name} lists it) has a
// "certify" entry for `cert_hex` at or after the current registration.
bool certified_since_registration(const nlohmann::json& record, const std::string& cert_hex) {
  const auto reg = record.find("registered_at");
  const auto history = record.find("history");
  if (reg == record.end() || !reg->is_number_integer() || history == record.end() || !history->is_array())
    return false;
  for (const auto& e : *history) {
    if (!e.is_object() || str(e, "op") != "certify" || str(e, "cert") != cert_hex) continue;
    const auto h = e.find("height");
    if (h != e.end() && h->is_number_integer() && h->get<int64_t>() >= reg->get<int64_t>()) return true;
  }
  return false;
}

}  // namespace

Result<RaGrant> ra_check(const nlohmann::json& record, const RaRequest& req, ByteView ca_cert_der,
                         int64_t now) {
  const std::string& name = req.name;
  if (record.is_null())
    return make_error(ErrorCode::kNameNotFound, "device name '" + name +
                                                    "' is not registered on the ledger: register it first "
                                                    "(trustmesh name register " +
                                                    name + " --cert-hash ...)");
  if (!record.is_object())
    return make_error(ErrorCode::kMalformed, "the ledger's record of '" + name + "' is not an object");
  const std::string owner = str(record, "owner"), status = str(record, "status"),
                    cert_hash = str(record, "cert_hash");
  if (owner.empty() || status.empty() || cert_hash.empty())
    return make_error(ErrorCode::kMalformed,
                      "the ledger's record of '" + name + "' lacks owner, status or cert_hash");
  if (status == "revoked")
    return make_error(ErrorCode::kNameRevoked, "device name '" + name + "' is revoked on the ledger (final)");
  if (status == "retired")
    return make_error(ErrorCode::kNameRetired, "device '" + name + "' is retired: no new certificates");
  if (status == "expired")
    return make_error(ErrorCode::kNameExpired,
                      "device name '" + name + "' has expired: its owner must register or renew it");
  if (status != "active")
    return make_error(ErrorCode::kMalformed,
                      "device name '" + name + "' has unknown status '" + status + "'");
  RaGrant grant;
  const bool staged = record.contains("stage");
  if (staged) {
    grant.stage = str(record, "stage");
    if (grant.stage.empty())
      return make_error(ErrorCode::kMalformed,
                        "the ledger's record of '" + name + "' has a stage that is not a string");
    if (grant.stage == "retired")
      return make_error(ErrorCode::kWrongState, "device '" + name + "' is retired: no new certificates");
  }
  if (req.wants_dns && staged && grant.stage != "installed" && grant.stage != "operation")
    return make_error(
        ErrorCode::kWrongState,
        "device '" + name + "' is in stage '" + grant.stage +
            "': a certificate with an operational DNS name is issued only in stage installed or "
            "operation (send the CSR without subjectAltName, or move the device to that stage first)");
  if (!req.client_cert)
    return make_error(ErrorCode::kVerificationFailure,
                      "no TLS client certificate: authenticate with the device's certificate bound to '" +
                          name +
                          "' or a certificate of the owner's ledger key (curl --cert FILE --key FILE)");
  X509Ptr client = decode_x509(*req.client_cert);
  if (!client) return make_error(ErrorCode::kMalformed, "the TLS client certificate does not parse");

  if (to_hex(sha256(*req.client_cert)) == cert_hash) {
    const auto revoked = record.find("cert_revoked");
    if (revoked != record.end() && revoked->is_boolean() && revoked->get<bool>())
      return make_error(
          ErrorCode::kCertRevoked,
          "the certificate bound to '" + name +
              "' is revoked on the ledger: it cannot enrol (the owner enrols with its ledger key, "
              "or binds a new certificate)");
    grant.via = kViaDeviceCert;
  } else if (req.op == EstOp::kEnroll) {
    auto addr = key_address(client.get());
    if (!addr || *addr != owner)
      return make_error(ErrorCode::kNotOwner,
                        "the TLS client certificate is neither the certificate bound to '" + name +
                            "' (sha256 " + cert_hash.substr(0, 16) +
                            "...) nor a certificate of its owner's ledger key (" + owner +
                            "): authenticate with one of them (e.g. openssl req -x509 -key <owner key>.pem)");
    grant.via = kViaOwnerKey;
  } else {
    auto facts = x509::parse_certificate(*req.client_cert);
    const bool ours = facts.ok() && x509::verify_signed_by(*req.client_cert, ca_cert_der).ok();
    if (!ours || facts->cn != name)
      return make_error(ErrorCode::kNotOwner,
                        "re-enrolment needs the TLS client certificate this CA issued for '" + name +
                            "' (or the one bound to the name); use simpleenroll for a first certificate");
    if (now < facts->not_before || now > facts->not_after)
      return make_error(ErrorCode::kNotOwner, "the client certificate for '" + name +
                                                  "' is outside its validity: enrol again with simpleenroll");
    // Certified for this very registration of the name (a "certify" entry of
    // its history since registered_at): not a certificate of an earlier
    // holder of the same name.
    if (!certified_since_registration(record, to_hex(facts->hash)))
      return make_error(ErrorCode::kCertNotFound,
                        "the client certificate was not certified on the ledger for '" + name +
                            "' since its registration: enrol with simpleenroll");
    grant.via = kViaIssuedByThisCa;
  }
  if (req.op == EstOp::kReenroll && subject_der(client.get()) != req.csr_subject_der)
    return make_error(
        ErrorCode::kInvalidArgument,
        "re-enrolment: the CSR's subject must equal the client certificate's subject (RFC 7030 4.2.2)");
  return grant;
}

int est_http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed:
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kBadSignature:
    case ErrorCode::kUnsupported:
    case ErrorCode::kTooLarge:
    case ErrorCode::kBadName: return 400;
    case ErrorCode::kVerificationFailure: return 401;
    case ErrorCode::kNotOwner:
    case ErrorCode::kNameRevoked:
    case ErrorCode::kNameRetired:
    case ErrorCode::kNameExpired:
    case ErrorCode::kWrongState:
    case ErrorCode::kCertRevoked:
    case ErrorCode::kCertNotFound: return 403;
    case ErrorCode::kNameNotFound: return 404;
    case ErrorCode::kLedgerUnavailable: return 503;
    default: return 500;
  }
}

}  // namespace trustmesh::pki
