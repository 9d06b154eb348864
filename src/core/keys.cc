// ECDSA P-256 and Ed25519 keys and signatures over OpenSSL 3 EVP; see keys.h.
//
// Invariants:
//  * No primitive is implemented here. OpenSSL does all curve and signature
//    arithmetic; this file only converts encodings (SEC1 compressed point
//    <-> uncompressed, r||s <-> DER ECDSA-Sig-Value) and checks ranges.
//  * Every PublicKey is built by PublicKey::from_encoded, so all public keys
//    have one internal form (named curve, provider-native EVP_PKEY) whatever
//    they were read from. Every KeyPair's private key is rebuilt from its
//    scalar (P-256) or seed (Ed25519), and an embedded public key that does
//    not match the private key is rejected.
//  * An EvpKey is immutable after construction. Each verify/sign uses its own
//    EVP_MD_CTX (thread-local for verify), so one key may be used from many
//    threads at once.
//  * P-256 signatures leave sign() as r||s with s <= n/2, and verify() accepts
//    nothing else (r, s in [1, n-1], s <= n/2, exactly 64 bytes).
//  * OpenSSL's per-thread error queue is drained on every failure, so stale
//    errors never leak into unrelated later calls.
#include "core/keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <utility>

#include "core/hash_internal.h"

namespace trustmesh {

struct EvpKey {
  explicit EvpKey(EVP_PKEY* k) : pkey(k) {}
  ~EvpKey() { EVP_PKEY_free(pkey); }
  EvpKey(const EvpKey&) = delete;
  EvpKey& operator=(const EvpKey&) = delete;
  EVP_PKEY* const pkey;
};

namespace {

// ---------------------------------------------------------------------------
// Constants and small helpers.

constexpr size_t kP256EncodedSize = 34;
constexpr size_t kEd25519EncodedSize = 33;
constexpr size_t kScalarSize = 32;

// P-256 group order n and floor(n/2), big-endian (SEC 2, section 2.4.2).
constexpr uint8_t kP256Order[kScalarSize] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
                                             0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
constexpr uint8_t kP256HalfOrder[kScalarSize] = {
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8};

char kGroupP256[] = "prime256v1";

// unique_ptr deleter calling an OpenSSL free function.
template <auto FreeFn>
struct OsslFree {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslFree<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslFree<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslFree<EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, OsslFree<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OsslFree<BN_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OsslFree<BIO_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslFree<ECDSA_SIG_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, OsslFree<EC_GROUP_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, OsslFree<EC_POINT_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslFree<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OsslFree<OSSL_PARAM_free>>;
using EncoderCtxPtr = std::unique_ptr<OSSL_ENCODER_CTX, OsslFree<OSSL_ENCODER_CTX_free>>;

// OpenSSL reads a NULL message pointer as "no data" in some paths; always pass
// a valid pointer.
const uint8_t kEmpty[1] = {0};
const uint8_t* nonnull(ByteView v) {
  return v.empty() ? kEmpty : v.data();
}

// Drains this thread's OpenSSL error queue; returns the first (root-cause)
// error as text, or "" if there was none.
std::string take_openssl_error() {
  unsigned long first = ERR_get_error();
  if (first == 0) return {};
  while (ERR_get_error() != 0) {
  }
  char buf[256];
  ERR_error_string_n(first, buf, sizeof buf);
  return buf;
}

Error openssl_error(ErrorCode code, std::string message) {
  std::string detail = take_openssl_error();
  if (!detail.empty()) message += " [" + detail + "]";
  return make_error(code, std::move(message));
}

// Never prompt for a passphrase (OpenSSL's default callback reads the tty).
int no_passphrase(char*, int, int, void*) {
  return 0;
}

// Byte strings of length 32 compared as big-endian integers.
bool is_zero32(const uint8_t* v) {
  uint8_t acc = 0;
  for (size_t i = 0; i < kScalarSize; ++i) acc |= v[i];
  return acc == 0;
}
int cmp32(const uint8_t* a, const uint8_t* b) {
  return std::memcmp(a, b, kScalarSize);
}

// ---------------------------------------------------------------------------
// Key classification and public-key encoding.

// Which of our algorithms pkey uses, or kBadKey naming what it is instead.
Result<KeyAlg> classify(EVP_PKEY* pkey) {
  static constexpr const char* kHint = "; trustmesh keys must be ECDSA P-256 (prime256v1) or Ed25519";
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyAlg::kEd25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[80];
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
      take_openssl_error();
      return make_error(
          ErrorCode::kBadKey,
          std::string("EC key uses explicit curve parameters instead of a named curve") + kHint);
    }
    std::string_view name(group, len);
    if (name == "prime256v1" || name == "P-256") return KeyAlg::kP256;
    return make_error(ErrorCode::kBadKey, "unsupported EC curve " + std::string(name) + kHint);
  }
  const char* type = EVP_PKEY_get0_type_name(pkey);
  return make_error(ErrorCode::kBadKey,
                    std::string("unsupported key type ") + (type != nullptr ? type : "(unknown)") + kHint);
}

// The encoded() form of pkey's public key (see keys.h).
Result<Bytes> encode_public(EVP_PKEY* pkey, KeyAlg alg) {
  if (alg == KeyAlg::kEd25519) {
    Bytes out(kEd25519EncodedSize);
    out[0] = static_cast<uint8_t>(KeyAlg::kEd25519);
    size_t len = 32;
    if (EVP_PKEY_get_raw_public_key(pkey, out.data() + 1, &len) != 1 || len != 32) {
      return openssl_error(ErrorCode::kBadKey, "cannot read the Ed25519 public key");
    }
    return out;
  }
  // OpenSSL hands out the point in the key's own conversion form (normally
  // uncompressed). Compressing is an encoding step: x, plus the parity of y.
  uint8_t point[65];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &len) !=
      1) {
    return openssl_error(ErrorCode::kBadKey,
                         "cannot read the P-256 public key (is the public point missing?)");
  }
  Bytes out(kP256EncodedSize);
  out[0] = static_cast<uint8_t>(KeyAlg::kP256);
  if (len == 65 && point[0] == 0x04) {
    out[1] = static_cast<uint8_t>(0x02 | (point[64] & 1));
    std::memcpy(out.data() + 2, point + 1, 32);
  } else if (len == 33 && (point[0] == 0x02 || point[0] == 0x03)) {
    std::memcpy(out.data() + 1, point, 33);
  } else {
    return make_error(ErrorCode::kBadKey, "P-256 public point has an unsupported encoding");
  }
  return out;
}

