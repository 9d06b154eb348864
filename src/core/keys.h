// Key pairs and signatures: ECDSA P-256 (default) and Ed25519, via OpenSSL 3 EVP.
//
// Wire forms (these bytes are hashed into addresses and signed into txs, so
// they are fixed):
//  * PublicKey::encoded(): 1 algorithm byte then the key:
//      0x01 || 33-byte SEC1 compressed P-256 point   (34 bytes)
//      0x02 || 32-byte Ed25519 public key            (33 bytes)
//  * Signature: P-256 is r || s, each 32 bytes big-endian, with s <= n/2
//    ("low-S"); Ed25519 is the 64-byte RFC 8032 signature. Exactly one byte
//    string is accepted for each (message, key) under P-256: a high-S or
//    otherwise non-canonical signature is rejected, so signatures (and the
//    hashes of the transactions that carry them) cannot be malleated.
//  * P-256 signs SHA-256(message); Ed25519 signs the message itself (PureEdDSA).
//
// Invariants: a PublicKey/KeyPair object always holds a valid key (constructed
// only through the factory functions, which validate). The underlying OpenSSL
// key is immutable and shared by copies; any number of threads may verify or
// sign with the same key at once.
//
// Errors: kBadKey for a key that is not an acceptable P-256/Ed25519 key
// (wrong algorithm or curve, bad length, point not on the curve, mismatched
// key pair); kMalformed for DER/PEM that does not parse; kBadSignature from
// check(); kInvalidArgument for bad arguments (seed size, algorithm name);
// kTooLarge for PEM text over 1 MiB; kCryptoFailure if OpenSSL itself fails.
// Ed25519 public keys are checked for length only (OpenSSL does not decode
// the point on import); an invalid one simply verifies nothing.
#pragma once

#include <memory>
#include <string>

#include "core/bytes.h"

namespace trustmesh {

enum class KeyAlg : uint8_t { kP256 = 1, kEd25519 = 2 };

std::string_view key_alg_name(KeyAlg alg);  // "p256" | "ed25519"
Result<KeyAlg> parse_key_alg(std::string_view name);

constexpr size_t kSignatureSize = 64;

struct EvpKey;  // owns an EVP_PKEY*; defined in keys.cc

class PublicKey {
 public:
  // Parses the 34/33-byte encoded form above. Rejects unknown algorithm bytes,
  // wrong lengths and points not on the curve.
  static Result<PublicKey> from_encoded(ByteView encoded);
  // Same result as from_encoded, memoised in a small per-thread cache: parsing
  // a P-256 key (point decompression) costs about half a verify, and ledger
  // senders repeat. Pure: the cache never changes what is returned.
  static Result<PublicKey> from_encoded_cached(ByteView encoded);
  // SubjectPublicKeyInfo, DER or PEM. to_der/to_pem write P-256 points
  // uncompressed (the usual SPKI form); from_der/from_pem accept either.
  static Result<PublicKey> from_der(ByteView der);
  static Result<PublicKey> from_pem(std::string_view pem);

  KeyAlg alg() const { return alg_; }
  const Bytes& encoded() const { return encoded_; }
  Result<Bytes> to_der() const;
  Result<std::string> to_pem() const;

  // True iff sig is the canonical signature form for this key's algorithm and
  // verifies over message. Never throws; any malformed input is just false.
  bool verify(ByteView message, ByteView sig) const;
  // Same, with a reason on failure (kBadSignature).
  Status check(ByteView message, ByteView sig) const;

  bool operator==(const PublicKey& o) const { return encoded_ == o.encoded_; }

 private:
  PublicKey(KeyAlg alg, Bytes encoded, std::shared_ptr<EvpKey> key)
      : alg_(alg), encoded_(std::move(encoded)), key_(std::move(key)) {}
  KeyAlg alg_;
  Bytes encoded_;
  std::shared_ptr<EvpKey> key_;
};

class KeyPair {
 public:
  static Result<KeyPair> generate(KeyAlg alg = KeyAlg::kP256);
  // PKCS#8 private key, DER or PEM (unencrypted). SEC1 "EC PRIVATE KEY" is
  // also read; to_der/to_pem always write PKCS#8.
  static Result<KeyPair> from_der(ByteView pkcs8_der);
  static Result<KeyPair> from_pem(std::string_view pem);
  // Deterministic key from a 32-byte seed, for tests and reproducible examples
  // only (P-256: scalar = seed reduced into [1, n-1]; Ed25519: the RFC 8032 seed).
  static Result<KeyPair> from_seed(KeyAlg alg, ByteView seed32);

  const PublicKey& public_key() const { return pub_; }
  KeyAlg alg() const { return pub_.alg(); }
  Result<Bytes> to_der() const;        // PKCS#8
  Result<std::string> to_pem() const;  // PKCS#8 PEM

  // Canonical 64-byte signature (see above).
  Result<Bytes> sign(ByteView message) const;

 private:
  KeyPair(PublicKey pub, std::shared_ptr<EvpKey> priv) : pub_(std::move(pub)), priv_(std::move(priv)) {}
  PublicKey pub_;
  std::shared_ptr<EvpKey> priv_;
};

}  // namespace trustmesh
