// Tests for core/address.h and the Bech32m codec (core/bech32.h): BIP-350
// vectors, typo detection, case rules, and Address derivation and parsing.
#include "core/address.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/bech32.h"
#include "core/hash.h"

namespace trustmesh {
namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Address sample_address(uint8_t fill = 3) {
  return Address::of(KeyPair::from_seed(KeyAlg::kP256, Bytes(32, fill)).value().public_key());
}

// ---------------------------------------------------------------------------
// Generic Bech32m (BIP-350 test vectors).

TEST(Bech32m, Bip350ValidStrings) {
  const std::vector<std::string> valid = {
      "A1LQFN3A",
      "a1lqfn3a",
      "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
      "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
      "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
      "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
      "?1v759aa",
  };
  for (const std::string& s : valid) {
    auto d = bech32::decode(s);
    ASSERT_TRUE(d.ok()) << s << ": " << d.error().to_string();
    // Re-encoding gives the canonical lowercase string back.
    EXPECT_EQ(bech32::encode(d->hrp, d->data5), lower(s));
  }
  auto d = bech32::decode("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->hrp, "abcdef");
  Bytes expected;
  for (uint8_t i = 31;; --i) {  // the data part is the charset reversed
    expected.push_back(i);
    if (i == 0) break;
  }
  EXPECT_EQ(d->data5, expected);
}

TEST(Bech32m, Bip350InvalidStrings) {
  const std::vector<std::string> invalid = {
      std::string("\x20") + "1xj0phk",  // hrp character out of range
      std::string("\x7f") + "1g6xzxy",  // hrp character out of range
      std::string("\x80") + "1vctc34",  // hrp character out of range
      "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",  // too
                                                                                                      // long
      "qyrz8wqd2c9m",   // no separator
      "1qyrz8wqd2c9m",  // empty hrp
      "y1b0jsk6g",      // invalid data character
      "lt1igcx5c0",     // invalid data character
      "in1muywd",       // checksum too short
      "mm1crxm3i",      // invalid character in checksum
      "au1s5cgom",      // invalid character in checksum
      "M1VUXWEZ",       // checksum computed over the uppercase hrp
      "16plkw9",        // empty hrp
      "1p2gdwpf",       // empty hrp
      "",               // empty
      "a1lqfN3a",       // mixed case
      "a12uel5l",       // valid Bech32 (BIP-173), not Bech32m
      "A12UEL5L",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",  // Bech32, not Bech32m
  };
  for (const std::string& s : invalid) {
    auto d = bech32::decode(s);
    EXPECT_FALSE(d.ok()) << "accepted: " << s;
    if (!d.ok()) {
      EXPECT_EQ(d.error().code, ErrorCode::kBadAddress);
    }
  }
}

TEST(Bech32m, SegwitV1VectorDecodes) {
  // BIP-350 segwit v1 address: version 1, then the 32-byte witness program.
  auto d = bech32::decode("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->hrp, "bc");
  ASSERT_FALSE(d->data5.empty());
  EXPECT_EQ(d->data5[0], 1);
  auto program = bech32::to_8bit(ByteView(d->data5).subspan(1));
  ASSERT_TRUE(program.ok());
  EXPECT_EQ(to_hex(*program), "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
}

TEST(Bech32m, BitRegrouping) {
  for (size_t n = 0; n <= 40; ++n) {
    Bytes data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 37 + 11);
    Bytes five = bech32::to_5bit(data);
    EXPECT_EQ(five.size(), (n * 8 + 4) / 5);
    for (uint8_t v : five) ASSERT_LT(v, 32);
    auto back = bech32::to_8bit(five);
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(*back, data);
  }
  // One 5-bit group cannot hold a byte: 5 padding bits is too many.
  EXPECT_FALSE(bech32::to_8bit(Bytes{0}).ok());
  // 8 bits -> 2 groups with 2 padding bits, which must be zero.
  EXPECT_TRUE(bech32::to_8bit(Bytes{31, 28}).ok());
  EXPECT_FALSE(bech32::to_8bit(Bytes{31, 29}).ok());
  EXPECT_FALSE(bech32::to_8bit(Bytes{31, 30}).ok());
  EXPECT_FALSE(bech32::to_8bit(Bytes{32, 0}).ok());
}

TEST(Bech32m, EightBitHelpers) {
  Bytes payload = {0x00, 0x01, 0xfe, 0xff, 0x80};
  std::string text = bech32m_encode("xy", payload);
  EXPECT_EQ(text.rfind("xy1", 0), 0u);
  auto back = bech32m_decode(text, "xy");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, payload);
  auto wrong_hrp = bech32m_decode(text, "xz");
  ASSERT_FALSE(wrong_hrp.ok());
  EXPECT_EQ(wrong_hrp.error().code, ErrorCode::kBadAddress);
  EXPECT_TRUE(bech32m_decode(bech32m_encode("xy", {}), "xy")->empty());
}

TEST(Bech32m, LengthLimit) {
  // hrp "a" + "1" + 82 data chars + 6 checksum = 90 characters, the maximum.
  std::string at_limit = bech32::encode("a", Bytes(82, 0));
  ASSERT_EQ(at_limit.size(), 90u);
  EXPECT_TRUE(bech32::decode(at_limit).ok());
  std::string over = bech32::encode("a", Bytes(83, 0));
  ASSERT_EQ(over.size(), 91u);
  EXPECT_FALSE(bech32::decode(over).ok());
}

// ---------------------------------------------------------------------------
// Address.

TEST(AddressTest, OfIsSha256PrefixOfEncodedKey) {
  for (KeyAlg alg : {KeyAlg::kP256, KeyAlg::kEd25519}) {
    PublicKey pub = KeyPair::from_seed(alg, Bytes(32, 5)).value().public_key();
    Hash32 h = sha256(pub.encoded());
    Address a = Address::of(pub);
    EXPECT_TRUE(std::equal(a.bytes().begin(), a.bytes().end(), h.begin()));
  }
}

TEST(AddressTest, KnownAnswers) {
  // P-256 seed 0 is the generator G; Ed25519 is RFC 8032 test 1's key. These
  // pin the address format: changing them changes every account.
  Address g = Address::of(KeyPair::from_seed(KeyAlg::kP256, Bytes(32, 0)).value().public_key());
  EXPECT_EQ(to_hex(g.view()), "f20bb5a541b21aa3c05ed02573de2a7f40d16f3b");
  EXPECT_EQ(g.to_string(), "tm17g9mtf2pkgd28sz76qjh8h320aqdzmemwlj4w2");
  auto ed = PublicKey::from_encoded(
      from_hex("02d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").value());
  ASSERT_TRUE(ed.ok());
  EXPECT_EQ(Address::of(*ed).to_string(), "tm17cq7vlr3zevn4xs2mw7dn9r6vcs52gwnqxcscm");
}

TEST(AddressTest, TextRoundTrip) {
  for (uint8_t fill = 0; fill < 20; ++fill) {
    Address a = sample_address(fill);
    std::string text = a.to_string();
    EXPECT_EQ(text.size(), 41u);  // "tm" + "1" + 32 data + 6 checksum
    EXPECT_EQ(text.rfind("tm1", 0), 0u);
    EXPECT_EQ(text, lower(text));
    auto back = Address::parse(text);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, a);
  }
  Address zero;
  EXPECT_EQ(*Address::parse(zero.to_string()), zero);
}

TEST(AddressTest, UppercaseAcceptedMixedCaseRejected) {
  Address a = sample_address();
  std::string text = a.to_string();
  auto up = Address::parse(upper(text));
  ASSERT_TRUE(up.ok()) << up.error().to_string();
  EXPECT_EQ(*up, a);
  EXPECT_EQ(up->to_string(), text);  // output is always lowercase
  for (size_t i = 0; i < text.size(); ++i) {
    if (!std::isalpha(static_cast<unsigned char>(text[i]))) continue;
    std::string mixed = text;
    mixed[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(mixed[i])));
    auto r = Address::parse(mixed);
    ASSERT_FALSE(r.ok()) << mixed;
    EXPECT_EQ(r.error().code, ErrorCode::kBadAddress);
  }
  auto r = Address::parse("TM1" + text.substr(3));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("mixed"), std::string::npos) << r.error().message;
}

