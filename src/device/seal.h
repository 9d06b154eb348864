// Sealed boxes: bytes encrypted to a P-256 public key, so only the holder of
// the private key opens them (ECIES with standard parts, all from OpenSSL;
// OpenSSL 3.0 has no HPKE). Used for a device's certificate sent to its DM,
// configurations sent to a device, and device-to-device messages.
//
// Byte layout of seal(R, plaintext, aad), R the recipient's key:
//   0      1 byte   version 0x01
//   1     34 bytes  E = ephemeral public key, PublicKey::encoded()
//                   (0x01 || SEC1 compressed P-256 point)
//   35    12 bytes  GCM nonce (random)
//   47     n bytes  AES-256-GCM ciphertext of plaintext (n = plaintext size)
//   47+n  16 bytes  GCM tag
// with
//   z   = ECDH(e, R): the 32-byte x-coordinate of e*R (e = E's private key)
//   key = HKDF-SHA-256(ikm = z, salt = E.encoded() || R.encoded(),
//                      info = "trustmesh-seal-v1", length 32)
//   GCM additional data = aad (the caller's context, e.g. message type and
//                          device ID, so a box cannot be moved to another use)
// A fresh ephemeral key per box: boxes are unlinkable and the key is never
// reused with a nonce.
//
// Invariants: open(k, seal(k.pub, m, a), a) == m; any change to the box, the
// aad or the key gives kDecryptFailed, never partial plaintext.
#pragma once

#include "core/keys.h"

namespace trustmesh::device {

inline constexpr size_t kSealOverhead = 1 + 34 + 12 + 16;

Result<Bytes> seal(const PublicKey& recipient, ByteView plaintext, ByteView aad);
Result<Bytes> open_sealed(const KeyPair& recipient, ByteView box, ByteView aad);

}  // namespace trustmesh::device
