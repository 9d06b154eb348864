// Issuing X.509 certificates with OpenSSL 3 (P-256, SHA-256): the tooling a
// manufacturer uses to make its hierarchy (root -> intermediate -> model ->
// device), and what tests and benchmarks use to build realistic chains.
// Not used by the state machine (which only reads certificates, x509.h).
//
// Invariants: every certificate is signed by the issuer's key (or its own,
// for a self-signed one) with ECDSA-SHA256; CA certificates carry a critical
// basicConstraints cA=TRUE and keyUsage keyCertSign|cRLSign; leaves carry
// cA=FALSE and digitalSignature.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace trustmesh::x509 {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct Issued {
  Bytes der;
  PkeyPtr key;  // the certificate's own private key
};

struct CertSpec {
  std::string cn;   // subject CN
  std::string org;  // subject O ("" = none)
  bool ca = false;
  int64_t not_before = 0;           // seconds since the epoch; 0 = now - 1 hour
  int64_t not_after = 0;            // 0 = not_before + 10 years
  std::string uri_san;              // "" = none
  int path_len = -1;                // pathLenConstraint of a CA; -1 = none
  std::optional<uint64_t> vid;      // Matter vendor id attribute in the subject (x509.h)
  std::optional<uint64_t> pid;      // Matter product id attribute
  bool ocsp_signing = false;        // a delegated OCSP responder: extendedKeyUsage OCSPSigning + ocsp-nocheck
  EVP_PKEY* subject_key = nullptr;  // certify this key (e.g. renewing a CA) instead of a new P-256 key
  std::vector<std::string> dns_sans;  // subjectAltName dNSName entries (with uri_san, if any)
  bool tls_client_server = false;     // a leaf for TLS: extendedKeyUsage clientAuth, serverAuth
};

// A new P-256 key and a certificate for it, signed by (issuer_der, issuer_key)
// or self-signed when issuer is nullopt.
Result<Issued> issue(const CertSpec& spec, const std::optional<std::pair<ByteView, EVP_PKEY*>>& issuer);

// A certificate for `subject_key` (only its public part is used; P-256 or
// Ed25519), signed by the issuer: what a CA service issues for a CSR.
// Equivalent to issue() with spec.subject_key set, returning only the DER.
Result<Bytes> certify(const CertSpec& spec, EVP_PKEY* subject_key, ByteView issuer_der, EVP_PKEY* issuer_key);

// Signs `message` with `key` (ECDSA SHA-256, or Ed25519): what
// x509::verify_by_cert_key checks.
Result<Bytes> sign_with(EVP_PKEY* key, ByteView message);

// PEM of a private key (PKCS#8, unencrypted) and its reverse.
std::string key_to_pem(EVP_PKEY* key);
Result<PkeyPtr> key_from_pem(std::string_view pem);

}  // namespace trustmesh::x509
