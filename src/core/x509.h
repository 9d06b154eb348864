// X.509 certificate facts for the ledger and the trust layer (OpenSSL 3).
//
// Only what a deterministic state machine may use: the DER bytes, names,
// the CA flag, the validity window as numbers, and signature checks between
// two given certificates. Nothing here reads a clock, a trust store or the
// network, so the same bytes give the same answer on every node.
//
// Invariants: parse_certificate accepts exactly one DER certificate with no
// trailing bytes, at most kMaxCertDer bytes; a certificate is named by the
// SHA-256 of the bytes given; verify_signed_by checks only the issuer name and
// the signature, never time or purpose.
#pragma once

#include <optional>
#include <string>

#include "core/bytes.h"

namespace trustmesh::x509 {

inline constexpr size_t kMaxCertDer = 16 * 1024;

struct CertFacts {
  Hash32 hash{};          // SHA-256 of the DER
  Hash32 subject_hash{};  // SHA-256 of the DER of the subject Name
  Hash32 issuer_hash{};   // SHA-256 of the DER of the issuer Name
  Bytes serial;           // serial number, big-endian magnitude (what a CRL lists)
  std::string subject;    // one line, RFC 2253 style, for people
  std::string cn;         // the subject's commonName as UTF-8; "" if none or more than one
  std::string issuer;
  Hash32 key_hash{};   // SHA-256 of the SubjectPublicKeyInfo DER: the key, however the certificate is encoded
  bool is_ca = false;  // basicConstraints present with cA=TRUE
  int64_t path_len = -1;  // basicConstraints pathLenConstraint of a CA; -1 = none
  // Vendor and product id in the subject, as Matter writes them (attributes
  // 1.3.6.1.4.1.37244.2.1 and .2.2, four upper-case hex digits); absent = none.
  std::optional<uint64_t> vid;
  std::optional<uint64_t> pid;
  int64_t not_before = 0;  // seconds since the epoch
  int64_t not_after = 0;
  bool self_issued() const { return subject_hash == issuer_hash; }
};

inline constexpr const char* kVidOid = "1.3.6.1.4.1.37244.2.1";
inline constexpr const char* kPidOid = "1.3.6.1.4.1.37244.2.2";

// kMalformed for bytes that are not one DER certificate (or that carry a
// vendor/product id attribute that is not four hex digits, or twice); kTooLarge past kMaxCertDer.
Result<CertFacts> parse_certificate(ByteView der);

// Ok iff `child`'s signature verifies under `issuer`'s public key and the
// child's issuer name equals the issuer's subject name. kBadSignature otherwise.
Status verify_signed_by(ByteView child_der, ByteView issuer_der);

// Ok iff `sig` is a signature over `message` by the key of `cert_der`
// (ECDSA with SHA-256, DER-encoded as OpenSSL writes it, or Ed25519).
// kBadSignature otherwise: proof that the sender holds the certificate's key.
Status verify_by_cert_key(ByteView cert_der, ByteView message, ByteView sig);

// PEM (one or more CERTIFICATE blocks) or a single DER certificate -> DER list.
Result<std::vector<Bytes>> read_certificates(std::string_view pem_or_der);

// The DER certificate as one PEM block.
std::string to_pem(ByteView der);

}  // namespace trustmesh::x509