// The P-256 domain parameters as a parameters-only EVP_PKEY, built once per
// process and only read afterwards. Copying them into a new key is much
// cheaper than EVP_PKEY_fromdata, which rebuilds the curve group from its name
// for every key (about a third of the cost of parsing a public key).
const EVP_PKEY* p256_params() {
  static EVP_PKEY* const params = [] {
    EVP_PKEY* out = nullptr;
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    if (ctx == nullptr || EVP_PKEY_paramgen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_group_name(ctx, kGroupP256) != 1 || EVP_PKEY_paramgen(ctx, &out) != 1) {
      EVP_PKEY_free(out);
      out = nullptr;
    }
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return out;
  }();
  return params;
}

// Imports a 33-byte SEC1 compressed point. OpenSSL decompresses it, which
// rejects x >= p, an x with no matching y, and so any point not on the curve.
Result<PkeyPtr> import_p256_point(const uint8_t* point33) {
  const EVP_PKEY* params = p256_params();
  PkeyPtr pkey(EVP_PKEY_new());
  if (params == nullptr || pkey == nullptr || EVP_PKEY_copy_parameters(pkey.get(), params) != 1) {
    return openssl_error(ErrorCode::kCryptoFailure, "OpenSSL cannot create a P-256 key");
  }
  if (EVP_PKEY_set1_encoded_public_key(pkey.get(), point33, 33) != 1) {
    return openssl_error(ErrorCode::kBadKey, "P-256 public key is not a valid point on the curve");
  }
  // Setting the point made the key remember the compressed form; DER/PEM
  // output (SubjectPublicKeyInfo) uses the uncompressed form everyone reads.
  if (EVP_PKEY_set_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     "uncompressed") != 1) {
    return openssl_error(ErrorCode::kCryptoFailure, "OpenSSL cannot set the P-256 point format");
  }
  // Defence in depth. The quick check (not infinity, coordinates in range, on
  // the curve) is complete for P-256: its cofactor is 1, so every such point
  // has order n and the full check's extra n*Q multiplication (as costly as a
  // whole signature verification) would add nothing.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check_quick(check.get()) != 1) {
    return openssl_error(ErrorCode::kBadKey, "P-256 public key fails validation");
  }
  return pkey;
}

