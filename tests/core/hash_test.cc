// Tests for core/hash.h: SHA-256 (FIPS 180-4 examples), HMAC-SHA-256 (RFC 4231)
// and HKDF-SHA-256 (RFC 5869) known answers, plus incremental hashing and limits.
#include "core/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace trustmesh {
namespace {

Bytes hex(std::string_view h) {
  return from_hex(h).value();
}
Bytes range_bytes(int from, int to) {
  Bytes b;
  for (int i = from; i < to; ++i) b.push_back(static_cast<uint8_t>(i));
  return b;
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256(ByteView())), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256(as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  EXPECT_EQ(to_hex(sha256(as_bytes(million))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalMatchesOneShotAtEverySplit) {
  Bytes data = range_bytes(0, 200);
  Hash32 expected = sha256(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    Sha256 h;
    h.update(ByteView(data).first(split)).update(ByteView(data).subspan(split));
    EXPECT_EQ(h.finish(), expected) << "split " << split;
  }
}

TEST(Sha256, IncrementalByteAtATimeAndEmpty) {
  Sha256 h;
  for (char c : std::string("abc")) h.update(static_cast<uint8_t>(c));
  EXPECT_EQ(h.finish(), sha256(as_bytes("abc")));
  Sha256 empty;
  EXPECT_EQ(empty.finish(), sha256(ByteView()));
}

TEST(Sha256, ConcurrentThreadsAgree) {
  const Hash32 expected = sha256(as_bytes("concurrent"));
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) bad[t] += sha256(as_bytes("concurrent")) != expected;
    });
  }
  for (auto& th : threads) th.join();
  for (int b : bad) EXPECT_EQ(b, 0);
}

TEST(HmacSha256, Rfc4231) {
  // Test case 1.
  EXPECT_EQ(to_hex(hmac_sha256(Bytes(20, 0x0b), as_bytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: key shorter than the output.
  EXPECT_EQ(to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: key longer than the block size.
  EXPECT_EQ(to_hex(hmac_sha256(Bytes(131, 0xaa),
                               as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, EmptyKeyAndMessage) {
  EXPECT_EQ(to_hex(hmac_sha256(ByteView(), ByteView())),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HkdfSha256, Rfc5869Case1) {
  auto okm = hkdf_sha256(Bytes(22, 0x0b), hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm.ok()) << okm.error().to_string();
  EXPECT_EQ(to_hex(*okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(HkdfSha256, Rfc5869Case2LongInputs) {
  auto okm = hkdf_sha256(range_bytes(0x00, 0x50), range_bytes(0x60, 0xb0), range_bytes(0xb0, 0x100), 82);
  ASSERT_TRUE(okm.ok()) << okm.error().to_string();
  EXPECT_EQ(to_hex(*okm),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
            "da3275600c"
            "2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST(HkdfSha256, Rfc5869Case3EmptySaltAndInfo) {
  auto okm = hkdf_sha256(Bytes(22, 0x0b), ByteView(), ByteView(), 42);
  ASSERT_TRUE(okm.ok()) << okm.error().to_string();
  EXPECT_EQ(to_hex(*okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  // An absent salt means HashLen zero bytes (RFC 5869 2.2).
  auto zeros = hkdf_sha256(Bytes(22, 0x0b), Bytes(32, 0), ByteView(), 42);
  ASSERT_TRUE(zeros.ok());
  EXPECT_EQ(*zeros, *okm);
}

TEST(HkdfSha256, LengthLimits) {
  auto empty = hkdf_sha256(as_bytes("ikm"), ByteView(), ByteView(), 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto max = hkdf_sha256(as_bytes("ikm"), ByteView(), ByteView(), 255 * 32);
  ASSERT_TRUE(max.ok()) << max.error().to_string();
  EXPECT_EQ(max->size(), 255u * 32);
  auto too_long = hkdf_sha256(as_bytes("ikm"), ByteView(), ByteView(), 255 * 32 + 1);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
  // A prefix of a longer output is the shorter output.
  auto short_okm = hkdf_sha256(as_bytes("ikm"), ByteView(), ByteView(), 33);
  ASSERT_TRUE(short_okm.ok());
  EXPECT_EQ(*short_okm, Bytes(max->begin(), max->begin() + 33));
}

TEST(HkdfSha256, EmptyIkm) {
  auto okm = hkdf_sha256(ByteView(), as_bytes("salt"), as_bytes("info"), 32);
  ASSERT_TRUE(okm.ok()) << okm.error().to_string();
  EXPECT_EQ(to_hex(*okm), "7aac7b8120501c2c8e1ee50e6cde135361e99ceb9d8d406ac528b9e9175614c0");
}

}  // namespace
}  // namespace trustmesh
