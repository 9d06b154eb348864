// core/x509: the certificate facts the ledger relies on, including the
// Matter vendor/product id attributes and pathLenConstraint, and refusal of
// certificates whose id attributes are malformed.
#include "core/x509.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "core/hash.h"
#include "core/x509_crl.h"
#include "core/x509_issue.h"

namespace trustmesh::x509 {
namespace {

constexpr int64_t k2020 = 1577836800;

// A self-signed certificate whose subject holds the given (OID, value)
// attributes, built with OpenSSL directly so the values can be anything.
Bytes with_attributes(const std::vector<std::pair<const char*, std::string>>& attrs) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("t"), 1, -1,
                             0);
  for (const auto& [oid, v] : attrs)
    X509_NAME_add_entry_by_txt(name, oid, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v.data()),
                               static_cast<int>(v.size()), -1, 0);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_set_version(x.get(), 2);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), k2020);
  ASN1_TIME_set(X509_getm_notAfter(x.get()), k2020 + 86400);
  X509_set_pubkey(x.get(), key.get());
  X509_set_subject_name(x.get(), name);
  X509_set_issuer_name(x.get(), name);
  X509_NAME_free(name);
  EXPECT_GT(X509_sign(x.get(), key.get(), EVP_sha256()), 0);
  unsigned char* der = nullptr;
  int n = i2d_X509(x.get(), &der);
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

TEST(X509, FactsOfAnIssuedChain) {
  auto root =
      issue({.cn = "Root", .ca = true, .not_before = k2020, .path_len = 2, .vid = 0xFFF1}, std::nullopt);
  ASSERT_TRUE(root.ok());
  auto leaf = issue({.cn = "dev", .not_before = k2020, .vid = 0xFFF1, .pid = 0x8000},
                    std::pair<ByteView, EVP_PKEY*>(root->der, root->key.get()));
  ASSERT_TRUE(leaf.ok());
  auto r = parse_certificate(root->der);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->is_ca);
  EXPECT_TRUE(r->self_issued());
  EXPECT_EQ(r->path_len, 2);
  EXPECT_EQ(r->vid, 0xFFF1u);
  EXPECT_FALSE(r->pid.has_value());
  EXPECT_EQ(r->hash, sha256(root->der));
  EXPECT_EQ(r->not_before, k2020);
  auto l = parse_certificate(leaf->der);
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->is_ca);
  EXPECT_EQ(l->path_len, -1);
  EXPECT_EQ(l->pid, 0x8000u);
  EXPECT_EQ(l->issuer_hash, r->subject_hash);
  EXPECT_TRUE(verify_signed_by(leaf->der, root->der).ok());
  EXPECT_FALSE(verify_signed_by(root->der, leaf->der).ok());
  auto no_len = parse_certificate(issue({.cn = "R", .ca = true, .not_before = k2020}, std::nullopt)->der);
  EXPECT_EQ(no_len->path_len, -1);
}

TEST(X509, IdAttributesAreFourHexDigitsOnce) {
  auto good = parse_certificate(with_attributes({{kVidOid, "1234"}, {kPidOid, "00AB"}}));
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->vid, 0x1234u);
  EXPECT_EQ(good->pid, 0xABu);
  for (const auto& attrs : std::vector<std::vector<std::pair<const char*, std::string>>>{
           {{kVidOid, "12g4"}},
           {{kVidOid, "123"}},
           {{kVidOid, "12345"}},
           {{kPidOid, "00ab"}},  // Matter writes upper case
           {{kVidOid, "1234"}, {kVidOid, "1234"}}}) {
    auto bad = parse_certificate(with_attributes(attrs));
    ASSERT_FALSE(bad.ok()) << attrs[0].second;
    EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  }
}