// ---------------------------------------------------------------------------
// Private keys.

// A P-256 key pair from scalar d, which must be in [1, n-1].
Result<PkeyPtr> p256_from_scalar(const BIGNUM* d) {
  BnCtxPtr bn_ctx(BN_CTX_new());
  BnPtr order(BN_bin2bn(kP256Order, kScalarSize, nullptr));
  if (bn_ctx == nullptr || order == nullptr) return openssl_error(ErrorCode::kCryptoFailure, "out of memory");
  if (BN_is_zero(d) || BN_is_negative(d) || BN_cmp(d, order.get()) >= 0) {
    return make_error(ErrorCode::kBadKey, "P-256 private scalar is outside [1, n-1]");
  }
  // Public point Q = d*G, computed by OpenSSL.
  EcGroupPtr group(EC_GROUP_new_by_curve_name_ex(nullptr, nullptr, NID_X9_62_prime256v1));
  if (group == nullptr) return openssl_error(ErrorCode::kCryptoFailure, "OpenSSL lacks the P-256 group");
  EcPointPtr q(EC_POINT_new(group.get()));
  uint8_t q_oct[65];
  if (q == nullptr || EC_POINT_mul(group.get(), q.get(), d, nullptr, nullptr, bn_ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, q_oct, sizeof q_oct,
                         bn_ctx.get()) != sizeof q_oct) {
    return openssl_error(ErrorCode::kCryptoFailure, "cannot compute the P-256 public key");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupP256, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, q_oct, sizeof q_oct) != 1) {
    return openssl_error(ErrorCode::kCryptoFailure, "out of memory");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1 || raw == nullptr) {
    EVP_PKEY_free(raw);
    return openssl_error(ErrorCode::kCryptoFailure, "cannot build the P-256 key pair");
  }
  return PkeyPtr(raw);
}

Result<PkeyPtr> ed25519_from_seed(const uint8_t* seed32) {
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, seed32, 32);
  if (raw == nullptr) return openssl_error(ErrorCode::kCryptoFailure, "cannot build the Ed25519 key pair");
  return PkeyPtr(raw);
}

// Rebuilds a decoded private key through the from-scalar/from-seed path, so
// all KeyPairs share one internal form, and checks that any public key that
// came with it belongs to it.
Result<PkeyPtr> normalise_private(EVP_PKEY* decoded, KeyAlg alg) {
  PkeyPtr rebuilt;
  if (alg == KeyAlg::kP256) {
    BIGNUM* d_raw = nullptr;
    if (EVP_PKEY_get_bn_param(decoded, OSSL_PKEY_PARAM_PRIV_KEY, &d_raw) != 1) {
      return openssl_error(ErrorCode::kBadKey, "key has no P-256 private scalar (is this a public key?)");
    }
    BnPtr d(d_raw);
    TM_ASSIGN_OR_RETURN(rebuilt, p256_from_scalar(d.get()));
  } else {
    uint8_t seed[32];
    size_t len = sizeof seed;
    if (EVP_PKEY_get_raw_private_key(decoded, seed, &len) != 1 || len != sizeof seed) {
      return openssl_error(ErrorCode::kBadKey, "key has no Ed25519 private key (is this a public key?)");
    }
    auto r = ed25519_from_seed(seed);
    OPENSSL_cleanse(seed, sizeof seed);
    if (!r.ok()) return r.error();
    rebuilt = std::move(r).value();
  }
  auto given = encode_public(decoded, alg);
  take_openssl_error();  // a key without an embedded public key is fine
  if (given.ok()) {
    TM_ASSIGN_OR_RETURN(Bytes derived, encode_public(rebuilt.get(), alg));
    if (*given != derived) {
      return make_error(ErrorCode::kBadKey, "the public key stored with this private key does not match it");
    }
  }
  return rebuilt;
}

