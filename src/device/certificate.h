// A device's identity: its ID (a random RFC 4122 version-4 UUID, lowercase,
// which is also its ledger name), a P-256 key pair made on the device, and a
// self-signed X.509 v3 certificate:
//   subject = issuer = CN=<id>, O=trustmesh device
//   SAN     = URI:urn:uuid:<id>
//   basicConstraints critical CA:FALSE; keyUsage critical digitalSignature,
//   keyAgreement; serial 16 random bytes; signature ecdsa-with-SHA256;
//   validity [now - 60 s, now + days].
// Nobody signs it but the device: the ledger, which binds the ID to
// SHA-256(DER), is what makes it trustworthy.
//
// Invariants: make_identity's certificate carries exactly the key pair's
// public key; read_certificate refuses a certificate whose CN is not a UUID
// or whose SAN does not name the same UUID, and any non-P-256 key.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <string>

#include "core/hash.h"
#include "core/keys.h"

namespace trustmesh::device {

std::string new_uuid();            // random v4 UUID, e.g. "3f1c...-4..."
bool is_uuid(std::string_view s);  // lowercase 8-4-4-4-12 hex
Result<std::string> random_bytes_hex(size_t n);

struct Identity {
  std::string id;
  KeyPair key;
  Bytes cert_der;
  Hash32 cert_hash() const { return sha256(cert_der); }
};

// A new key pair and certificate for `id`, valid from now - 60 s for `days`.
Result<Identity> make_identity(const std::string& id, uint64_t now, uint32_t days);

struct CertificateInfo {
  std::string device_id;
  PublicKey key;
  uint64_t not_before = 0;  // seconds since the epoch
  uint64_t not_after = 0;
};

// Parses and checks the certificate's form (above) and its self-signature.
// kMalformed, kBadKey or kBadSignature otherwise.
Result<CertificateInfo> read_certificate(ByteView der);

// The same for a certificate OpenSSL has parsed already (a TLS peer's). The
// self-signature check may be skipped where the certificate's exact DER is
// then compared with the hash the ledger binds (the DM checked the signature
// before it registered that DER, and TLS proves possession of the key).
Result<CertificateInfo> certificate_info(X509* cert, bool check_self_signature);

}  // namespace trustmesh::device
