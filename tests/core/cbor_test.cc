// Tests for the deterministic CBOR codec (core/cbor.h): round trips, RFC 8949
// Appendix A vectors, every non-canonical and malformed form the decoder must
// refuse, resource bombs, MapReader, diagnostic notation, and randomized
// round-trip / mutation properties.
#include "core/cbor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace trustmesh::cbor {

// Lets gtest print Values in failure messages.
void PrintTo(const Value& v, std::ostream* os) {
  *os << diagnostic(v);
}

namespace {

using ::testing::HasSubstr;

Bytes H(std::string_view hex) {
  auto r = from_hex(hex);
  TM_ASSERT(r.ok());
  return *r;
}

Value U(uint64_t v) {
  return Value::uint(v);
}
Value I(int64_t v) {
  return Value::integer(v);
}
Value T(std::string s) {
  return Value::text(std::move(s));
}
Value B(std::string_view hex) {
  return Value::bytes(H(hex));
}
Value A(Array items) {
  return Value::array(std::move(items));
}
Value M(MapEntries entries) {
  return Value::map(std::move(entries));
}

// encode(v) == hex, and decode(hex) == v.
void ExpectCodec(const Value& v, std::string_view hex) {
  SCOPED_TRACE(std::string(hex));
  EXPECT_EQ(to_hex(encode(v)), hex);
  auto d = decode(H(hex));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(*d, v);
  EXPECT_EQ(encode(*d), H(hex));
}

Error DecodeError(ByteView in, const DecodeLimits& limits = {}) {
  auto d = decode(in, limits);
  if (d.ok()) return Error{ErrorCode::kOk, "decoded to " + diagnostic(*d)};
  return d.error();
}

void ExpectReject(std::string_view hex, ErrorCode code, std::string_view message_part = "") {
  SCOPED_TRACE(std::string(hex));
  Error e = DecodeError(H(hex));
  EXPECT_EQ(e.code, code) << e.to_string();
  if (!message_part.empty()) {
    EXPECT_THAT(e.message, HasSubstr(std::string(message_part)));
  }
}

// ---- Round trips of every type, boundary integers ----

TEST(CborRoundTrip, UnsignedBoundaries) {
  ExpectCodec(U(0), "00");
  ExpectCodec(U(23), "17");
  ExpectCodec(U(24), "1818");
  ExpectCodec(U(255), "18ff");
  ExpectCodec(U(256), "190100");
  ExpectCodec(U(65535), "19ffff");
  ExpectCodec(U(65536), "1a00010000");
  ExpectCodec(U(0xffffffff), "1affffffff");
  ExpectCodec(U(0x100000000), "1b0000000100000000");
  ExpectCodec(U(UINT64_MAX), "1bffffffffffffffff");
}

TEST(CborRoundTrip, NegativeBoundaries) {
  ExpectCodec(I(-1), "20");
  ExpectCodec(I(-24), "37");
  ExpectCodec(I(-25), "3818");
  ExpectCodec(I(-256), "38ff");
  ExpectCodec(I(-257), "390100");
  ExpectCodec(I(-65537), "3a00010000");
  ExpectCodec(I(INT64_MIN), "3b7fffffffffffffff");
  ExpectCodec(Value::negative(UINT64_MAX), "3bffffffffffffffff");  // -2^64
  EXPECT_EQ(Value::negative(0), I(-1));
}

TEST(CborRoundTrip, StringsAndSimpleValues) {
  ExpectCodec(B(""), "40");
  ExpectCodec(B("00ff"), "4200ff");
  Bytes big(300, 0xab);
  Bytes want = H("59012c");
  want.insert(want.end(), big.begin(), big.end());
  EXPECT_EQ(encode(Value::bytes(big)), want);
  EXPECT_EQ(*decode(want), Value::bytes(big));
  ExpectCodec(T(""), "60");
  ExpectCodec(T("trustmesh"), "6974727573746d657368");
}

TEST(CborRoundTrip, Containers) {
  ExpectCodec(A({}), "80");
  ExpectCodec(A({U(1), T("a"), B("01"), Value::null(), Value::boolean(true)}), "850161614101f6f5");
  ExpectCodec(M({}), "a0");
  ExpectCodec(M({{T("b"), U(2)}, {T("a"), A({})}}), "a2616180616202");
  ExpectCodec(Value::boolean(false), "f4");
  ExpectCodec(Value::boolean(true), "f5");
  ExpectCodec(Value::null(), "f6");
  Array many(24, U(0));
  ExpectCodec(A(many), "9818" + std::string(48, '0'));
}

// ---- RFC 8949 Appendix A ----

TEST(CborRfc8949AppendixA, DeterministicVectorsInSubset) {
  ExpectCodec(U(0), "00");
  ExpectCodec(U(1), "01");
  ExpectCodec(U(10), "0a");
  ExpectCodec(U(23), "17");
  ExpectCodec(U(24), "1818");
  ExpectCodec(U(25), "1819");
  ExpectCodec(U(100), "1864");
  ExpectCodec(U(1000), "1903e8");
  ExpectCodec(U(1000000), "1a000f4240");
  ExpectCodec(U(1000000000000), "1b000000e8d4a51000");
  ExpectCodec(U(18446744073709551615u), "1bffffffffffffffff");
  ExpectCodec(Value::negative(18446744073709551615u), "3bffffffffffffffff");
  ExpectCodec(I(-1), "20");
  ExpectCodec(I(-10), "29");
  ExpectCodec(I(-100), "3863");
  ExpectCodec(I(-1000), "3903e7");
  ExpectCodec(Value::boolean(false), "f4");
  ExpectCodec(Value::boolean(true), "f5");
  ExpectCodec(Value::null(), "f6");
  ExpectCodec(B(""), "40");
  ExpectCodec(B("01020304"), "4401020304");
  ExpectCodec(T(""), "60");
  ExpectCodec(T("a"), "6161");
  ExpectCodec(T("IETF"), "6449455446");
  ExpectCodec(T("\"\\"), "62225c");
  ExpectCodec(T("\u00fc"), "62c3bc");
  ExpectCodec(T("\u6c34"), "63e6b0b4");
  ExpectCodec(T("\U00010151"), "64f0908591");  // "\ud800\udd51" in JSON escapes
  ExpectCodec(A({}), "80");
  ExpectCodec(A({U(1), U(2), U(3)}), "83010203");
  ExpectCodec(A({U(1), A({U(2), U(3)}), A({U(4), U(5)})}), "8301820203820405");
  Array one_to_25;
  for (uint64_t i = 1; i <= 25; ++i) one_to_25.push_back(U(i));
  ExpectCodec(A(one_to_25), "98190102030405060708090a0b0c0d0e0f101112131415161718181819");
  ExpectCodec(M({}), "a0");
  ExpectCodec(M({{U(1), U(2)}, {U(3), U(4)}}), "a201020304");
  ExpectCodec(M({{T("a"), U(1)}, {T("b"), A({U(2), U(3)})}}), "a26161016162820203");
  ExpectCodec(A({T("a"), M({{T("b"), T("c")}})}), "826161a161626163");
  ExpectCodec(M({{T("a"), T("A")}, {T("b"), T("B")}, {T("c"), T("C")}, {T("d"), T("D")}, {T("e"), T("E")}}),
              "a56161614161626142616361436164614461656145");
}

TEST(CborRfc8949AppendixA, FloatsAreUnsupported) {
  for (const char* hex : {"f90000",
                          "f98000",
                          "f93c00",
                          "fb3ff199999999999a",
                          "f93e00",
                          "f97bff",
                          "fa47c35000",
                          "fa7f7fffff",
                          "fb7e37e43c8800759c",
                          "f90001",
                          "f90400",
                          "f9c400",
                          "fbc010666666666666",
                          "f97c00",
                          "f97e00",
                          "f9fc00",
                          "fa7f800000",
                          "fa7fc00000",
                          "faff800000",
                          "fb7ff0000000000000",
                          "fb7ff8000000000000",
                          "fbfff0000000000000"}) {
    ExpectReject(hex, ErrorCode::kUnsupported, "float");
  }
}

TEST(CborRfc8949AppendixA, TagsUndefinedAndSimpleAreUnsupported) {
  ExpectReject("c249010000000000000000", ErrorCode::kUnsupported, "tag 2 at offset 0");
  ExpectReject("c349010000000000000000", ErrorCode::kUnsupported, "tag 3");
  ExpectReject("c074323031332d30332d32315432303a30343a30305a", ErrorCode::kUnsupported, "tag 0");
  ExpectReject("c11a514b67b0", ErrorCode::kUnsupported, "tag 1");
  ExpectReject("c1fb41d452d9ec200000", ErrorCode::kUnsupported, "tag 1");
  ExpectReject("d74401020304", ErrorCode::kUnsupported, "tag 23");
  ExpectReject("d818456449455446", ErrorCode::kUnsupported, "tag 24");
  ExpectReject("d82076687474703a2f2f7777772e6578616d706c652e636f6d", ErrorCode::kUnsupported, "tag 32");
  ExpectReject("f7", ErrorCode::kUnsupported, "undefined at offset 0");
  ExpectReject("f0", ErrorCode::kUnsupported, "simple value 16");
  ExpectReject("f8ff", ErrorCode::kUnsupported, "simple value 255");
  ExpectReject("8201f7", ErrorCode::kUnsupported, "undefined at offset 2");
}

TEST(CborRfc8949AppendixA, IndefiniteLengthsAreNonCanonical) {
  ExpectReject("5f42010243030405ff", ErrorCode::kNonCanonical, "indefinite-length byte string at offset 0");
  ExpectReject("7f657374726561646d696e67ff", ErrorCode::kNonCanonical, "indefinite-length text string");
  ExpectReject("9fff", ErrorCode::kNonCanonical, "indefinite-length array");
  ExpectReject("9f018202039f0405ffff", ErrorCode::kNonCanonical, "indefinite-length array at offset 0");
  ExpectReject("9f01820203820405ff", ErrorCode::kNonCanonical, "indefinite-length array");
  ExpectReject("83018202039f0405ff", ErrorCode::kNonCanonical, "indefinite-length array at offset 5");
  ExpectReject("83019f0203ff820405", ErrorCode::kNonCanonical, "indefinite-length array at offset 2");
  ExpectReject("9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", ErrorCode::kNonCanonical,
               "indefinite-length array");
  ExpectReject("bf61610161629f0203ffff", ErrorCode::kNonCanonical, "indefinite-length map");
  ExpectReject("826161bf61626163ff", ErrorCode::kNonCanonical, "indefinite-length map at offset 3");
  ExpectReject("bf6346756ef563416d7421ff", ErrorCode::kNonCanonical, "indefinite-length map");
}

// ---- Non-canonical forms ----

TEST(CborNonCanonical, ErrorMessageNamesValueWidthAndOffset) {
  Error e = DecodeError(H("840000001817"));
  EXPECT_EQ(e.code, ErrorCode::kNonCanonical);
  EXPECT_EQ(e.message, "non-canonical: integer 23 encoded in 2 bytes at offset 4");
}

TEST(CborNonCanonical, NonShortestIntegerInEachWidth) {
  ExpectReject("1817", ErrorCode::kNonCanonical, "integer 23 encoded in 2 bytes at offset 0");
  ExpectReject("1800", ErrorCode::kNonCanonical, "integer 0 encoded in 2 bytes");
  ExpectReject("1900ff", ErrorCode::kNonCanonical, "integer 255 encoded in 3 bytes");
  ExpectReject("1a0000ffff", ErrorCode::kNonCanonical, "integer 65535 encoded in 5 bytes");
  ExpectReject("1b00000000ffffffff", ErrorCode::kNonCanonical, "integer 4294967295 encoded in 9 bytes");
  ExpectReject("3817", ErrorCode::kNonCanonical, "integer -24 encoded in 2 bytes");
  ExpectReject("3900ff", ErrorCode::kNonCanonical, "integer -256 encoded in 3 bytes");
  ExpectReject("3a0000ffff", ErrorCode::kNonCanonical, "integer -65536 encoded in 5 bytes");
  ExpectReject("3b00000000ffffffff", ErrorCode::kNonCanonical, "integer -4294967296 encoded in 9 bytes");
}

TEST(CborNonCanonical, NonShortestLengths) {
  ExpectReject("580100", ErrorCode::kNonCanonical, "byte string length 1 encoded in 2 bytes");
  ExpectReject("59000100", ErrorCode::kNonCanonical, "byte string length 1 encoded in 3 bytes");
  ExpectReject("780161", ErrorCode::kNonCanonical, "text string length 1 encoded in 2 bytes");
  ExpectReject("7a0000000161", ErrorCode::kNonCanonical, "text string length 1 encoded in 5 bytes");
  ExpectReject("980100", ErrorCode::kNonCanonical, "array length 1 encoded in 2 bytes");
  ExpectReject("9b000000000000000100", ErrorCode::kNonCanonical, "array length 1 encoded in 9 bytes");
  ExpectReject("b8010000", ErrorCode::kNonCanonical, "map length 1 encoded in 2 bytes");
  ExpectReject("b900010000", ErrorCode::kNonCanonical, "map length 1 encoded in 3 bytes");
  ExpectReject("bb00000000000000010000", ErrorCode::kNonCanonical, "map length 1 encoded in 9 bytes");
  ExpectReject("5a0000000100", ErrorCode::kNonCanonical, "byte string length 1 encoded in 5 bytes");
  ExpectReject("7b000000000000000161", ErrorCode::kNonCanonical, "text string length 1 encoded in 9 bytes");
  ExpectReject("5900170000000000000000000000000000000000000000000000", ErrorCode::kNonCanonical,
               "byte string length 23 encoded in 3 bytes");
}

TEST(CborNonCanonical, IndefiniteLengths) {
  ExpectReject("5fff", ErrorCode::kNonCanonical, "indefinite-length byte string");
  ExpectReject("7fff", ErrorCode::kNonCanonical, "indefinite-length text string");
  ExpectReject("9f00ff", ErrorCode::kNonCanonical, "indefinite-length array");
  ExpectReject("bf0000ff", ErrorCode::kNonCanonical, "indefinite-length map");
}

TEST(CborNonCanonical, MapKeysMustBeStrictlyIncreasingBytewise) {
  ExpectReject("a202000100", ErrorCode::kNonCanonical, "map key at offset 3 sorts before the previous key");
  ExpectReject("a201000100", ErrorCode::kNonCanonical, "duplicate map key at offset 3");
  ExpectReject("a2616101616101", ErrorCode::kNonCanonical, "duplicate map key");
  ExpectReject("a2616201616101", ErrorCode::kNonCanonical, "sorts before");
  // RFC 7049 "length-first" order (10, -1, 100) differs from RFC 8949 bytewise
  // order (10, 100, -1): only the latter is accepted.
  ExpectReject("a30a002000186400", ErrorCode::kNonCanonical, "sorts before");
  ExpectCodec(M({{U(10), U(0)}, {I(-1), U(0)}, {U(100), U(0)}}), "a30a001864002000");
  // Same for text: "b" (6162) sorts before "aa" (626161) bytewise.
  ExpectReject("a262616100616200", ErrorCode::kNonCanonical, "sorts before");
  ExpectCodec(M({{T("aa"), U(0)}, {T("b"), U(0)}}), "a261620062616100");
  // Nested: the order is checked inside keys and values too.
  ExpectReject("81a202000100", ErrorCode::kNonCanonical, "map key at offset 4");
}

// ---- Malformed input ----

TEST(CborMalformed, TrailingBytes) {
  ExpectReject("0000", ErrorCode::kMalformed,
               "trailing bytes: 1 bytes after the data item ending at offset 1");
  ExpectReject("8100f6f6", ErrorCode::kMalformed, "trailing bytes: 2 bytes");
}

TEST(CborMalformed, EmptyInput) {
  ExpectReject("", ErrorCode::kMalformed, "truncated");
}

TEST(CborMalformed, EveryPrefixOfAnEncodingIsTruncated) {
  Value v = M({{T("name"), T("sensor-\u00fc")},
               {T("seq"), U(0x1234567890)},
               {T("keys"), A({B("00112233445566778899"), I(-70000), Value::boolean(true)})},
               {U(65536), M({{I(-1), Value::null()}})}});
  Bytes enc = encode(v);
  ASSERT_GT(enc.size(), 40u);
  ASSERT_TRUE(decode(enc).ok());
  for (size_t n = 0; n < enc.size(); ++n) {
    Error e = DecodeError(ByteView(enc.data(), n));
    EXPECT_EQ(e.code, ErrorCode::kMalformed) << "prefix " << n << ": " << e.to_string();
    EXPECT_THAT(e.message, HasSubstr("truncated")) << "prefix " << n;
  }
}

TEST(CborMalformed, TruncatedHeadsNameWhatIsMissing) {
  ExpectReject("19ff", ErrorCode::kMalformed,
               "truncated: unsigned integer head at offset 0 needs 2 argument bytes, only 1 remain");
  ExpectReject("430102", ErrorCode::kMalformed,
               "truncated: byte string of length 3 at offset 0, only 2 bytes remain");
  ExpectReject("828100", ErrorCode::kMalformed,
               "truncated: input ends where a data item was expected at offset 3");
  ExpectReject("82f4", ErrorCode::kMalformed, "truncated: array of 2 items at offset 0, only 1 bytes remain");
}

TEST(CborMalformed, InvalidUtf8) {
  ExpectReject("62c080", ErrorCode::kMalformed,
               "invalid UTF-8 in text string at offset 0 (byte 0xc0 at offset 1)");
  ExpectReject("62c1bf", ErrorCode::kMalformed, "invalid UTF-8");          // overlong 2-byte
  ExpectReject("63e08080", ErrorCode::kMalformed, "invalid UTF-8");        // overlong 3-byte
  ExpectReject("63e09fbf", ErrorCode::kMalformed, "invalid UTF-8");        // overlong U+07FF
  ExpectReject("64f0808080", ErrorCode::kMalformed, "invalid UTF-8");      // overlong 4-byte
  ExpectReject("64f08fbfbf", ErrorCode::kMalformed, "invalid UTF-8");      // overlong U+FFFF
  ExpectReject("63eda080", ErrorCode::kMalformed, "invalid UTF-8");        // surrogate U+D800
  ExpectReject("63edbfbf", ErrorCode::kMalformed, "invalid UTF-8");        // surrogate U+DFFF
  ExpectReject("66eda0bdedb080", ErrorCode::kMalformed, "invalid UTF-8");  // CESU-8 surrogate pair
  ExpectReject("64f4908080", ErrorCode::kMalformed, "invalid UTF-8");      // U+110000
  ExpectReject("64f5808080", ErrorCode::kMalformed, "invalid UTF-8");      // lead byte F5
  ExpectReject("61ff", ErrorCode::kMalformed, "invalid UTF-8");            // FF
  ExpectReject("6180", ErrorCode::kMalformed, "invalid UTF-8");            // stray continuation
  ExpectReject("62e6b0", ErrorCode::kMalformed, "invalid UTF-8");          // sequence cut short
  ExpectReject("62c341", ErrorCode::kMalformed, "invalid UTF-8");          // missing continuation
  ExpectReject("6461e6b041", ErrorCode::kMalformed, "(byte 0xe6 at offset 2)");
  // Edges that are valid.
  ExpectCodec(T("\u007f"), "617f");
  ExpectCodec(T("\u0080"), "62c280");
  ExpectCodec(T("\u07ff"), "62dfbf");
  ExpectCodec(T("\u0800"), "63e0a080");
  ExpectCodec(T("\ud7ff"), "63ed9fbf");
  ExpectCodec(T("\ue000"), "63ee8080");
  ExpectCodec(T("\uffff"), "63efbfbf");
  ExpectCodec(T("\U00010000"), "64f0908080");
  ExpectCodec(T("\U0010ffff"), "64f48fbfbf");
  ExpectCodec(T(std::string("\0", 1)), "6100");
}

TEST(CborMalformed, ReservedAdditionalInformation) {
  ExpectReject("1c", ErrorCode::kMalformed,
               "reserved additional information 28 in initial byte 0x1c at offset 0");
  ExpectReject("3d", ErrorCode::kMalformed, "reserved additional information 29");
  ExpectReject("5e", ErrorCode::kMalformed, "reserved additional information 30");
  ExpectReject("7c", ErrorCode::kMalformed, "reserved additional information 28");
  ExpectReject("9d", ErrorCode::kMalformed, "reserved additional information 29");
  ExpectReject("be", ErrorCode::kMalformed, "reserved additional information 30");
  ExpectReject("dc", ErrorCode::kMalformed, "reserved additional information 28");
  ExpectReject("fd", ErrorCode::kMalformed, "reserved additional information 29");
  ExpectReject("81fe", ErrorCode::kMalformed,
               "reserved additional information 30 in initial byte 0xfe at offset 1");
}

TEST(CborMalformed, IndefiniteIntegerAndTagAreMalformed) {
  ExpectReject("1f", ErrorCode::kMalformed, "additional information 31 is invalid for an unsigned integer");
  ExpectReject("3f", ErrorCode::kMalformed, "additional information 31 is invalid for a negative integer");
  ExpectReject("df", ErrorCode::kMalformed, "additional information 31 is invalid for a tag");
}

TEST(CborMalformed, BreakOutOfPlace) {
  ExpectReject("ff", ErrorCode::kMalformed, "unexpected break byte 0xff at offset 0");
  ExpectReject("81ff", ErrorCode::kMalformed, "unexpected break byte 0xff at offset 1");
  ExpectReject("8201ff", ErrorCode::kMalformed, "at offset 2");
  ExpectReject("a1ff00", ErrorCode::kMalformed, "unexpected break byte");
  ExpectReject("a100ff", ErrorCode::kMalformed, "unexpected break byte");
}

TEST(CborMalformed, TwoByteSimpleValueBelow32) {
  ExpectReject("f814", ErrorCode::kMalformed, "simple value 20 in two-byte form");
  ExpectReject("f81f", ErrorCode::kMalformed, "simple value 31 in two-byte form");
  ExpectReject("f820", ErrorCode::kUnsupported, "simple value 32");
}

// ---- Resource bombs ----

TEST(CborLimits, DepthBomb) {
  Bytes bomb(1000, 0x81);
  bomb.push_back(0x00);
  Error e = DecodeError(bomb);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge) << e.to_string();
  EXPECT_EQ(e.message, "too large: array at offset 16 nests deeper than 16 levels");
  // Even a caller asking for more cannot exceed kMaxDepth.
  EXPECT_EQ(DecodeError(bomb, {.max_depth = 100000}).code, ErrorCode::kTooLarge);
  Bytes maps;
  for (int i = 0; i < 1000; ++i) maps.insert(maps.end(), {0xa1, 0x00});
  maps.push_back(0x00);
  EXPECT_EQ(DecodeError(maps).code, ErrorCode::kTooLarge);
}

