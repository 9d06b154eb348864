// The registration-authority check in front of the EST CA: may this TLS client
// have a certificate for this device name? A pure function of the name's
// ledger record (the JSON of GET /v1/names/{name}), the request and the CA
// certificate; no I/O, no clock (the caller passes `now`).
//
// Rules (docs/API.md, "CA and EST service"):
//   * the name exists (kNameNotFound), is active (kNameRevoked, kNameExpired)
//     and, when the record has a `stage`, is not `retired` (kWrongState);
//   * a CSR with subjectAltName DNS names is allowed only in stages
//     `installed` and `operation`, or when the record has no stage (kWrongState);
//   * simpleenroll: the client authenticated with a TLS certificate (else
//     kVerificationFailure, HTTP 401) that is either
//       (a) the certificate bound to the name (SHA-256 of its DER equals
//           `cert_hash`): the device itself, unless the ledger revoked it
//           (`cert_revoked`: kCertRevoked), or
//       (b) any certificate (self-signed is fine) whose public key's ledger
//           address is the name's `owner`: the owner's ledger key;
//     anything else is kNotOwner (HTTP 403);
//   * simplereenroll: the client certificate is (a), or was issued by this CA
//     (its signature verifies under the CA certificate) for this name (its
//     commonName is the name) and is within its validity at `now`; and the
//     CSR's subject equals the client certificate's subject (kInvalidArgument).
//     (Whether such an issued certificate is still unrevoked on the ledger is
//     asked of the node's OCSP responder by the service: pki/est_revocation.h.)
// Invariants: grants nothing on a record it does not understand (missing
// owner/status/cert_hash fields are kMalformed).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/bytes.h"

namespace trustmesh::pki {

enum class EstOp { kEnroll, kReenroll };

struct RaRequest {
  EstOp op = EstOp::kEnroll;
  std::string name;                  // the CSR's commonName
  bool wants_dns = false;            // the CSR asks for subjectAltName DNS names
  Bytes csr_subject_der;             // DER of the CSR's subject Name
  std::optional<Bytes> client_cert;  // DER of the TLS client certificate, if any
};

inline constexpr const char* kViaDeviceCert = "device certificate";
inline constexpr const char* kViaOwnerKey = "owner key";
inline constexpr const char* kViaIssuedByThisCa = "certificate issued by this CA";

struct RaGrant {
  std::string via;    // one of kVia* above
  std::string stage;  // the record's stage, "" if it has none
};

// `record` is the node's answer for the name, or null when the node said 404.
Result<RaGrant> ra_check(const nlohmann::json& record, const RaRequest& req, ByteView ca_cert_der,
                         int64_t now);

// The HTTP status of an EST refusal (RFC 7030 section 4.2.3): 400 malformed or
// refused input, 401 no client authentication, 403 not entitled, 404 unknown
// name, 503 ledger unreachable, 500 anything else.
// (kCertRevoked and kCertNotFound, a re-enrolling certificate revoked or not
// on the ledger, are 403.)
int est_http_status(ErrorCode code);

}  // namespace trustmesh::pki
