// Tests for core/keys.h: P-256 and Ed25519 keys, the fixed encoded and
// signature forms (low-S, exactly 64 bytes), rejection of malformed or
// non-canonical input, DER/PEM round trips, and known answers (RFC 8032).
#include "core/keys.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace trustmesh {
namespace {

// ---------------------------------------------------------------------------
// Helpers.

Bytes hex(std::string_view h) {
  return from_hex(h).value();
}

const Bytes kOrder = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const Bytes kHalfOrder = hex("7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8");

Bytes seed(uint8_t fill) {
  return Bytes(32, fill);
}

KeyPair keypair(KeyAlg alg, uint8_t fill = 7) {
  auto kp = KeyPair::from_seed(alg, seed(fill));
  EXPECT_TRUE(kp.ok()) << kp.error().to_string();
  return std::move(kp).value();
}

// a - b for 32-byte big-endian values (test-side, through OpenSSL BN).
Bytes sub32(const Bytes& a, ByteView b) {
  BIGNUM* x = BN_bin2bn(a.data(), 32, nullptr);
  BIGNUM* y = BN_bin2bn(b.data(), 32, nullptr);
  EXPECT_EQ(BN_sub(x, x, y), 1);
  Bytes out(32);
  EXPECT_EQ(BN_bn2binpad(x, out.data(), 32), 32);
  BN_free(x);
  BN_free(y);
  return out;
}

// r||s -> DER via OpenSSL (independent of keys.cc's own conversion).
Bytes der_sig(ByteView rs) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  EXPECT_EQ(ECDSA_SIG_set0(sig, BN_bin2bn(rs.data(), 32, nullptr), BN_bin2bn(rs.data() + 32, 32, nullptr)),
            1);
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

EVP_PKEY* openssl_pubkey(const PublicKey& key) {
  Bytes der = key.to_der().value();
  const unsigned char* p = der.data();
  return d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
}

// Raw OpenSSL ECDSA-with-SHA-256 verification of a DER signature.
bool openssl_verify(EVP_PKEY* pkey, ByteView msg, ByteView der) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, der.data(), der.size(), msg.data(), msg.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

Bytes spki_der(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  EXPECT_GT(len, 0);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Bytes pkcs8_der(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(i2d_PKCS8PrivateKey_bio(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  Bytes out(data, data + len);
  BIO_free(bio);
  return out;
}

std::string pem_of(EVP_PKEY* pkey, bool priv, const EVP_CIPHER* cipher = nullptr,
                   const char* pass = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (priv) {
    EXPECT_EQ(PEM_write_bio_PrivateKey(bio, pkey, cipher, reinterpret_cast<const unsigned char*>(pass),
                                       pass ? static_cast<int>(std::strlen(pass)) : 0, nullptr, nullptr),
              1);
  } else {
    EXPECT_EQ(PEM_write_bio_PUBKEY(bio, pkey), 1);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

class BothAlgs : public ::testing::TestWithParam<KeyAlg> {};
INSTANTIATE_TEST_SUITE_P(Keys, BothAlgs, ::testing::Values(KeyAlg::kP256, KeyAlg::kEd25519),
                         [](const auto& info) { return std::string(key_alg_name(info.param)); });

// ---------------------------------------------------------------------------
// Names.

TEST(KeyAlgTest, Names) {
  EXPECT_EQ(key_alg_name(KeyAlg::kP256), "p256");
  EXPECT_EQ(key_alg_name(KeyAlg::kEd25519), "ed25519");
  EXPECT_EQ(*parse_key_alg("p256"), KeyAlg::kP256);
  EXPECT_EQ(*parse_key_alg("ed25519"), KeyAlg::kEd25519);
  auto bad = parse_key_alg("rsa");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Sign and verify.

TEST_P(BothAlgs, GenerateSignVerify) {
  auto kp = KeyPair::generate(GetParam());
  ASSERT_TRUE(kp.ok()) << kp.error().to_string();
  EXPECT_EQ(kp->alg(), GetParam());
  const Bytes& enc = kp->public_key().encoded();
  ASSERT_EQ(enc.size(), GetParam() == KeyAlg::kP256 ? 34u : 33u);
  EXPECT_EQ(enc[0], static_cast<uint8_t>(GetParam()));
  if (GetParam() == KeyAlg::kP256) {
    EXPECT_TRUE(enc[1] == 0x02 || enc[1] == 0x03);
  }

  for (std::string msg : {std::string(), std::string("hello trustmesh"), std::string(100000, 'x')}) {
    auto sig = kp->sign(as_bytes(msg));
    ASSERT_TRUE(sig.ok()) << sig.error().to_string();
    EXPECT_EQ(sig->size(), kSignatureSize);
    EXPECT_TRUE(kp->public_key().verify(as_bytes(msg), *sig));
    EXPECT_TRUE(kp->public_key().check(as_bytes(msg), *sig).ok());
  }
  // Two generated keys differ.
  auto other = KeyPair::generate(GetParam());
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->public_key(), kp->public_key());
}

TEST_P(BothAlgs, WrongKeyRejected) {
  KeyPair a = keypair(GetParam(), 1);
  KeyPair b = keypair(GetParam(), 2);
  Bytes sig = a.sign(as_bytes("msg")).value();
  EXPECT_FALSE(b.public_key().verify(as_bytes("msg"), sig));
  Status st = b.public_key().check(as_bytes("msg"), sig);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kBadSignature);
}

TEST_P(BothAlgs, TamperedMessageRejected) {
  KeyPair kp = keypair(GetParam());
  Bytes msg = to_bytes(std::string_view("transfer 10 to alice"));
  Bytes sig = kp.sign(msg).value();
  for (size_t i = 0; i < msg.size(); ++i) {
    for (uint8_t bit = 1; bit != 0; bit = static_cast<uint8_t>(bit << 1)) {
      Bytes m = msg;
      m[i] ^= bit;
      EXPECT_FALSE(kp.public_key().verify(m, sig)) << "byte " << i << " bit " << int(bit);
    }
  }
  Bytes longer = msg;
  longer.push_back(0);
  EXPECT_FALSE(kp.public_key().verify(longer, sig));
  EXPECT_FALSE(kp.public_key().verify(ByteView(msg).first(msg.size() - 1), sig));
}

TEST_P(BothAlgs, TamperedSignatureRejected) {
  KeyPair kp = keypair(GetParam());
  Bytes sig = kp.sign(as_bytes("msg")).value();
  for (size_t i = 0; i < sig.size(); ++i) {
    for (uint8_t delta : {0x01, 0x80, 0xff}) {
      Bytes s = sig;
      s[i] ^= delta;
      EXPECT_FALSE(kp.public_key().verify(as_bytes("msg"), s)) << "byte " << i << " xor " << int(delta);
      EXPECT_EQ(kp.public_key().check(as_bytes("msg"), s).error().code, ErrorCode::kBadSignature);
    }
  }
}

TEST_P(BothAlgs, WrongSignatureSizeRejected) {
  KeyPair kp = keypair(GetParam());
  Bytes sig = kp.sign(as_bytes("msg")).value();
  for (size_t len : {0, 1, 32, 63}) {
    EXPECT_FALSE(kp.public_key().verify(as_bytes("msg"), ByteView(sig).first(len))) << len;
  }
  Bytes longer = sig;
  longer.push_back(0);
  EXPECT_FALSE(kp.public_key().verify(as_bytes("msg"), longer));
  Bytes doubled = sig;
  append(doubled, sig);
  EXPECT_FALSE(kp.public_key().verify(as_bytes("msg"), doubled));
  Status st = kp.public_key().check(as_bytes("msg"), longer);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kBadSignature);
  EXPECT_NE(st.error().message.find("64 bytes"), std::string::npos) << st.error().message;
  // A DER-encoded P-256 signature is not accepted either.
  if (GetParam() == KeyAlg::kP256) {
    EXPECT_FALSE(kp.public_key().verify(as_bytes("msg"), der_sig(sig)));
  }
}

TEST(P256Signature, AlwaysLowSAnd64Bytes) {
  KeyPair kp = keypair(KeyAlg::kP256);
  EVP_PKEY* raw = openssl_pubkey(kp.public_key());
  ASSERT_NE(raw, nullptr);
  int high_twins_valid = 0;
  for (int i = 0; i < 500; ++i) {
    std::string msg = "message " + std::to_string(i);
    Bytes sig = kp.sign(as_bytes(msg)).value();
    ASSERT_EQ(sig.size(), kSignatureSize);
    ByteView s = ByteView(sig).subspan(32);
    ASSERT_LE(std::memcmp(s.data(), kHalfOrder.data(), 32), 0) << "high S at " << i;
    ASSERT_TRUE(kp.public_key().verify(as_bytes(msg), sig));
    ASSERT_TRUE(openssl_verify(raw, as_bytes(msg), der_sig(sig)));
    if (i < 20) {
      // The high-S twin (r, n - s) is mathematically valid (OpenSSL accepts
      // it) but not canonical, so we reject it.
      Bytes twin = sig;
      Bytes high = sub32(kOrder, s);
      std::copy(high.begin(), high.end(), twin.begin() + 32);
      high_twins_valid += openssl_verify(raw, as_bytes(msg), der_sig(twin));
      EXPECT_FALSE(kp.public_key().verify(as_bytes(msg), twin));
      Status st = kp.public_key().check(as_bytes(msg), twin);
      ASSERT_FALSE(st.ok());
      EXPECT_EQ(st.error().code, ErrorCode::kBadSignature);
      EXPECT_NE(st.error().message.find("high S"), std::string::npos) << st.error().message;
    }
  }
  EXPECT_EQ(high_twins_valid, 20);
  EVP_PKEY_free(raw);
}

TEST(P256Signature, OutOfRangeComponentsRejected) {
  KeyPair kp = keypair(KeyAlg::kP256);
  Bytes sig = kp.sign(as_bytes("msg")).value();
  const Bytes r(sig.begin(), sig.begin() + 32);
  const Bytes s(sig.begin() + 32, sig.end());
  auto with = [](const Bytes& r, const Bytes& s) {
    Bytes out = r;
    append(out, s);
    return out;
  };
  const Bytes zero(32, 0);
  const Bytes ones(32, 0xff);
  const Bytes one = hex("0000000000000000000000000000000000000000000000000000000000000001");
  const Bytes half_plus_one = hex("7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a9");
  struct Case {
    const char* name;
    Bytes sig;
    const char* reason;
  };
  std::vector<Case> cases = {
      {"r=0", with(zero, s), "r is zero"},
      {"s=0", with(r, zero), "s is zero"},
      {"r=s=0", with(zero, zero), "r is zero"},
      {"r=n", with(kOrder, s), "group order"},
      {"r=2^256-1", with(ones, s), "group order"},
      {"s=n", with(r, kOrder), "group order"},
      {"s=2^256-1", with(r, ones), "group order"},
      {"s=n/2+1", with(r, half_plus_one), "high S"},
      {"s=n-1", with(r, sub32(kOrder, one)), "high S"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(kp.public_key().verify(as_bytes("msg"), c.sig)) << c.name;
    Status st = kp.public_key().check(as_bytes("msg"), c.sig);
    ASSERT_FALSE(st.ok()) << c.name;
    EXPECT_EQ(st.error().code, ErrorCode::kBadSignature) << c.name;
    EXPECT_NE(st.error().message.find(c.reason), std::string::npos) << c.name << ": " << st.error().message;
  }
  // Boundary values that are in range but simply wrong: plain mismatch.
  for (const Bytes& bad : {with(one, one), with(sub32(kOrder, one), kHalfOrder)}) {
    Status st = kp.public_key().check(as_bytes("msg"), bad);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("does not verify"), std::string::npos) << st.error().message;
  }
}

TEST(P256Signature, SmallRAndSStillVerifyThroughDerConversion) {
  // Find signatures whose r or s has leading zero bytes or a clear top bit,
  // exercising every DER INTEGER length the r||s -> DER step produces.
  KeyPair kp = keypair(KeyAlg::kP256, 9);
  int leading_zero = 0, top_bit_set_r = 0;
  for (int i = 0; i < 2000 && (leading_zero < 2 || top_bit_set_r < 2); ++i) {
    std::string msg = "m" + std::to_string(i);
    Bytes sig = kp.sign(as_bytes(msg)).value();
    bool lz = sig[0] == 0 || sig[32] == 0;
    if (lz || (sig[0] & 0x80)) {
      ASSERT_TRUE(kp.public_key().verify(as_bytes(msg), sig)) << to_hex(sig);
      leading_zero += lz;
      top_bit_set_r += (sig[0] & 0x80) != 0;
    }
  }
  EXPECT_GE(leading_zero, 2);
  EXPECT_GE(top_bit_set_r, 2);
}

TEST(Ed25519, Rfc8032TestVector1) {
  auto kp = KeyPair::from_seed(KeyAlg::kEd25519,
                               hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(kp.ok()) << kp.error().to_string();
  EXPECT_EQ(to_hex(kp->public_key().encoded()),
            "02d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const Bytes expected =
      hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd2"
          "5bf5f0595bbe24"
          "655141438e7a100b");
  auto sig = kp->sign(ByteView());
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(*sig, expected);
  auto pub =
      PublicKey::from_encoded(hex("02d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->verify(ByteView(), expected));
  EXPECT_FALSE(pub->verify(as_bytes("x"), expected));
}

TEST(Ed25519, NonCanonicalSRejected) {
  // s + L (L = 2^252 + 27742317777372353535851937790883648493) verifies under
  // a lax verifier; OpenSSL rejects s >= L, so our signatures are unique too.
  KeyPair kp = keypair(KeyAlg::kEd25519);
  Bytes sig = kp.sign(as_bytes("msg")).value();
  const Bytes l_le = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  Bytes mal = sig;
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    unsigned v = mal[32 + i] + l_le[i] + carry;
    mal[32 + i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  ASSERT_EQ(carry, 0u);  // s < 2^253, so s + L still fits in 32 bytes
  EXPECT_FALSE(kp.public_key().verify(as_bytes("msg"), mal));
}

TEST(Keys, ConcurrentVerifyOnSharedKey) {
  for (KeyAlg alg : {KeyAlg::kP256, KeyAlg::kEd25519}) {
    KeyPair kp = keypair(alg);
    const PublicKey pub = kp.public_key();
    Bytes good = kp.sign(as_bytes("shared")).value();
    Bytes bad = good;
    bad[5] ^= 1;
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        PublicKey copy = pub;  // copies share the underlying EVP_PKEY
        for (int i = 0; i < 200; ++i) {
          if (!copy.verify(as_bytes("shared"), good)) ++errors;
          if (pub.verify(as_bytes("shared"), bad)) ++errors;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(errors.load(), 0) << key_alg_name(alg);
  }
}

TEST(Keys, ConcurrentParseAndVerify) {
  // Parsing shares process-wide OpenSSL state (the P-256 parameter template).
  std::vector<Bytes> encoded;
  std::vector<Bytes> sigs;
  for (uint8_t i = 0; i < 8; ++i) {
    KeyPair kp = keypair(i % 2 == 0 ? KeyAlg::kP256 : KeyAlg::kEd25519, static_cast<uint8_t>(i + 10));
    encoded.push_back(kp.public_key().encoded());
    sigs.push_back(kp.sign(as_bytes("parse")).value());
  }
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        size_t k = static_cast<size_t>(t + i) % encoded.size();
        auto pub = PublicKey::from_encoded(encoded[k]);
        if (!pub.ok() || !pub->verify(as_bytes("parse"), sigs[k])) ++errors;
        if (pub.ok() && pub->verify(as_bytes("parse"), sigs[(k + 1) % sigs.size()])) ++errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
}

TEST(Keys, ConcurrentSignOnSharedKeyPair) {
  KeyPair kp = keypair(KeyAlg::kP256);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string msg = std::to_string(t) + "/" + std::to_string(i);
        auto sig = kp.sign(as_bytes(msg));
        if (!sig.ok() || !kp.public_key().verify(as_bytes(msg), *sig)) ++errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
}

// ---------------------------------------------------------------------------
// Public key encoded form.

TEST_P(BothAlgs, EncodedRoundTrip) {
  KeyPair kp = keypair(GetParam());
  auto pub = PublicKey::from_encoded(kp.public_key().encoded());
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  EXPECT_EQ(*pub, kp.public_key());
  EXPECT_EQ(pub->alg(), GetParam());
  Bytes sig = kp.sign(as_bytes("m")).value();
  EXPECT_TRUE(pub->verify(as_bytes("m"), sig));
}

TEST_P(BothAlgs, MalformedEncodedRejected) {
  const Bytes enc = keypair(GetParam()).public_key().encoded();
  std::vector<std::pair<std::string, Bytes>> bad;
  bad.push_back({"empty", {}});
  bad.push_back({"alg byte only", {enc[0]}});
  for (size_t n = 1; n < enc.size(); ++n)
    bad.push_back({"truncated to " + std::to_string(n), Bytes(enc.begin(), enc.begin() + n)});
  Bytes longer = enc;
  longer.push_back(0);
  bad.push_back({"one byte too long", longer});
  for (uint8_t tag : {0x00, 0x03, 0x04, 0xff}) {
    Bytes b = enc;
    b[0] = tag;
    bad.push_back({"alg byte " + std::to_string(tag), b});
  }
  bad.push_back({"all zero", Bytes(enc.size(), 0)});
  // The other algorithm's byte on this key's body (wrong length for it).
  Bytes swapped = enc;
  swapped[0] = GetParam() == KeyAlg::kP256 ? 0x02 : 0x01;
  bad.push_back({"other alg byte", swapped});
  for (const auto& [name, b] : bad) {
    auto r = PublicKey::from_encoded(b);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kBadKey) << name;
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(P256PublicKey, InvalidPointsRejected) {
  const Bytes enc = keypair(KeyAlg::kP256).public_key().encoded();
  std::vector<std::pair<std::string, Bytes>> bad;
  // x = 1: x^3 - 3x + b is not a square mod p, so no point has this x.
  bad.push_back({"x=1 off curve", hex("0102" + std::string(62, '0') + "01")});
  bad.push_back({"x=1 off curve, odd", hex("0103" + std::string(62, '0') + "01")});
  bad.push_back({"x = 2^256-1 >= p", hex("0102" + std::string(64, 'f'))});
  bad.push_back({"x = p", hex("0102ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")});
  bad.push_back({"prefix 00 (infinity)", hex("0100" + std::string(64, '0'))});
  bad.push_back({"all zero after alg byte", Bytes(1, 0x01)});
  bad.back().second.resize(34, 0);
  // The SEC1 uncompressed prefix 04 is not our form, with either length.
  Bytes uncompressed_prefix = enc;
  uncompressed_prefix[1] = 0x04;
  bad.push_back({"04 prefix, 33 bytes", uncompressed_prefix});
  Bytes full_uncompressed = hex("01");
  EVP_PKEY* raw = openssl_pubkey(keypair(KeyAlg::kP256).public_key());
  uint8_t point[65];
  size_t len = 0;
  ASSERT_EQ(
      EVP_PKEY_get_octet_string_param(raw, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &len), 1);
  ASSERT_EQ(len, 65u);
  EVP_PKEY_free(raw);
  full_uncompressed.insert(full_uncompressed.end(), point, point + 65);
  bad.push_back({"04 prefix, 65-byte point", full_uncompressed});
  Bytes hybrid = enc;
  hybrid[1] = 0x06;
  bad.push_back({"hybrid prefix 06", hybrid});
  for (const auto& [name, b] : bad) {
    auto r = PublicKey::from_encoded(b);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kBadKey) << name;
  }
  // x = 0 happens to be on the curve, and the flipped parity of a valid key is
  // its negation: both are valid keys, just different ones.
  EXPECT_TRUE(PublicKey::from_encoded(hex("0102" + std::string(64, '0'))).ok());
  Bytes negated = enc;
  negated[1] ^= 0x01;
  auto neg = PublicKey::from_encoded(negated);
  ASSERT_TRUE(neg.ok());
  EXPECT_FALSE(neg->verify(as_bytes("m"), keypair(KeyAlg::kP256).sign(as_bytes("m")).value()));
}

TEST(P256PublicKey, RejectionMessagesAreSpecific) {
  auto r = PublicKey::from_encoded(hex("0104" + std::string(64, '1')));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("compressed"), std::string::npos) << r.error().message;
  auto tag = PublicKey::from_encoded(hex("09" + std::string(66, '1')));
  ASSERT_FALSE(tag.ok());
  EXPECT_NE(tag.error().message.find("algorithm byte"), std::string::npos) << tag.error().message;
}

// ---------------------------------------------------------------------------
// from_seed.

TEST_P(BothAlgs, FromSeedIsDeterministic) {
  KeyPair a = keypair(GetParam(), 42);
  KeyPair b = keypair(GetParam(), 42);
  KeyPair c = keypair(GetParam(), 43);
  EXPECT_EQ(a.public_key(), b.public_key());
  EXPECT_NE(a.public_key(), c.public_key());
  EXPECT_EQ(a.to_der().value(), b.to_der().value());
  // Keys from a seed sign like any other.
  EXPECT_TRUE(b.public_key().verify(as_bytes("x"), a.sign(as_bytes("x")).value()));
}

TEST(FromSeed, P256ScalarReduction) {
  // seed 0 -> scalar 1 -> the generator G (y is odd: prefix 03).
  const std::string g = "01036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
  EXPECT_EQ(to_hex(keypair(KeyAlg::kP256, 0).public_key().encoded()), g);
  // seed n-1 -> (n-1) mod (n-1) + 1 = 1 as well.
  auto kp = KeyPair::from_seed(KeyAlg::kP256, sub32(kOrder, hex(std::string(63, '0') + "1")));
  ASSERT_TRUE(kp.ok());
  EXPECT_EQ(to_hex(kp->public_key().encoded()), g);
  // Seeds at and above n are fine (reduced).
  EXPECT_TRUE(KeyPair::from_seed(KeyAlg::kP256, kOrder).ok());
  EXPECT_TRUE(KeyPair::from_seed(KeyAlg::kP256, Bytes(32, 0xff)).ok());
}

TEST(FromSeed, WrongSeedSizeRejected) {
  for (size_t n : {0, 16, 31, 33, 64}) {
    for (KeyAlg alg : {KeyAlg::kP256, KeyAlg::kEd25519}) {
      auto r = KeyPair::from_seed(alg, Bytes(n, 1));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

// ---------------------------------------------------------------------------
// DER and PEM.

TEST_P(BothAlgs, PublicDerPemRoundTrip) {
  KeyPair kp = keypair(GetParam());
  auto der = kp.public_key().to_der();
  ASSERT_TRUE(der.ok()) << der.error().to_string();
  // SubjectPublicKeyInfo; P-256 uses the interoperable uncompressed point.
  EXPECT_EQ(der->size(), GetParam() == KeyAlg::kP256 ? 91u : 44u);
  auto from_der = PublicKey::from_der(*der);
  ASSERT_TRUE(from_der.ok()) << from_der.error().to_string();
  EXPECT_EQ(*from_der, kp.public_key());

  auto pem = kp.public_key().to_pem();
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u) << *pem;
  auto from_pem = PublicKey::from_pem(*pem);
  ASSERT_TRUE(from_pem.ok()) << from_pem.error().to_string();
  EXPECT_EQ(*from_pem, kp.public_key());
  EXPECT_TRUE(from_pem->verify(as_bytes("m"), kp.sign(as_bytes("m")).value()));
}

TEST_P(BothAlgs, PrivateDerPemRoundTrip) {
  auto kp = KeyPair::generate(GetParam());
  ASSERT_TRUE(kp.ok());
  auto der = kp->to_der();
  ASSERT_TRUE(der.ok()) << der.error().to_string();
  auto back = KeyPair::from_der(*der);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->public_key(), kp->public_key());
  EXPECT_EQ(back->to_der().value(), *der);
  EXPECT_TRUE(kp->public_key().verify(as_bytes("m"), back->sign(as_bytes("m")).value()));

  auto pem = kp->to_pem();
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << "not PKCS#8";
  auto back_pem = KeyPair::from_pem(*pem);
  ASSERT_TRUE(back_pem.ok()) << back_pem.error().to_string();
  EXPECT_EQ(back_pem->public_key(), kp->public_key());

  // The DER is PKCS#8 as OpenSSL itself reads it.
  const unsigned char* p = der->data();
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der->size()));
  ASSERT_NE(info, nullptr);
  PKCS8_PRIV_KEY_INFO_free(info);
}

TEST(P256PublicKey, CompressedSpkiAccepted) {
  KeyPair kp = keypair(KeyAlg::kP256);
  EVP_PKEY* raw = openssl_pubkey(kp.public_key());
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(raw, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
  Bytes der = spki_der(raw);
  EXPECT_EQ(der.size(), 59u);
  auto pub = PublicKey::from_der(der);
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  EXPECT_EQ(*pub, kp.public_key());
  EVP_PKEY_free(raw);
}

TEST_P(BothAlgs, GarbageAndTruncatedDerPemRejected) {
  KeyPair kp = keypair(GetParam());
  const Bytes pub_der = kp.public_key().to_der().value();
  const Bytes priv_der = kp.to_der().value();
  const std::string pub_pem = kp.public_key().to_pem().value();
  const std::string priv_pem = kp.to_pem().value();

  for (size_t n = 0; n < pub_der.size(); ++n) {
    EXPECT_FALSE(PublicKey::from_der(ByteView(pub_der).first(n)).ok()) << "public DER truncated to " << n;
  }
  for (size_t n = 0; n < priv_der.size(); ++n) {
    EXPECT_FALSE(KeyPair::from_der(ByteView(priv_der).first(n)).ok()) << "private DER truncated to " << n;
  }
  Bytes trailing = pub_der;
  trailing.push_back(0);
  auto t = PublicKey::from_der(trailing);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kMalformed);
  Bytes priv_trailing = priv_der;
  priv_trailing.push_back(0);
  EXPECT_FALSE(KeyPair::from_der(priv_trailing).ok());

  const Bytes garbage = to_bytes(std::string_view("\x30\x82\xff\xffnot a key at all"));
  auto g = PublicKey::from_der(garbage);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kMalformed);
  EXPECT_FALSE(KeyPair::from_der(garbage).ok());
  EXPECT_FALSE(PublicKey::from_der(ByteView()).ok());
  EXPECT_FALSE(KeyPair::from_der(ByteView()).ok());
  EXPECT_FALSE(PublicKey::from_pem(std::string_view()).ok());
  EXPECT_FALSE(KeyPair::from_pem(std::string_view()).ok());
  EXPECT_FALSE(PublicKey::from_pem("hello").ok());
  EXPECT_FALSE(KeyPair::from_pem("").ok());

  // Wrong kind: a public key where a private key is expected and vice versa.
  EXPECT_FALSE(KeyPair::from_der(pub_der).ok());
  EXPECT_FALSE(PublicKey::from_der(priv_der).ok());
  EXPECT_FALSE(KeyPair::from_pem(pub_pem).ok());

  // Truncated PEM (cut inside the base64 body) and corrupted base64.
  EXPECT_FALSE(PublicKey::from_pem(pub_pem.substr(0, pub_pem.size() / 2)).ok());
  EXPECT_FALSE(KeyPair::from_pem(priv_pem.substr(0, priv_pem.size() / 2)).ok());
  std::string corrupted = pub_pem;
  corrupted[30] = '*';
  EXPECT_FALSE(PublicKey::from_pem(corrupted).ok());
  std::string corrupted_priv = priv_pem;
  corrupted_priv[40] = corrupted_priv[40] == 'A' ? 'B' : 'A';  // valid base64, wrong DER
  auto cp = KeyPair::from_pem(corrupted_priv);
  EXPECT_FALSE(cp.ok() && cp->public_key() == kp.public_key());
}

TEST(KeyImport, UnsupportedKeyTypesRejectedWithKBadKey) {
  struct Foreign {
    const char* name;
    EVP_PKEY* pkey;
  };
  std::vector<Foreign> keys = {
      {"P-384", EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")},
      {"secp256k1", EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1")},
      {"RSA", EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))},
      {"X25519", EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")},
  };
  for (const Foreign& f : keys) {
    ASSERT_NE(f.pkey, nullptr) << f.name;
    auto pub = PublicKey::from_der(spki_der(f.pkey));
    ASSERT_FALSE(pub.ok()) << f.name;
    EXPECT_EQ(pub.error().code, ErrorCode::kBadKey) << f.name;
    EXPECT_NE(pub.error().message.find("P-256"), std::string::npos) << pub.error().message;
    auto pub_pem = PublicKey::from_pem(pem_of(f.pkey, false));
    ASSERT_FALSE(pub_pem.ok()) << f.name;
    EXPECT_EQ(pub_pem.error().code, ErrorCode::kBadKey) << f.name;

    auto priv = KeyPair::from_der(pkcs8_der(f.pkey));
    ASSERT_FALSE(priv.ok()) << f.name;
    EXPECT_EQ(priv.error().code, ErrorCode::kBadKey) << f.name;
    auto priv_pem = KeyPair::from_pem(pem_of(f.pkey, true));
    ASSERT_FALSE(priv_pem.ok()) << f.name;
    EXPECT_EQ(priv_pem.error().code, ErrorCode::kBadKey) << f.name << ": " << priv_pem.error().message;
    EVP_PKEY_free(f.pkey);
  }
}

TEST(KeyImport, EncryptedPemRejectedWithoutPrompting) {
  KeyPair kp = keypair(KeyAlg::kP256);
  const Bytes der = kp.to_der().value();
  const unsigned char* p = der.data();
  EVP_PKEY* raw = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(raw, nullptr);
  std::string pem = pem_of(raw, true, EVP_aes_256_cbc(), "secret");
  EXPECT_NE(pem.find("ENCRYPTED"), std::string::npos);
  auto r = KeyPair::from_pem(pem);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  EXPECT_NE(r.error().message.find("decrypt"), std::string::npos) << r.error().message;
  EVP_PKEY_free(raw);
}

TEST(KeyImport, MismatchedEmbeddedPublicKeyRejected) {
  // A P-256 PKCS#8 whose private scalar belongs to key A but whose embedded
  // public point is key B's.
  KeyPair a = keypair(KeyAlg::kP256, 1);
  KeyPair b = keypair(KeyAlg::kP256, 2);
  auto load = [](const KeyPair& kp) {
    Bytes der = kp.to_der().value();
    const unsigned char* p = der.data();
    return d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  };
  EVP_PKEY* ka = load(a);
  EVP_PKEY* kb = load(b);
  BIGNUM* priv = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(ka, OSSL_PKEY_PARAM_PRIV_KEY, &priv), 1);
  uint8_t pub[65];
  size_t len = 0;
  ASSERT_EQ(EVP_PKEY_get_octet_string_param(kb, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len), 1);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, len);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* mixed = nullptr;
  ASSERT_EQ(EVP_PKEY_fromdata_init(ctx), 1);
  ASSERT_EQ(EVP_PKEY_fromdata(ctx, &mixed, EVP_PKEY_KEYPAIR, params), 1);
  auto r = KeyPair::from_der(pkcs8_der(mixed));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadKey);
  EXPECT_NE(r.error().message.find("does not match"), std::string::npos) << r.error().message;
  EVP_PKEY_free(mixed);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(priv);
  EVP_PKEY_free(ka);
  EVP_PKEY_free(kb);
}

TEST(KeyImport, Sec1EcPrivateKeyAccepted) {
  // "EC PRIVATE KEY" (RFC 5915), as `openssl ecparam -genkey` writes it.
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(raw, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(bio, raw, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EXPECT_EQ(pem.rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u) << pem;
  auto kp = KeyPair::from_pem(pem);
  ASSERT_TRUE(kp.ok()) << kp.error().to_string();
  EXPECT_EQ(*PublicKey::from_der(spki_der(raw)), kp->public_key());
  unsigned char* der = nullptr;
  int der_len = i2d_PrivateKey(raw, &der);  // SEC1 DER for EC keys
  ASSERT_GT(der_len, 0);
  auto kp_der = KeyPair::from_der(Bytes(der, der + der_len));
  OPENSSL_free(der);
  ASSERT_TRUE(kp_der.ok()) << kp_der.error().to_string();
  EXPECT_EQ(kp_der->public_key(), kp->public_key());
  // Written back out as PKCS#8.
  EXPECT_EQ(kp->to_pem()->rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EVP_PKEY_free(raw);
}

TEST(KeyImport, OpenSslGeneratedKeysAccepted) {
  // Keys made by plain OpenSSL (as `openssl genpkey` would) import fine.
  for (KeyAlg alg : {KeyAlg::kP256, KeyAlg::kEd25519}) {
    EVP_PKEY* raw = alg == KeyAlg::kP256 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                         : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    ASSERT_NE(raw, nullptr);
    auto kp = KeyPair::from_pem(pem_of(raw, true));
    ASSERT_TRUE(kp.ok()) << kp.error().to_string();
    auto pub = PublicKey::from_pem(pem_of(raw, false));
    ASSERT_TRUE(pub.ok()) << pub.error().to_string();
    EXPECT_EQ(*pub, kp->public_key());
    EXPECT_EQ(pub->alg(), alg);
    EVP_PKEY_free(raw);
  }
}

}  // namespace
}  // namespace trustmesh
