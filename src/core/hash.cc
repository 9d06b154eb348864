// SHA-256, HMAC-SHA-256 and HKDF-SHA-256 wrappers over OpenSSL 3 EVP; see hash.h.
//
// Invariants:
//  * No primitive is implemented here: every digest, MAC and KDF is computed by
//    OpenSSL. This file only fetches algorithms and moves bytes.
//  * Algorithm objects (EVP_MD, EVP_MAC, EVP_KDF) are fetched once per process
//    and never freed (they outlive every caller, including thread exit).
//  * Contexts are never shared between threads: one-shot sha256() reuses a
//    thread-local EVP_MD_CTX, everything else allocates its own.
//  * OpenSSL failure here means allocation failure or a broken installation,
//    which functions returning a bare Hash32 cannot report: they abort
//    (TM_ASSERT). hkdf_sha256 reports kCryptoFailure instead.
#include "core/hash.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "core/hash_internal.h"

namespace trustmesh {
namespace internal {

const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  TM_ASSERT(md != nullptr);
  return md;
}

void sha256_into(ByteView data, uint8_t out[32]) {
  // One context per thread, reset by each EVP_DigestInit_ex2: no allocation
  // per call on the hot path (transaction hashing, signature verification).
  struct TlsCtx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~TlsCtx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local TlsCtx tls;
  TM_ASSERT(tls.ctx != nullptr);
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex2(tls.ctx, sha256_md(), nullptr) == 1 &&
            EVP_DigestUpdate(tls.ctx, data.data(), data.size()) == 1 &&
            EVP_DigestFinal_ex(tls.ctx, out, &len) == 1;
  TM_ASSERT(ok && len == 32);
}

}  // namespace internal

Hash32 sha256(ByteView data) {
  Hash32 out;
  internal::sha256_into(data, out.data());
  return out;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  TM_ASSERT(ctx_ != nullptr);
  int rc = EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), internal::sha256_md(), nullptr);
  TM_ASSERT(rc == 1);
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

Sha256& Sha256::update(ByteView data) {
  TM_ASSERT(ctx_ != nullptr);  // update() after finish()
  int rc = EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
  TM_ASSERT(rc == 1);
  return *this;
}

Hash32 Sha256::finish() {
  TM_ASSERT(ctx_ != nullptr);  // finish() called twice
  Hash32 out;
  unsigned int len = 0;
  int rc = EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &len);
  TM_ASSERT(rc == 1 && len == 32);
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
  ctx_ = nullptr;
  return out;
}

namespace {

// OpenSSL treats a NULL buffer as "not given" in several places (e.g. an HMAC
// key of NULL means "reuse the previous key"), so empty inputs are passed as a
// valid pointer with length 0.
const uint8_t kEmpty[1] = {0};
const uint8_t* nonnull(ByteView v) {
  return v.empty() ? kEmpty : v.data();
}

EVP_MAC* hmac_mac() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  TM_ASSERT(mac != nullptr);
  return mac;
}

EVP_KDF* hkdf_kdf() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  TM_ASSERT(kdf != nullptr);
  return kdf;
}

char kSha256Name[] = "SHA256";

}  // namespace

Hash32 hmac_sha256(ByteView key, ByteView data) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac_mac());
  TM_ASSERT(ctx != nullptr);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, kSha256Name, 0),
      OSSL_PARAM_construct_end(),
  };
  Hash32 out;
  size_t len = 0;
  bool ok = EVP_MAC_init(ctx, nonnull(key), key.size(), params) == 1 &&
            EVP_MAC_update(ctx, data.data(), data.size()) == 1 &&
            EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1;
  EVP_MAC_CTX_free(ctx);
  TM_ASSERT(ok && len == 32);
  return out;
}

Result<Bytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, size_t length) {
  if (length > 255 * 32) {
    return make_error(ErrorCode::kInvalidArgument,
                      "HKDF-SHA-256 output length " + std::to_string(length) + " exceeds the maximum 8160");
  }
  if (length == 0) return Bytes{};  // OpenSSL rejects a zero-length derive
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, kSha256Name, 0);
  params[n++] =
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(nonnull(ikm)), ikm.size());
  // An absent salt is HashLen zero bytes (RFC 5869 2.2); HMAC pads an empty key
  // with zeros, so leaving the parameter out is the same thing.
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()),
                                                    salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.data()),
                                                    info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(hkdf_kdf());
  if (ctx == nullptr) return make_error(ErrorCode::kCryptoFailure, "HKDF: cannot allocate context");
  Bytes out(length);
  int rc = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kCryptoFailure, "HKDF-SHA-256 derivation failed in OpenSSL");
  }
  return out;
}

}  // namespace trustmesh
