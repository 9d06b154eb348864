// Hashing and key derivation through OpenSSL 3: SHA-256, HMAC-SHA-256 and
// HKDF-SHA-256 (RFC 5869). No primitive is implemented here, only wrapped.
#pragma once

#include "core/bytes.h"

namespace trustmesh {

Hash32 sha256(ByteView data);

// Incremental SHA-256 for data that arrives in pieces. Not copyable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& update(ByteView data);
  Sha256& update(uint8_t byte) { return update(ByteView(&byte, 1)); }
  Hash32 finish();  // may be called once

 private:
  void* ctx_;  // EVP_MD_CTX*
};

Hash32 hmac_sha256(ByteView key, ByteView data);

// HKDF-SHA-256 extract-and-expand. length <= 255*32, else kInvalidArgument.
Result<Bytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, size_t length);

}  // namespace trustmesh