TEST(AddressTest, EverySingleSubstitutionDetected) {
  // Every position, every other character of the charset plus the separator
  // and a few others: none may parse (to the same or any other address).
  const std::string alphabet = std::string(kCharset) + "1tmbio";
  for (uint8_t fill : {1, 2, 3}) {
    const std::string text = sample_address(fill).to_string();
    int tried = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      for (char c : alphabet) {
        if (c == text[i]) continue;
        std::string typo = text;
        typo[i] = c;
        ++tried;
        EXPECT_FALSE(Address::parse(typo).ok()) << "position " << i << " -> '" << c << "': " << typo;
      }
    }
    EXPECT_GT(tried, 41 * 30);
  }
}

TEST(AddressTest, AdjacentTranspositionsDetected) {
  for (uint8_t fill = 0; fill < 10; ++fill) {
    const std::string text = sample_address(fill).to_string();
    for (size_t i = 0; i + 1 < text.size(); ++i) {
      if (text[i] == text[i + 1]) continue;
      std::string swapped = text;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_FALSE(Address::parse(swapped).ok()) << "swap at " << i << ": " << swapped;
    }
  }
}

TEST(AddressTest, DeletionsAndInsertionsDetected) {
  const std::string text = sample_address().to_string();
  for (size_t i = 0; i < text.size(); ++i) {
    std::string del = text;
    del.erase(i, 1);
    EXPECT_FALSE(Address::parse(del).ok()) << del;
    for (char c : kCharset) {
      std::string ins = text;
      ins.insert(ins.begin() + static_cast<std::ptrdiff_t>(i), c);
      EXPECT_FALSE(Address::parse(ins).ok()) << ins;
    }
  }
}