Result<Bytes> encode_private(EVP_PKEY* pkey, const char* output_type) {
  EncoderCtxPtr ctx(
      OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, output_type, "PrivateKeyInfo", nullptr));
  unsigned char* data = nullptr;
  size_t len = 0;
  if (ctx == nullptr || OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0 ||
      OSSL_ENCODER_to_data(ctx.get(), &data, &len) != 1) {
    return openssl_error(ErrorCode::kCryptoFailure, "cannot encode the private key as PKCS#8");
  }
  Bytes out(data, data + len);
  OPENSSL_clear_free(data, len);
  return out;
}

// ---------------------------------------------------------------------------
// Signatures.

// Writes a DER INTEGER holding the unsigned big-endian 32-byte value v
// (minimal length; a leading 0x00 when the top bit is set). Returns bytes written.
size_t der_uint32(const uint8_t* v, uint8_t* out) {
  size_t i = 0;
  while (i < kScalarSize - 1 && v[i] == 0) ++i;
  size_t n = kScalarSize - i;
  size_t pad = (v[i] & 0x80) != 0 ? 1 : 0;
  out[0] = 0x02;
  out[1] = static_cast<uint8_t>(n + pad);
  if (pad != 0) out[2] = 0x00;
  std::memcpy(out + 2 + pad, v + i, n);
  return 2 + pad + n;
}

// r||s -> DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs); at most 72 bytes.
size_t rs_to_der(const uint8_t* rs, uint8_t out[72]) {
  size_t len = der_uint32(rs, out + 2);
  len += der_uint32(rs + kScalarSize, out + 2 + len);
  out[0] = 0x30;
  out[1] = static_cast<uint8_t>(len);  // <= 70, short-form length
  return 2 + len;
}

enum class SigFault { kNone, kSize, kRZero, kRRange, kSZero, kSRange, kHighS, kMismatch };

// One EVP_MD_CTX per thread, reset after each use so it holds no key reference.
EVP_MD_CTX* verify_ctx() {
  struct TlsCtx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~TlsCtx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local TlsCtx tls;
  TM_ASSERT(tls.ctx != nullptr);
  return tls.ctx;
}

bool digest_verify(EVP_PKEY* pkey, const EVP_MD* md, const uint8_t* sig, size_t sig_len, ByteView msg) {
  EVP_MD_CTX* ctx = verify_ctx();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, sig, sig_len, nonnull(msg), msg.size()) == 1;
  EVP_MD_CTX_reset(ctx);
  if (!ok) ERR_clear_error();
  return ok;
}

SigFault verify_sig(EVP_PKEY* pkey, KeyAlg alg, ByteView msg, ByteView sig) {
  if (sig.size() != kSignatureSize) return SigFault::kSize;
  if (alg == KeyAlg::kEd25519) {
    // PureEdDSA: no digest; OpenSSL rejects s >= L, so encodings are unique.
    return digest_verify(pkey, nullptr, sig.data(), sig.size(), msg) ? SigFault::kNone : SigFault::kMismatch;
  }
  const uint8_t* r = sig.data();
  const uint8_t* s = r + kScalarSize;
  if (is_zero32(r)) return SigFault::kRZero;
  if (cmp32(r, kP256Order) >= 0) return SigFault::kRRange;
  if (is_zero32(s)) return SigFault::kSZero;
  if (cmp32(s, kP256HalfOrder) > 0) return cmp32(s, kP256Order) >= 0 ? SigFault::kSRange : SigFault::kHighS;
  uint8_t der[72];
  size_t der_len = rs_to_der(sig.data(), der);
  return digest_verify(pkey, internal::sha256_md(), der, der_len, msg) ? SigFault::kNone
                                                                       : SigFault::kMismatch;
}

}  // namespace

// ---------------------------------------------------------------------------
// Public API.

std::string_view key_alg_name(KeyAlg alg) {
  switch (alg) {
    case KeyAlg::kP256: return "p256";
    case KeyAlg::kEd25519: return "ed25519";
  }
  return "unknown";
}

Result<KeyAlg> parse_key_alg(std::string_view name) {
  if (name == "p256") return KeyAlg::kP256;
  if (name == "ed25519") return KeyAlg::kEd25519;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown key algorithm '" + std::string(name) + "'; use p256 or ed25519");
}

