// Internal to src/core: SHA-256 building blocks shared by hash.cc and keys.cc.
// Not part of the public API; other layers use hash.h.
//
// Invariant: sha256_md() is fetched once per process and never freed, so the
// pointer may be cached by callers.
#pragma once

#include <openssl/types.h>

#include "core/bytes.h"

namespace trustmesh::internal {

// The process-wide SHA-256 EVP_MD (EVP_MD_fetch(NULL, "SHA256", NULL)).
const EVP_MD* sha256_md();

// SHA-256 of data into out[0..32), using a thread-local context (no allocation).
void sha256_into(ByteView data, uint8_t out[32]);

}  // namespace trustmesh::internal