TEST(AddressTest, WrongHrpRejected) {
  Address a = sample_address();
  for (std::string hrp : {"tn", "bc", "t", "tmm", "tm1"}) {
    std::string text = bech32m_encode(hrp, a.view());
    ASSERT_TRUE(bech32::decode(text).ok()) << text;  // valid Bech32m, wrong prefix
    auto r = Address::parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kBadAddress);
  }
  auto r = Address::parse(bech32m_encode("bc", a.view()));
  EXPECT_NE(r.error().message.find("prefix"), std::string::npos) << r.error().message;
}

TEST(AddressTest, WrongPayloadLengthRejected) {
  for (size_t n : {0, 1, 19, 21, 32, 40}) {
    std::string text = bech32m_encode("tm", Bytes(n, 0xab));
    auto r = Address::parse(text);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, ErrorCode::kBadAddress);
  }
  auto r = Address::parse(bech32m_encode("tm", Bytes(21, 1)));
  EXPECT_NE(r.error().message.find("20"), std::string::npos) << r.error().message;
}

TEST(AddressTest, OtherMalformedTextRejected) {
  const std::string text = sample_address().to_string();
  const std::vector<std::string> bad = {
      "",
      "tm1",
      "tm",
      text + " ",
      " " + text,
      text.substr(0, 40),
      text + std::string(60, 'q'),   // longer than 90
      "tm1" + std::string(38, 'b'),  // 'b' is not in the charset
      text.substr(0, 20) + '\0' + text.substr(21),
  };
  for (const std::string& s : bad) {
    auto r = Address::parse(s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.error().code, ErrorCode::kBadAddress);
  }
}

TEST(AddressTest, FromBytes) {
  Address a = sample_address();
  auto b = Address::from_bytes(a.view());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, a);
  for (size_t n : {0, 19, 21, 32}) {
    auto r = Address::from_bytes(Bytes(n, 1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kBadAddress);
  }
}

TEST(AddressTest, Ordering) {
  Address zero;
  Address a = sample_address();
  EXPECT_LT(zero, a);
  EXPECT_EQ(zero, Address());
}

}  // namespace
}  // namespace trustmesh