Result<PublicKey> PublicKey::from_encoded(ByteView encoded) {
  if (encoded.empty()) return make_error(ErrorCode::kBadKey, "public key is empty");
  const uint8_t tag = encoded[0];
  if (tag == static_cast<uint8_t>(KeyAlg::kP256)) {
    if (encoded.size() != kP256EncodedSize) {
      return make_error(ErrorCode::kBadKey,
                        "P-256 public key must be 34 bytes (0x01 || compressed point), got " +
                            std::to_string(encoded.size()));
    }
    if (encoded[1] != 0x02 && encoded[1] != 0x03) {
      return make_error(ErrorCode::kBadKey,
                        "P-256 public key must be a SEC1 compressed point (prefix 02 or 03), got prefix " +
                            to_hex(encoded.subspan(1, 1)));
    }
    TM_ASSIGN_OR_RETURN(PkeyPtr pkey, import_p256_point(encoded.data() + 1));
    return PublicKey(KeyAlg::kP256, to_bytes(encoded), std::make_shared<EvpKey>(pkey.release()));
  }
  if (tag == static_cast<uint8_t>(KeyAlg::kEd25519)) {
    if (encoded.size() != kEd25519EncodedSize) {
      return make_error(ErrorCode::kBadKey, "Ed25519 public key must be 33 bytes (0x02 || 32 bytes), got " +
                                                std::to_string(encoded.size()));
    }
    // OpenSSL does not decode the point here; an invalid Ed25519 point simply
    // never verifies a signature.
    EVP_PKEY* raw = EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, encoded.data() + 1, 32);
    if (raw == nullptr) return openssl_error(ErrorCode::kBadKey, "invalid Ed25519 public key");
    return PublicKey(KeyAlg::kEd25519, to_bytes(encoded), std::make_shared<EvpKey>(raw));
  }
  return make_error(ErrorCode::kBadKey, "unknown public key algorithm byte 0x" +
                                            to_hex(encoded.subspan(0, 1)) +
                                            " (expected 01 for P-256 or 02 for Ed25519)");
}

namespace {

Result<PublicKey> public_from_pkey(EVP_PKEY* pkey) {
  TM_ASSIGN_OR_RETURN(KeyAlg alg, classify(pkey));
  TM_ASSIGN_OR_RETURN(Bytes encoded, encode_public(pkey, alg));
  return PublicKey::from_encoded(encoded);
}

// PEM input goes through a memory BIO, whose length is an int.
Status check_pem_size(std::string_view pem) {
  if (pem.empty()) return make_error(ErrorCode::kMalformed, "PEM text is empty");
  if (pem.size() > (1u << 20)) return make_error(ErrorCode::kTooLarge, "PEM text is larger than 1 MiB");
  return Status::Ok();
}

}  // namespace

Result<PublicKey> PublicKey::from_der(ByteView der) {
  if (der.empty()) return make_error(ErrorCode::kMalformed, "DER public key is empty");
  const unsigned char* p = der.data();
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (pkey == nullptr) {
    return openssl_error(ErrorCode::kMalformed, "not a DER SubjectPublicKeyInfo public key");
  }
  if (p != der.data() + der.size()) {
    return make_error(ErrorCode::kMalformed, "trailing bytes after the DER public key");
  }
  return public_from_pkey(pkey.get());
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  TM_TRY(check_pem_size(pem));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return openssl_error(ErrorCode::kCryptoFailure, "out of memory");
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  if (pkey == nullptr) {
    return openssl_error(ErrorCode::kMalformed, "not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
  }
  return public_from_pkey(pkey.get());
}

Result<Bytes> PublicKey::to_der() const {
  int len = i2d_PUBKEY(key_->pkey, nullptr);
  if (len <= 0) return openssl_error(ErrorCode::kCryptoFailure, "cannot encode the public key as DER");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_PUBKEY(key_->pkey, &p) != len) {
    return openssl_error(ErrorCode::kCryptoFailure, "cannot encode the public key as DER");
  }
  return out;
}

