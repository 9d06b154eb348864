// ECIES sealed boxes (seal.h).
#include "device/seal.h"

#include <openssl/rand.h>

#include <memory>

#include "core/hash.h"
#include "device/ossl.h"

namespace trustmesh::device {

namespace {

constexpr uint8_t kVersion = 0x01;
constexpr size_t kPubSize = 34;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr std::string_view kInfo = "trustmesh-seal-v1";

struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

Result<Bytes> ecdh(EVP_PKEY* mine, EVP_PKEY* theirs) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new(mine, nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), theirs) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    return make_error(ErrorCode::kCryptoFailure, "ECDH: " + openssl_error());
  }
  Bytes z(len);
  if (EVP_PKEY_derive(ctx.get(), z.data(), &len) != 1) {
    return make_error(ErrorCode::kCryptoFailure, "ECDH: " + openssl_error());
  }
  z.resize(len);
  return z;
}

Result<Bytes> box_key(ByteView z, const PublicKey& eph, const PublicKey& recipient) {
  Bytes salt = eph.encoded();
  salt.insert(salt.end(), recipient.encoded().begin(), recipient.encoded().end());
  return hkdf_sha256(z, salt, as_bytes(kInfo), 32);
}

}  // namespace

Result<Bytes> seal(const PublicKey& recipient, ByteView plaintext, ByteView aad) {
  if (recipient.alg() != KeyAlg::kP256)
    return make_error(ErrorCode::kBadKey, "sealed boxes need a P-256 key");
  TM_ASSIGN_OR_RETURN(KeyPair eph, KeyPair::generate(KeyAlg::kP256));
  TM_ASSIGN_OR_RETURN(EvpPkeyPtr e, evp_private(eph));
  TM_ASSIGN_OR_RETURN(EvpPkeyPtr r, evp_public(recipient));
  TM_ASSIGN_OR_RETURN(Bytes z, ecdh(e.get(), r.get()));
  TM_ASSIGN_OR_RETURN(Bytes key, box_key(z, eph.public_key(), recipient));
  OPENSSL_cleanse(z.data(), z.size());

  Bytes out;
  out.reserve(kSealOverhead + plaintext.size());
  out.push_back(kVersion);
  out.insert(out.end(), eph.public_key().encoded().begin(), eph.public_key().encoded().end());
  size_t nonce_at = out.size();
  out.resize(nonce_at + kNonceSize);
  if (RAND_bytes(out.data() + nonce_at, kNonceSize) != 1) {
    return make_error(ErrorCode::kCryptoFailure, "RAND_bytes failed");
  }
  size_t ct_at = out.size();
  out.resize(ct_at + plaintext.size() + kTagSize);
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> c(EVP_CIPHER_CTX_new());
  int n = 0;
  bool ok =
      c && EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data() + nonce_at) == 1 &&
      (aad.empty() ||
       EVP_EncryptUpdate(c.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1) &&
      (plaintext.empty() || EVP_EncryptUpdate(c.get(), out.data() + ct_at, &n, plaintext.data(),
                                              static_cast<int>(plaintext.size())) == 1) &&
      EVP_EncryptFinal_ex(c.get(), out.data() + ct_at + plaintext.size(), &n) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, out.data() + ct_at + plaintext.size()) ==
          1;
  OPENSSL_cleanse(key.data(), key.size());
  if (!ok) return make_error(ErrorCode::kCryptoFailure, "AES-256-GCM: " + openssl_error());
  return out;
}

Result<Bytes> open_sealed(const KeyPair& recipient, ByteView box, ByteView aad) {
  auto refused = [](const std::string& why) {
    return make_error(ErrorCode::kDecryptFailed, "sealed box does not open: " + why);
  };
  if (box.size() < kSealOverhead || box[0] != kVersion) return refused("too short or unknown version");
  Result<PublicKey> eph = PublicKey::from_encoded(box.subspan(1, kPubSize));
  if (!eph.ok() || eph->alg() != KeyAlg::kP256) return refused("bad ephemeral key");
  TM_ASSIGN_OR_RETURN(EvpPkeyPtr mine, evp_private(recipient));
  TM_ASSIGN_OR_RETURN(EvpPkeyPtr e, evp_public(*eph));
  TM_ASSIGN_OR_RETURN(Bytes z, ecdh(mine.get(), e.get()));
  TM_ASSIGN_OR_RETURN(Bytes key, box_key(z, *eph, recipient.public_key()));
  OPENSSL_cleanse(z.data(), z.size());

  const uint8_t* nonce = box.data() + 1 + kPubSize;
  ByteView ct = box.subspan(1 + kPubSize + kNonceSize, box.size() - kSealOverhead);
  Bytes tag(box.end() - kTagSize, box.end());
  Bytes out(ct.size());
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> c(EVP_CIPHER_CTX_new());
  int n = 0;
  bool ok = c && EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
            (aad.empty() ||
             EVP_DecryptUpdate(c.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1) &&
            (ct.empty() ||
             EVP_DecryptUpdate(c.get(), out.data(), &n, ct.data(), static_cast<int>(ct.size())) == 1) &&
            EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(c.get(), out.data() + ct.size(), &n) == 1;
  OPENSSL_cleanse(key.data(), key.size());
  if (!ok) {
    openssl_error();
    OPENSSL_cleanse(out.data(), out.size());
    return refused("authentication tag mismatch (tampered, wrong key or wrong context)");
  }
  return out;
}

}  // namespace trustmesh::device