TEST(CborLimits, DepthLimitIsExact) {
  for (size_t depth : {0, 1, 5, 16, 17, 255, 256, 257}) {
    SCOPED_TRACE(depth);
    Bytes nested(depth, 0x81);
    nested.push_back(0x00);
    auto d16 = decode(nested);
    EXPECT_EQ(d16.ok(), depth <= 16);
    auto dmax = decode(nested, {.max_depth = 100000});
    EXPECT_EQ(dmax.ok(), depth <= kMaxDepth);
    if (dmax.ok()) {
      EXPECT_EQ(encode(*dmax), nested);
    }
  }
  EXPECT_FALSE(decode(H("8100"), {.max_depth = 0}).ok());
  EXPECT_TRUE(decode(H("00"), {.max_depth = 0}).ok());
}

TEST(CborLimits, ItemCountBomb) {
  // An array of 100001 zeros: every byte is present, but 100002 items > 100000.
  Bytes bomb = H("9a000186a1");
  bomb.resize(bomb.size() + 100001, 0x00);
  Error e = DecodeError(bomb);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge) << e.to_string();
  EXPECT_THAT(e.message, HasSubstr("array of 100001 items at offset 0 exceeds the limit of 100000"));
  // The limit counts every item, containers included: [0 x 9] is 10 items.
  Bytes nine = H("89000000000000000000");
  EXPECT_TRUE(decode(nine, {.max_items = 10}).ok());
  EXPECT_EQ(DecodeError(nine, {.max_items = 9}).code, ErrorCode::kTooLarge);
  // Spread over many small containers: [[0], [0], ...] counts the inner ones too.
  Bytes spread = H("9903e8");  // array of 1000
  for (int i = 0; i < 1000; ++i) spread.insert(spread.end(), {0x81, 0x00});
  EXPECT_TRUE(decode(spread, {.max_items = 2001}).ok());
  EXPECT_EQ(DecodeError(spread, {.max_items = 2000}).code, ErrorCode::kTooLarge);
  // Maps count keys and values.
  EXPECT_TRUE(decode(H("a2000001f6"), {.max_items = 5}).ok());
  EXPECT_EQ(DecodeError(H("a2000001f6"), {.max_items = 4}).code, ErrorCode::kTooLarge);
  EXPECT_EQ(DecodeError(H("00"), {.max_items = 0}).code, ErrorCode::kTooLarge);
}