Result<std::string> PublicKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key_->pkey) != 1) {
    return openssl_error(ErrorCode::kCryptoFailure, "cannot encode the public key as PEM");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

bool PublicKey::verify(ByteView message, ByteView sig) const {
  return verify_sig(key_->pkey, alg_, message, sig) == SigFault::kNone;
}

Status PublicKey::check(ByteView message, ByteView sig) const {
  switch (verify_sig(key_->pkey, alg_, message, sig)) {
    case SigFault::kNone: return Status::Ok();
    case SigFault::kSize:
      return make_error(ErrorCode::kBadSignature, "signature must be " + std::to_string(kSignatureSize) +
                                                      " bytes, got " + std::to_string(sig.size()));
    case SigFault::kRZero: return make_error(ErrorCode::kBadSignature, "non-canonical signature: r is zero");
    case SigFault::kRRange:
      return make_error(ErrorCode::kBadSignature,
                        "non-canonical signature: r is not below the P-256 group order");
    case SigFault::kSZero: return make_error(ErrorCode::kBadSignature, "non-canonical signature: s is zero");
    case SigFault::kSRange:
      return make_error(ErrorCode::kBadSignature,
                        "non-canonical signature: s is not below the P-256 group order");
    case SigFault::kHighS: return make_error(ErrorCode::kBadSignature, "non-canonical signature: high S");
    case SigFault::kMismatch: break;
  }
  return make_error(ErrorCode::kBadSignature, "signature does not verify for this public key and message");
}

namespace {

struct Parts {
  PublicKey pub;
  std::shared_ptr<EvpKey> priv;
};

// Splits a private EVP_PKEY (already normalised) into the KeyPair members.
Result<Parts> keypair_parts(PkeyPtr priv, KeyAlg alg) {
  TM_ASSIGN_OR_RETURN(Bytes encoded, encode_public(priv.get(), alg));
  TM_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::from_encoded(encoded));
  return Parts{std::move(pub), std::make_shared<EvpKey>(priv.release())};
}

Result<Parts> parts_from_decoded(EVP_PKEY* decoded) {
  TM_ASSIGN_OR_RETURN(KeyAlg alg, classify(decoded));
  TM_ASSIGN_OR_RETURN(PkeyPtr priv, normalise_private(decoded, alg));
  return keypair_parts(std::move(priv), alg);
}

}  // namespace

Result<KeyPair> KeyPair::generate(KeyAlg alg) {
  if (alg != KeyAlg::kP256 && alg != KeyAlg::kEd25519) {
    return make_error(ErrorCode::kInvalidArgument, "unknown key algorithm");
  }
  EVP_PKEY* raw = alg == KeyAlg::kP256 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                       : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (raw == nullptr) return openssl_error(ErrorCode::kCryptoFailure, "key generation failed");
  TM_ASSIGN_OR_RETURN(Parts parts, keypair_parts(PkeyPtr(raw), alg));
  return KeyPair(std::move(parts.pub), std::move(parts.priv));
}

Result<KeyPair> KeyPair::from_der(ByteView pkcs8_der) {
  if (pkcs8_der.empty()) return make_error(ErrorCode::kMalformed, "DER private key is empty");
  const unsigned char* p = pkcs8_der.data();
  // Accepts PKCS#8 PrivateKeyInfo (and, leniently, SEC1 "EC PRIVATE KEY").
  PkeyPtr decoded(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pkcs8_der.size())));
  if (decoded == nullptr) {
    return openssl_error(ErrorCode::kMalformed,
                         "not an unencrypted DER PKCS#8 private key (decrypt an encrypted key first, e.g. "
                         "openssl pkey -in key.der -inform DER -outform DER -out plain.der)");
  }
  if (p != pkcs8_der.data() + pkcs8_der.size()) {
    return make_error(ErrorCode::kMalformed, "trailing bytes after the DER private key");
  }
  TM_ASSIGN_OR_RETURN(Parts parts, parts_from_decoded(decoded.get()));
  return KeyPair(std::move(parts.pub), std::move(parts.priv));
}

