// X.509 v2 certificate revocation lists (RFC 5280 section 5) with OpenSSL 3.
//
// An organisation's CA signs a CRL; the ledger checks it deterministically
// (parse_crl, verify_crl_signed_by: no clock, no trust store) before it is
// published on the chain, and nodes serve it at the organisation's
// distribution point. sign_crl is for the CLI and CA services, which hold the
// key; the state machine never signs anything.
//
// Invariants: parse_crl accepts exactly one DER v2 CRL with no trailing
// bytes, at most kMaxCrlDer bytes, with a cRLNumber extension, no serial
// listed twice and none negative; as CRL extensions only cRLNumber and
// authorityKeyIdentifier, as entry extensions only a final reasonCode and
// invalidityDate (no delta CRLs, distribution-point scopes, indirect entries,
// holds or un-revocations: what the ledger accepts, every relying party reads
// alike). Serials are big-endian magnitudes as CertFacts::serial.
#pragma once

#include <openssl/evp.h>

#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"

namespace trustmesh::x509 {

inline constexpr size_t kMaxCrlDer = 64 * 1024;

struct CrlFacts {
  Hash32 hash{};         // SHA-256 of the DER
  Hash32 issuer_hash{};  // SHA-256 of the DER of the issuer Name
  std::string issuer;
  int64_t this_update = 0;  // seconds since the epoch
  int64_t next_update = 0;  // 0 = none given
  uint64_t number = 0;      // cRLNumber (at most 2^64 - 1 here)
  std::vector<Bytes> serials;
};

// kMalformed for anything but one DER CRL as above; kTooLarge past kMaxCrlDer.
Result<CrlFacts> parse_crl(ByteView der);

// Ok iff the CRL's issuer name is `issuer_der`'s subject, the certificate may
// sign CRLs (keyUsage, when present, has cRLSign) and the signature verifies
// under its key; kBadSignature otherwise.
Status verify_crl_signed_by(ByteView crl_der, ByteView issuer_der);

struct CrlEntry {
  Bytes serial;        // as CertFacts::serial
  int64_t revoked_at;  // seconds since the epoch
  std::string reason;  // RFC 5280 name (keyCompromise, superseded, ...) or "" for none
};

// RFC 5280 reason names: unspecified keyCompromise cACompromise
// affiliationChanged superseded cessationOfOperation certificateHold
// removeFromCRL privilegeWithdrawn aACompromise. -1 for anything else.
int crl_reason_code(std::string_view reason);
// Whether a ledger revocation may carry `reason`: "" or a name above except
// certificateHold and removeFromCRL (revocation on the ledger is final).
bool is_final_revocation_reason(std::string_view reason);

// A v2 CRL by the CA (issuer_der, key) listing `entries`, with cRLNumber
// `number`; next_update 0 leaves it out. Reasons not in the list above are left out.
Result<Bytes> sign_crl(ByteView issuer_der, EVP_PKEY* key, const std::vector<CrlEntry>& entries,
                       int64_t this_update, int64_t next_update, uint64_t number);

// PEM ("X509 CRL") or DER -> DER; and DER -> PEM.
Result<Bytes> read_crl(std::string_view pem_or_der);
std::string crl_to_pem(ByteView der);

}  // namespace trustmesh::x509