TEST(CborLimits, HugeDeclaredLengthsWithTinyInput) {
  ExpectReject("5bffffffffffffffff", ErrorCode::kMalformed,
               "truncated: byte string of length 18446744073709551615 at offset 0, only 0 bytes remain");
  ExpectReject("7bffffffffffffffff00", ErrorCode::kMalformed, "text string of length 18446744073709551615");
  ExpectReject("5a7fffffff00", ErrorCode::kMalformed, "only 1 bytes remain");
  ExpectReject("9bffffffffffffffff", ErrorCode::kMalformed, "array of 18446744073709551615 items");
  ExpectReject("bbffffffffffffffff", ErrorCode::kMalformed, "map of 18446744073709551615 entries");
  ExpectReject("bb7fffffffffffffff", ErrorCode::kMalformed, "map of 9223372036854775807 entries");
}

TEST(CborLimits, ArrayCountLargerThanInput) {
  ExpectReject("840102", ErrorCode::kMalformed,
               "truncated: array of 4 items at offset 0, only 2 bytes remain");
  ExpectReject("9a0001000000", ErrorCode::kMalformed, "array of 65536 items");
  ExpectReject("a3000000", ErrorCode::kMalformed, "map of 3 entries");
  ExpectReject("a20000", ErrorCode::kMalformed, "map of 2 entries");
}