Result<KeyPair> KeyPair::from_pem(std::string_view pem) {
  TM_TRY(check_pem_size(pem));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return openssl_error(ErrorCode::kCryptoFailure, "out of memory");
  PkeyPtr decoded(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (decoded == nullptr) {
    return openssl_error(ErrorCode::kMalformed,
                         "not an unencrypted PEM private key (expected -----BEGIN PRIVATE KEY-----; decrypt "
                         "an encrypted key first, e.g. openssl pkey -in key.pem -out plain.pem)");
  }
  TM_ASSIGN_OR_RETURN(Parts parts, parts_from_decoded(decoded.get()));
  return KeyPair(std::move(parts.pub), std::move(parts.priv));
}

Result<KeyPair> KeyPair::from_seed(KeyAlg alg, ByteView seed32) {
  if (seed32.size() != 32) {
    return make_error(ErrorCode::kInvalidArgument,
                      "key seed must be 32 bytes, got " + std::to_string(seed32.size()));
  }
  PkeyPtr priv;
  if (alg == KeyAlg::kP256) {
    // d = seed mod (n-1) + 1, which is always in [1, n-1].
    BnCtxPtr bn_ctx(BN_CTX_new());
    BnPtr seed(BN_bin2bn(seed32.data(), 32, nullptr));
    BnPtr n_minus_1(BN_bin2bn(kP256Order, kScalarSize, nullptr));
    BnPtr d(BN_new());
    if (bn_ctx == nullptr || seed == nullptr || n_minus_1 == nullptr || d == nullptr ||
        BN_sub_word(n_minus_1.get(), 1) != 1 ||
        BN_mod(d.get(), seed.get(), n_minus_1.get(), bn_ctx.get()) != 1 || BN_add_word(d.get(), 1) != 1) {
      return openssl_error(ErrorCode::kCryptoFailure, "cannot derive the P-256 scalar from the seed");
    }
    TM_ASSIGN_OR_RETURN(priv, p256_from_scalar(d.get()));
  } else if (alg == KeyAlg::kEd25519) {
    TM_ASSIGN_OR_RETURN(priv, ed25519_from_seed(seed32.data()));
  } else {
    return make_error(ErrorCode::kInvalidArgument, "unknown key algorithm");
  }
  TM_ASSIGN_OR_RETURN(Parts parts, keypair_parts(std::move(priv), alg));
  return KeyPair(std::move(parts.pub), std::move(parts.priv));
}

Result<Bytes> KeyPair::to_der() const {
  return encode_private(priv_->pkey, "DER");
}

Result<std::string> KeyPair::to_pem() const {
  TM_ASSIGN_OR_RETURN(Bytes pem, encode_private(priv_->pkey, "PEM"));
  std::string out(pem.begin(), pem.end());
  OPENSSL_cleanse(pem.data(), pem.size());
  return out;
}

Result<Bytes> KeyPair::sign(ByteView message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return openssl_error(ErrorCode::kCryptoFailure, "out of memory");
  if (alg() == KeyAlg::kEd25519) {
    Bytes out(kSignatureSize);
    size_t len = out.size();
    if (EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, priv_->pkey, nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), out.data(), &len, nonnull(message), message.size()) != 1 ||
        len != kSignatureSize) {
      return openssl_error(ErrorCode::kCryptoFailure, "Ed25519 signing failed");
    }
    return out;
  }
  uint8_t der[80];  // a P-256 DER signature is at most 72 bytes
  size_t der_len = sizeof der;
  if (EVP_DigestSignInit(ctx.get(), nullptr, internal::sha256_md(), nullptr, priv_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), der, &der_len, nonnull(message), message.size()) != 1) {
    return openssl_error(ErrorCode::kCryptoFailure, "P-256 signing failed");
  }
  const unsigned char* p = der;
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (sig == nullptr)
    return openssl_error(ErrorCode::kCryptoFailure, "OpenSSL produced an unparsable signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes out(kSignatureSize);
  if (BN_bn2binpad(r, out.data(), kScalarSize) != kScalarSize ||
      BN_bn2binpad(s, out.data() + kScalarSize, kScalarSize) != kScalarSize) {
    return openssl_error(ErrorCode::kCryptoFailure, "signature component out of range");
  }
  // Low-S: (r, s) and (r, n - s) both verify; keep the one with s <= n/2.
  if (cmp32(out.data() + kScalarSize, kP256HalfOrder) > 0) {
    BnPtr low(BN_bin2bn(kP256Order, kScalarSize, nullptr));
    if (low == nullptr || BN_sub(low.get(), low.get(), s) != 1 ||
        BN_bn2binpad(low.get(), out.data() + kScalarSize, kScalarSize) != kScalarSize) {
      return openssl_error(ErrorCode::kCryptoFailure, "cannot normalise the signature to low-S");
    }
  }
  return out;
}

}  // namespace trustmesh
