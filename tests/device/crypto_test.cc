// Device crypto pieces: sealed boxes (ECIES), device certificates and the
// signed DM <-> device envelope. Every tamper case must be refused.
#include <gtest/gtest.h>

#include "core/hash.h"
#include "device/certificate.h"
#include "device/envelope.h"
#include "device/seal.h"

namespace trustmesh::device {
namespace {

constexpr uint64_t kNow = 1'800'000'000;

TEST(Seal, RoundTripAndLayout) {
  auto k = KeyPair::generate().value();
  Bytes msg = {'h', 'i', '!'};
  auto box = seal(k.public_key(), msg, as_bytes("ctx"));
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(box->size(), kSealOverhead + msg.size());
  EXPECT_EQ((*box)[0], 0x01);
  auto open = open_sealed(k, *box, as_bytes("ctx"));
  ASSERT_TRUE(open.ok()) << open.error().to_string();
  EXPECT_EQ(*open, msg);
  // Fresh ephemeral key and nonce: sealing twice gives different boxes.
  EXPECT_NE(*seal(k.public_key(), msg, as_bytes("ctx")), *box);
  auto empty = seal(k.public_key(), {}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(open_sealed(k, *empty, {}).ok());
}

TEST(Seal, RefusesTamperWrongKeyAndWrongContext) {
  auto k = KeyPair::generate().value();
  auto other = KeyPair::generate().value();
  Bytes box = seal(k.public_key(), as_bytes("secret config"), as_bytes("ctx")).value();
  for (size_t i = 0; i < box.size(); i += 7) {
    Bytes bad = box;
    bad[i] ^= 0x01;
    auto r = open_sealed(k, bad, as_bytes("ctx"));
    ASSERT_FALSE(r.ok()) << "flipped byte " << i;
    EXPECT_EQ(r.error().code, ErrorCode::kDecryptFailed);
  }
  EXPECT_EQ(open_sealed(other, box, as_bytes("ctx")).error().code, ErrorCode::kDecryptFailed);
  EXPECT_EQ(open_sealed(k, box, as_bytes("other")).error().code, ErrorCode::kDecryptFailed);
  EXPECT_EQ(open_sealed(k, ByteView(box).first(20), as_bytes("ctx")).error().code, ErrorCode::kDecryptFailed);
  auto ed = KeyPair::generate(KeyAlg::kEd25519).value();
  EXPECT_EQ(seal(ed.public_key(), box, {}).error().code, ErrorCode::kBadKey);
}

TEST(Certificate, SelfSignedWithIdInSubjectAndSan) {
  std::string id = new_uuid();
  EXPECT_TRUE(is_uuid(id));
  EXPECT_EQ(id[14], '4');
  auto ident = make_identity(id, kNow, 30);
  ASSERT_TRUE(ident.ok()) << ident.error().to_string();
  auto info = read_certificate(ident->cert_der);
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->device_id, id);
  EXPECT_TRUE(info->key == ident->key.public_key());
  EXPECT_EQ(info->not_before, kNow - 60);
  EXPECT_EQ(info->not_after, kNow + 30 * 86400);
  EXPECT_FALSE(make_identity("Not-A-UUID", kNow, 30).ok());
  EXPECT_FALSE(make_identity(id, kNow, 0).ok());
}

TEST(Certificate, RefusesTamperedAndForeignCertificates) {
  auto ident = make_identity(new_uuid(), kNow, 30).value();
  Bytes der = ident.cert_der;
  der[der.size() - 5] ^= 0x40;  // inside the signature
  auto r = read_certificate(der);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(read_certificate(as_bytes("not a certificate")).ok());
  Bytes longer = ident.cert_der;
  longer.push_back(0);
  EXPECT_EQ(read_certificate(longer).error().code, ErrorCode::kMalformed);
}

Envelope sample() {
  Envelope e;
  e.type = "config";
  e.device = new_uuid();
  e.nonce = 7;
  e.body = cbor::Value::map({{cbor::Value::text("config"), cbor::Value::bytes(as_bytes("x=1"))}});
  return e;
}

TEST(Envelope, SignedRoundTrip) {
  auto k = KeyPair::generate().value();
  Envelope e = sample();
  ASSERT_TRUE(e.sign(k).ok());
  auto d = Envelope::decode(e.encode());
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->encode(), e.encode());
  auto who = d->verify();
  ASSERT_TRUE(who.ok());
  EXPECT_TRUE(*who == k.public_key());
}

TEST(Envelope, RefusesTamperUnsignedAndMalformed) {
  auto k = KeyPair::generate().value();
  Envelope e = sample();
  ASSERT_TRUE(e.sign(k).ok());
  Envelope t = e;
  t.nonce = 8;
  EXPECT_EQ(t.verify().error().code, ErrorCode::kBadSignature);
  t = e;
  t.body = cbor::Value::map({{cbor::Value::text("config"), cbor::Value::bytes(as_bytes("x=2"))}});
  EXPECT_EQ(t.verify().error().code, ErrorCode::kBadSignature);
  t = e;
  t.sender.clear();
  EXPECT_EQ(t.verify().error().code, ErrorCode::kBadSignature);
  // Malformed: not CBOR, truncated, an unknown field, a body that is not a map, too large.
  EXPECT_FALSE(Envelope::decode(as_bytes("{not cbor")).ok());
  Bytes enc = e.encode();
  EXPECT_FALSE(Envelope::decode(ByteView(enc).first(enc.size() - 1)).ok());
  cbor::Value v = cbor::decode(enc).value();
  cbor::MapEntries m = v.map_entries();
  m.emplace_back(cbor::Value::text("extra"), cbor::Value::uint(1));
  EXPECT_FALSE(Envelope::decode(cbor::encode(cbor::Value::map(m))).ok());
  Bytes big(kMaxEnvelope + 1, 0);
  EXPECT_EQ(Envelope::decode(big).error().code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace trustmesh::device