// ---- Encoder ----

TEST(CborEncode, SortsMapKeysBytewiseRfc8949Example) {
  // RFC 8949 §4.2.1: 10, 100, -1, "z", "aa", [100], [-1], false.
  MapEntries shuffled = {
      {Value::boolean(false), U(7)}, {T("aa"), U(4)}, {A({I(-1)}), U(6)}, {U(100), U(1)}, {I(-1), U(2)},
      {A({U(100)}), U(5)},           {T("z"), U(3)},  {U(10), U(0)},
  };
  ExpectCodec(M(shuffled), "a80a001864012002617a036261610481186405812006f407");
}

TEST(CborEncode, EncodeToAppends) {
  Bytes out = {0xaa};
  encode_to(out, A({U(1)}));
  EXPECT_EQ(to_hex(out), "aa8101");
}

TEST(CborEncodeDeathTest, DuplicateMapKeyAsserts) {
  Value dup = M({{T("a"), U(1)}, {T("a"), U(2)}});
  EXPECT_DEATH(encode(dup), "invariant violated");
}

// ---- Value ----

TEST(CborValue, StructuralEquality) {
  EXPECT_EQ(U(1), U(1));
  EXPECT_NE(U(1), I(-2));
  EXPECT_NE(U(1), U(2));
  EXPECT_NE(B("61"), T("a"));
  EXPECT_EQ(Value(), Value::null());
  EXPECT_NE(Value::null(), Value::boolean(false));
  EXPECT_NE(A({U(1)}), A({U(1), U(2)}));
  EXPECT_NE(A({U(1), U(2)}), A({U(2), U(1)}));
  // Map equality ignores the construction order, as the encoding does.
  EXPECT_EQ(M({{T("a"), U(1)}, {T("b"), U(2)}}), M({{T("b"), U(2)}, {T("a"), U(1)}}));
  EXPECT_NE(M({{T("a"), U(1)}, {T("b"), U(2)}}), M({{T("b"), U(1)}, {T("a"), U(2)}}));
  EXPECT_NE(M({{T("a"), U(1)}}), M({{T("a"), U(1)}, {T("b"), U(2)}}));
  EXPECT_NE(M({{T("a"), U(1)}}), M({{T("c"), U(1)}}));
}

