// Certificate signing requests (PKCS#10, RFC 2986) as EST clients send them
// (RFC 7030 section 4.2.1: base64 DER, "application/pkcs10").
//
// parse_csr checks, in order, and refuses with a reason the client can act on:
//   * the body is base64 of exactly one DER CertificationRequest (kMalformed);
//   * the key is P-256 or Ed25519 (kUnsupported otherwise: RSA, other curves);
//   * the CSR's self-signature verifies under that key: proof of possession
//     (kBadSignature);
//   * the subject has exactly one commonName, a valid ledger device name
//     (kInvalidArgument);
//   * the requested extensions carry at most a subjectAltName of dNSName
//     entries (the operational domain names), each a valid host name:
//     LDH labels of 1..63 characters, 253 characters in all, at least two
//     labels, no trailing dot (kInvalidArgument); other SAN types are refused.
// Invariants: a returned Csr holds a verified public key (only its public part)
// and nothing else of the request is trusted beyond the checks above.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/x509_issue.h"

namespace trustmesh::pki {

inline constexpr size_t kMaxCsrDer = 16 * 1024;
inline constexpr size_t kMaxDnsNames = 8;

struct Csr {
  Bytes der;
  std::string cn;                      // the device name
  Bytes subject_der;                   // DER of the subject Name
  std::string subject;                 // one line, for people and logs
  std::vector<std::string> dns_names;  // requested subjectAltName dNSName entries
  std::string key_type;                // "p256" | "ed25519"
  x509::PkeyPtr public_key;            // the verified key (public part only)
};

Result<Csr> parse_csr(ByteView der);
// The request body: base64 (line breaks allowed) of the DER.
Result<Csr> parse_csr_base64(std::string_view body);

// Ok iff `name` is a host name as above (kInvalidArgument with the reason).
Status check_dns_name(std::string_view name);

// The csrattrs answer (RFC 7030 section 4.5.2): DER of a CsrAttrs SEQUENCE
// naming what this CA prefers: id-ecPublicKey with prime256v1, and
// ecdsa-with-SHA256.
Result<Bytes> csr_attrs_der();

}  // namespace trustmesh::pki