TEST(X509, RefusesWhatIsNotOneCertificate) {
  auto root = issue({.cn = "Root", .ca = true, .not_before = k2020}, std::nullopt);
  Bytes trailing = root->der;
  trailing.push_back(0);
  EXPECT_EQ(parse_certificate(trailing).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(parse_certificate(Bytes{0x30, 0x00}).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(parse_certificate(Bytes(kMaxCertDer + 1, 0x30)).error().code, ErrorCode::kTooLarge);
}

TEST(X509Crl, SignedCrlParsesAndVerifiesOnlyUnderItsIssuer) {
  auto root = issue({.cn = "Root", .ca = true, .not_before = k2020}, std::nullopt);
  auto other = issue({.cn = "Root", .ca = true, .not_before = k2020}, std::nullopt);  // same name, other key
  auto child = issue({.cn = "Model", .ca = true, .not_before = k2020},
                     std::pair<ByteView, EVP_PKEY*>(root->der, root->key.get()));
  const Bytes serial = parse_certificate(child->der)->serial;
  auto crl = sign_crl(root->der, root->key.get(),
                      {{serial, k2020 + 100, "keyCompromise"}, {Bytes{0x01, 0x02}, k2020 + 200, ""}},
                      k2020 + 300, k2020 + 900, 7);
  ASSERT_TRUE(crl.ok()) << crl.error().message;
  auto f = parse_crl(*crl);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->number, 7u);
  EXPECT_EQ(f->this_update, k2020 + 300);
  EXPECT_EQ(f->next_update, k2020 + 900);
  EXPECT_EQ(f->issuer_hash, parse_certificate(root->der)->subject_hash);
  ASSERT_EQ(f->serials.size(), 2u);
  EXPECT_TRUE(std::binary_search(f->serials.begin(), f->serials.end(), serial));
  EXPECT_TRUE(verify_crl_signed_by(*crl, root->der).ok());
  EXPECT_EQ(verify_crl_signed_by(*crl, other->der).error().code, ErrorCode::kBadSignature);
  EXPECT_EQ(verify_crl_signed_by(*crl, child->der).error().code, ErrorCode::kBadSignature);
  Bytes tampered = *crl;
  tampered[tampered.size() - 5] ^= 1;  // inside the signature
  EXPECT_FALSE(verify_crl_signed_by(tampered, root->der).ok());
  // PEM round trip; junk, trailing bytes and a serial listed twice are refused.
  EXPECT_EQ(*read_crl(crl_to_pem(*crl)), *crl);
  Bytes trailing = *crl;
  trailing.push_back(0);
  EXPECT_EQ(parse_crl(trailing).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(parse_crl(Bytes{0x30, 0x00}).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(parse_crl(Bytes(kMaxCrlDer + 1, 0x30)).error().code, ErrorCode::kTooLarge);
  auto twice = sign_crl(root->der, root->key.get(), {{serial, k2020, ""}, {serial, k2020, ""}}, k2020, 0, 1);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(parse_crl(*twice).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(crl_reason_code("superseded"), 4);
  EXPECT_EQ(crl_reason_code("vibes"), -1);
}

// A CRL by `root` built with OpenSSL directly, so that `edit` can add what
// sign_crl never writes (negative serials, holds, delta indicators).
Bytes raw_crl(const Issued& root, const std::function<void(X509_CRL*)>& edit) {
  const unsigned char* p = root.der.data();
  std::unique_ptr<X509, decltype(&X509_free)> ca(d2i_X509(nullptr, &p, static_cast<long>(root.der.size())),
                                                 X509_free);
  std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(X509_CRL_new(), X509_CRL_free);
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.get()));
  ASN1_TIME* t = ASN1_TIME_set(nullptr, k2020);
  X509_CRL_set1_lastUpdate(crl.get(), t);
  ASN1_TIME_free(t);
  ASN1_INTEGER* num = ASN1_INTEGER_new();
  ASN1_INTEGER_set(num, 1);
  X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, num, 0, 0);
  ASN1_INTEGER_free(num);
  edit(crl.get());
  EXPECT_GT(X509_CRL_sign(crl.get(), root.key.get(), EVP_sha256()), 0);
  unsigned char* der = nullptr;
  const int n = i2d_X509_CRL(crl.get(), &der);
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

void add_entry(X509_CRL* crl, long serial, int reason) {
  X509_REVOKED* r = X509_REVOKED_new();
  ASN1_INTEGER* sn = ASN1_INTEGER_new();
  ASN1_INTEGER_set(sn, serial);
  X509_REVOKED_set_serialNumber(r, sn);
  ASN1_INTEGER_free(sn);
  ASN1_TIME* t = ASN1_TIME_set(nullptr, k2020);
  X509_REVOKED_set_revocationDate(r, t);
  ASN1_TIME_free(t);
  if (reason >= 0) {
    ASN1_ENUMERATED* e = ASN1_ENUMERATED_new();
    ASN1_ENUMERATED_set(e, reason);
    X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0);
    ASN1_ENUMERATED_free(e);
  }
  X509_CRL_add0_revoked(crl, r);
}

TEST(X509Crl, OnlyWhatEveryRelyingPartyReadsAlikeIsAccepted) {
  auto root = issue({.cn = "Root", .ca = true, .not_before = k2020}, std::nullopt).value();
  EXPECT_TRUE(parse_crl(raw_crl(root, [](X509_CRL* c) { add_entry(c, 5, 1); })).ok());
  // A negative serial would satisfy a lookup by magnitude yet match no certificate.
  EXPECT_EQ(parse_crl(raw_crl(root, [](X509_CRL* c) { add_entry(c, -5, -1); })).error().code,
            ErrorCode::kMalformed);
  // removeFromCRL and certificateHold are not revocations.
  EXPECT_EQ(parse_crl(raw_crl(root, [](X509_CRL* c) { add_entry(c, 5, 8); })).error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(parse_crl(raw_crl(root, [](X509_CRL* c) { add_entry(c, 5, 6); })).error().code,
            ErrorCode::kMalformed);
  // A delta CRL says only what changed.
  Bytes delta = raw_crl(root, [](X509_CRL* c) {
    ASN1_INTEGER* base = ASN1_INTEGER_new();
    ASN1_INTEGER_set(base, 1);
    X509_CRL_add1_ext_i2d(c, NID_delta_crl, base, 1, 0);
    ASN1_INTEGER_free(base);
  });
  EXPECT_EQ(parse_crl(delta).error().code, ErrorCode::kMalformed);
  // A certificate whose keyUsage lacks cRLSign may not sign CRLs.
  auto leaf = issue({.cn = "Leaf", .not_before = k2020}, std::nullopt).value();  // digitalSignature only
  auto by_leaf = sign_crl(leaf.der, leaf.key.get(), {}, k2020, 0, 1);
  ASSERT_TRUE(by_leaf.ok());
  EXPECT_EQ(verify_crl_signed_by(*by_leaf, leaf.der).error().code, ErrorCode::kBadSignature);
  EXPECT_TRUE(is_final_revocation_reason(""));
  EXPECT_TRUE(is_final_revocation_reason("keyCompromise"));
  EXPECT_FALSE(is_final_revocation_reason("removeFromCRL"));
  EXPECT_FALSE(is_final_revocation_reason("certificateHold"));
}

}  // namespace
}  // namespace trustmesh::x509