TEST(CborValue, TypedAccessors) {
  EXPECT_EQ(*U(7).as_uint(), 7u);
  EXPECT_EQ(*I(-7).as_int(), -7);
  EXPECT_EQ(*I(INT64_MIN).as_int(), INT64_MIN);
  EXPECT_EQ(*U(INT64_MAX).as_int(), INT64_MAX);
  EXPECT_EQ(U(uint64_t{INT64_MAX} + 1).as_int().error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(Value::negative(uint64_t{INT64_MAX} + 1).as_int().error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(*B("0102").as_bytes(), H("0102"));
  EXPECT_EQ(*T("x").as_text(), "x");
  EXPECT_TRUE(*Value::boolean(true).as_bool());
  EXPECT_EQ(Value::negative(5).negative_argument(), 5u);
  EXPECT_EQ(T("hi").text_view(), "hi");
  EXPECT_EQ(to_hex(B("0a0b").bytes_view()), "0a0b");

  auto e = T("x").as_uint();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.error().message, "expected uint, got text");
  EXPECT_EQ(I(-1).as_uint().error().message, "expected uint, got negint");
  EXPECT_EQ(U(1).as_bytes().error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(U(1).as_text().error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Value::null().as_bool().error().message, "expected bool, got null");
  EXPECT_EQ(B("").as_int().error().message, "expected integer, got bytes");

  Value m = M({{U(1), T("one")}, {T("k"), U(2)}});
  ASSERT_NE(m.find("k"), nullptr);
  EXPECT_EQ(*m.find("k"), U(2));
  EXPECT_EQ(m.find("one"), nullptr);
  EXPECT_EQ(U(1).find("k"), nullptr);
  EXPECT_EQ(type_name(Type::kMap), "map");
}

// ---- Diagnostic notation ----

TEST(CborDiagnostic, Rfc8949Section8) {
  EXPECT_EQ(diagnostic(M({{T("b"), B("00ff")}, {T("a"), U(1)}})), "{\"a\": 1, \"b\": h'00ff'}");
  EXPECT_EQ(diagnostic(A({U(1), A({U(2), U(3)}), A({})})), "[1, [2, 3], []]");
  EXPECT_EQ(diagnostic(A({Value::boolean(true), Value::boolean(false), Value::null()})),
            "[true, false, null]");
  EXPECT_EQ(diagnostic(I(-1)), "-1");
  EXPECT_EQ(diagnostic(I(-1000)), "-1000");
  EXPECT_EQ(diagnostic(Value::negative(UINT64_MAX)), "-18446744073709551616");
  EXPECT_EQ(diagnostic(Value::negative(UINT64_MAX - 1)), "-18446744073709551615");
  EXPECT_EQ(diagnostic(U(UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(diagnostic(B("")), "h''");
  EXPECT_EQ(diagnostic(T("")), "\"\"");
  EXPECT_EQ(diagnostic(T("a\"b\\c\nd\te\x01\x7f\u00fc")), "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\u00fc\"");
  EXPECT_EQ(diagnostic(M({})), "{}");
  EXPECT_EQ(diagnostic(M({{A({U(1)}), M({{I(-1), Value::null()}})}})), "{[1]: {-1: null}}");
}

// ---- MapReader ----

Value TxRecord() {
  return M({{T("seq"), U(7)},
            {T("to"), B("0102")},
            {T("memo"), T("hi")},
            {T("urgent"), Value::boolean(true)},
            {T("ops"), A({U(1)})}});
}

TEST(CborMapReader, ReadsEveryField) {
  Value tx = TxRecord();
  auto r = MapReader::of(tx, "tx");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->has("seq"));
  EXPECT_FALSE(r->has("fee"));
  EXPECT_EQ(*r->get_uint("seq"), 7u);
  EXPECT_EQ(*r->get_bytes("to"), H("0102"));
  EXPECT_EQ(*r->get_text("memo"), "hi");
  EXPECT_TRUE(*r->get_bool("urgent"));
  auto ops = r->get("ops");
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(**ops, A({U(1)}));
  EXPECT_TRUE(r->finish().ok());
  // Reading a field twice is allowed.
  EXPECT_EQ(*r->get_uint("seq"), 7u);
}

TEST(CborMapReader, RequiresMapWithTextKeys) {
  auto not_map = MapReader::of(A({}), "tx");
  ASSERT_FALSE(not_map.ok());
  EXPECT_EQ(not_map.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(not_map.error().message, "record 'tx': expected map, got array");
  auto int_key = MapReader::of(M({{T("a"), U(1)}, {U(1), U(2)}}), "tx");
  ASSERT_FALSE(int_key.ok());
  EXPECT_EQ(int_key.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(int_key.error().message, "record 'tx': map key must be text");
}

TEST(CborMapReader, MissingField) {
  Value tx = TxRecord();
  auto r = *MapReader::of(tx, "tx");
  auto fee = r.get_uint("fee");
  ASSERT_FALSE(fee.ok());
  EXPECT_EQ(fee.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(fee.error().message, "record 'tx': missing field 'fee'");
  EXPECT_EQ(r.get("fee").error().message, "record 'tx': missing field 'fee'");
}

TEST(CborMapReader, WrongType) {
  Value tx = M({{T("seq"), B("00")}, {T("to"), U(1)}, {T("n"), I(-1)}});
  auto r = *MapReader::of(tx, "tx");
  auto seq = r.get_uint("seq");
  ASSERT_FALSE(seq.ok());
  EXPECT_EQ(seq.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(seq.error().message, "record 'tx': field 'seq' must be uint, got bytes");
  EXPECT_EQ(r.get_bytes("to").error().message, "record 'tx': field 'to' must be bytes, got uint");
  EXPECT_EQ(r.get_text("to").error().message, "record 'tx': field 'to' must be text, got uint");
  EXPECT_EQ(r.get_bool("to").error().message, "record 'tx': field 'to' must be bool, got uint");
  EXPECT_EQ(r.get_uint("n").error().message, "record 'tx': field 'n' must be uint, got negint");
}

TEST(CborMapReader, UnknownField) {
  Value tx = M({{T("seq"), U(1)}, {T("x"), U(2)}});
  auto r = *MapReader::of(tx, "tx");
  ASSERT_TRUE(r.get_uint("seq").ok());
  Status s = r.finish();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(s.error().message, "record 'tx': unknown field 'x'");
  // has() does not consume.
  EXPECT_TRUE(r.has("x"));
  EXPECT_FALSE(r.finish().ok());
  ASSERT_TRUE(r.get("x").ok());
  EXPECT_TRUE(r.finish().ok());
}

TEST(CborMapReader, WorksOnDecodedRecords) {
  Bytes enc = encode(TxRecord());
  auto v = decode(enc);
  ASSERT_TRUE(v.ok());
  auto r = *MapReader::of(*v, "tx");
  EXPECT_EQ(*r.get_uint("seq"), 7u);
  EXPECT_EQ(r.finish().error().message, "record 'tx': unknown field 'to'");  // canonical order: "to" first
}

// ---- Fuzz seed corpus ----

TEST(CborFuzzCorpus, SeedsAreCanonical) {
  const std::filesystem::path dir = std::filesystem::path(TM_SOURCE_DIR) / "fuzz" / "corpus" / "cbor";
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream f(entry.path(), std::ios::binary);
    Bytes b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto d = decode(b);
    ASSERT_TRUE(d.ok()) << entry.path() << ": " << d.error().to_string();
    EXPECT_EQ(encode(*d), b) << entry.path();
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

// ---- Randomized properties ----

class RandomValues {
 public:
  explicit RandomValues(uint64_t seed) : rng_(seed) {}

  uint64_t below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  uint64_t integer_argument() {
    static constexpr uint64_t kEdges[] = {
        0, 1, 23, 24, 255, 256, 65535, 65536, 0xffffffff, 0x100000000, UINT64_MAX - 1, UINT64_MAX};
    switch (below(3)) {
      case 0: return kEdges[below(std::size(kEdges))];
      case 1: return below(100);
      default: return rng_() >> below(64);  // every width
    }
  }

  std::string utf8() {
    std::string s;
    const uint64_t n = below(8);
    for (uint64_t i = 0; i < n; ++i) {
      uint32_t cp = 0;
      switch (below(4)) {
        case 0: cp = static_cast<uint32_t>(below(0x80)); break;
        case 1: cp = static_cast<uint32_t>(0x80 + below(0x800 - 0x80)); break;
        case 2:
          cp = static_cast<uint32_t>(0x800 + below(0x10000 - 0x800 - 0x800));
          if (cp >= 0xd800) cp += 0x800;  // skip surrogates
          break;
        default: cp = static_cast<uint32_t>(0x10000 + below(0x110000 - 0x10000)); break;
      }
      append_utf8(s, cp);
    }
    return s;
  }

  Value value(int depth) {
    const uint64_t kinds = depth > 0 ? 8 : 6;
    switch (below(kinds)) {
      case 0: return Value::uint(integer_argument());
      case 1: return Value::negative(integer_argument());
      case 2: {
        Bytes b(below(40));
        for (auto& x : b) x = static_cast<uint8_t>(rng_());
        return Value::bytes(std::move(b));
      }
      case 3: return Value::text(utf8());
      case 4: return Value::boolean(below(2) == 1);
      case 5: return Value::null();
      case 6: {
        Array items;
        const uint64_t n = below(6);
        for (uint64_t i = 0; i < n; ++i) items.push_back(value(depth - 1));
        return Value::array(std::move(items));
      }
      default: {
        MapEntries entries;
        std::set<Bytes> seen;
        const uint64_t n = below(6);
        for (uint64_t i = 0; i < n; ++i) {
          Value k = value(depth - 1);
          if (!seen.insert(encode(k)).second) continue;  // keys must be distinct
          entries.emplace_back(std::move(k), value(depth - 1));
        }
        return Value::map(std::move(entries));
      }
    }
  }

  void mutate(Bytes& b) {
    const uint64_t edits = 1 + below(3);
    for (uint64_t i = 0; i < edits; ++i) {
      switch (b.empty() ? 3 : below(5)) {
        case 0: b[below(b.size())] ^= static_cast<uint8_t>(1u << below(8)); break;
        case 1: b[below(b.size())] = static_cast<uint8_t>(rng_()); break;
        case 2: b.erase(b.begin() + static_cast<std::ptrdiff_t>(below(b.size()))); break;
        case 3:
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(below(b.size() + 1)),
                   static_cast<uint8_t>(rng_()));
          break;
        default: b.resize(below(b.size())); break;
      }
    }
  }

 private:
  static void append_utf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  std::mt19937_64 rng_;
};

TEST(CborProperty, RandomValuesRoundTrip) {
  RandomValues gen(0x7457c0de);
  for (int i = 0; i < 3000; ++i) {
    Value v = gen.value(4);
    Bytes enc = encode(v);
    auto d = decode(enc);
    ASSERT_TRUE(d.ok()) << "value " << i << ": " << diagnostic(v) << ": " << d.error().to_string();
    ASSERT_EQ(*d, v) << "value " << i;
    ASSERT_EQ(encode(*d), enc) << "value " << i;
    ASSERT_EQ(diagnostic(*d), diagnostic(v)) << "value " << i;
  }
}

TEST(CborProperty, MutationsNeverCrashAndDecodeOnlyCanonicalBytes) {
  RandomValues gen(0xf022);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes b = encode(gen.value(3));
    gen.mutate(b);
    auto d = decode(b);
    if (!d.ok()) {
      const ErrorCode c = d.error().code;
      ASSERT_TRUE(c == ErrorCode::kMalformed || c == ErrorCode::kNonCanonical || c == ErrorCode::kTooLarge ||
                  c == ErrorCode::kUnsupported)
          << d.error().to_string();
      ASSERT_FALSE(d.error().message.empty());
      continue;
    }
    ++decoded;
    ASSERT_EQ(encode(*d), b) << "mutation " << i << " decoded to " << diagnostic(*d) << " from " << to_hex(b);
  }
  EXPECT_GT(decoded, 100);  // the property was exercised, not vacuous
}

}  // namespace
}  // namespace trustmesh::cbor
