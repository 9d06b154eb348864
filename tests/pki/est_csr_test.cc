// EST building blocks (pki/est_base64.h, est_csr.h, est_pkcs7.h, est_ca.h):
// base64 bodies, CSR parsing and every refusal, certs-only round trips, and
// the contents of an issued device certificate.
#include "pki/est_csr.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/hash.h"
#include "core/x509.h"
#include "est_test_util.h"
#include "pki/est_base64.h"
#include "pki/est_ca.h"
#include "pki/est_pkcs7.h"

namespace trustmesh::pki {
namespace {

using esttest::make_csr;
using esttest::make_key;

TEST(EstBase64, RoundTripsWithAndWithoutLineBreaks) {
  Bytes data;
  for (int i = 0; i < 200; ++i) data.push_back(static_cast<uint8_t>(i * 7));
  for (size_t len : {0u, 1u, 2u, 3u, 47u, 48u, 49u, 200u}) {
    Bytes d(data.begin(), data.begin() + len);
    std::string text = base64_encode(d);
    if (len == 0) {
      EXPECT_FALSE(base64_decode(text).ok());  // an empty body is refused
      continue;
    }
    auto back = base64_decode(text);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, d) << len;
    std::string one_line;
    for (char c : text)
      if (c != '\r' && c != '\n') one_line.push_back(c);
    EXPECT_EQ(*base64_decode(one_line), d);
  }
  EXPECT_EQ(*base64_decode("aGk=\n"), to_bytes(std::string_view("hi")));
}

TEST(EstBase64, RefusesWhatIsNotBase64) {
  EXPECT_EQ(base64_decode("not base64!").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(base64_decode("abc").error().code, ErrorCode::kMalformed);   // wrong length
  EXPECT_EQ(base64_decode("a=bc").error().code, ErrorCode::kMalformed);  // padding inside
  EXPECT_EQ(base64_decode("").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(base64_decode(std::string(kMaxEstBody + 4, 'A')).error().code, ErrorCode::kTooLarge);
}

TEST(EstCsr, ParsesP256AndEd25519WithDnsNames) {
  for (const char* type : {"p256", "ed25519"}) {
    auto key = make_key(type);
    Bytes der = make_csr(key.get(), "dev-1", "DNS:lamp.site.example,DNS:lamp2.site.example");
    auto csr = parse_csr_base64(base64_encode(der));
    ASSERT_TRUE(csr.ok()) << type << ": " << csr.error().to_string();
    EXPECT_EQ(csr->cn, "dev-1");
    EXPECT_EQ(csr->key_type, type);
    EXPECT_EQ(csr->subject, "CN=dev-1");
    EXPECT_EQ(csr->dns_names, (std::vector<std::string>{"lamp.site.example", "lamp2.site.example"}));
    EXPECT_EQ(EVP_PKEY_eq(csr->public_key.get(), key.get()), 1);
  }
}

TEST(EstCsr, RefusesGarbageBadSignaturesAndOtherKeys) {
  EXPECT_EQ(parse_csr_base64("%%%").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(parse_csr_base64(base64_encode(to_bytes(std::string_view("garbage DER")))).error().code,
            ErrorCode::kMalformed);
  auto key = make_key("p256");
  Bytes der = make_csr(key.get(), "dev-1");
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(parse_csr(trailing).error().code, ErrorCode::kMalformed);
  Bytes tampered = der;
  tampered[tampered.size() - 5] ^= 0x01;  // inside the signature
  auto bad = parse_csr(tampered);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().code == ErrorCode::kBadSignature || bad.error().code == ErrorCode::kMalformed)
      << bad.error().to_string();
  // A CSR whose signature is by another key than the one it carries: no proof of possession.
  {
    auto other = make_key("p256");
    X509_REQ* req = X509_REQ_new();
    const unsigned char* p = der.data();
    d2i_X509_REQ(&req, &p, static_cast<long>(der.size()));
    X509_REQ_sign(req, other.get(), EVP_sha256());  // re-signed by `other`, still carrying `key`
    X509_REQ_set_pubkey(req, key.get());
    unsigned char* out = nullptr;
    int n = i2d_X509_REQ(req, &out);
    Bytes wrong(out, out + n);
    OPENSSL_free(out);
    X509_REQ_free(req);
    auto r = parse_csr(wrong);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kBadSignature) << r.error().to_string();
    EXPECT_NE(r.error().message.find("proof of possession"), std::string::npos);
  }
  auto rsa = parse_csr(make_csr(make_key("rsa").get(), "dev-1"));
  ASSERT_FALSE(rsa.ok());
  EXPECT_EQ(rsa.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(rsa.error().message.find("RSA"), std::string::npos) << rsa.error().message;
  EXPECT_EQ(parse_csr(make_csr(make_key("p384").get(), "dev-1")).error().code, ErrorCode::kUnsupported);
}

TEST(EstCsr, RefusesBadSubjectsAndSans) {
  auto key = make_key("p256");
  EXPECT_EQ(parse_csr(make_csr(key.get(), "")).error().code, ErrorCode::kInvalidArgument);  // no CN
  EXPECT_EQ(parse_csr(make_csr(key.get(), "Dev One!")).error().code,
            ErrorCode::kInvalidArgument);  // not a name
  for (const char* san : {"DNS:*.example.com", "DNS:-bad.example", "DNS:nodots", "DNS:a..b", "DNS:a.b.",
                          "URI:urn:x", "email:a@b.example", "DNS:under_score.example"}) {
    auto r = parse_csr(make_csr(key.get(), "dev-1", san));
    ASSERT_FALSE(r.ok()) << san;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << san << ": " << r.error().to_string();
  }
  EXPECT_FALSE(parse_csr(make_csr(key.get(), "dev-1", "DNS:" + std::string(64, 'a') + ".example")).ok());
  EXPECT_TRUE(parse_csr(make_csr(key.get(), "dev-1", "DNS:" + std::string(63, 'a') + ".example")).ok());
}

TEST(EstCsr, DnsNameRules) {
  EXPECT_TRUE(check_dns_name("lamp-1.building.example").ok());
  EXPECT_TRUE(check_dns_name("A1.example").ok());
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  long_name += "example";
  EXPECT_FALSE(check_dns_name(long_name).ok());  // over 253
  EXPECT_FALSE(check_dns_name("").ok());
  EXPECT_FALSE(check_dns_name("a-.example").ok());
}

TEST(EstCsr, CsrAttrsIsASequenceOfTheP256Choices) {
  auto der = csr_attrs_der();
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(to_hex(*der),
            "3021"                      // CsrAttrs SEQUENCE
            "3015"                      //   Attribute
            "06072a8648ce3d0201"        //     id-ecPublicKey
            "310a06082a8648ce3d030107"  //   SET { prime256v1 }
            "06082a8648ce3d040302");    //   ecdsa-with-SHA256
}

struct TestCa {
  x509::Issued root, ca;
  TestCa() {
    x509::CertSpec r{.cn = "Acme Root", .ca = true};
    root = x509::issue(r, std::nullopt).value();
    x509::CertSpec c{.cn = "Acme Devices CA", .ca = true};
    ca = x509::issue(c, std::make_pair(ByteView(root.der), root.key.get())).value();
  }
  std::unique_ptr<EstCa> est(uint32_t days = 365) {
    EVP_PKEY_up_ref(ca.key.get());
    auto r = EstCa::create({ca.der, root.der}, x509::PkeyPtr(ca.key.get()), days);
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }
};

TEST(EstPkcs7, CertsOnlyRoundTripsInOrder) {
  TestCa t;
  auto der = certs_only_encode({t.ca.der, t.root.der});
  ASSERT_TRUE(der.ok());
  auto back = certs_only_decode(*der);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0], t.ca.der);
  EXPECT_EQ((*back)[1], t.root.der);
  EXPECT_FALSE(certs_only_encode({}).ok());
  EXPECT_FALSE(certs_only_encode({to_bytes(std::string_view("junk"))}).ok());
  EXPECT_FALSE(certs_only_decode(t.ca.der).ok());  // a certificate is not a PKCS#7 message
}

TEST(EstCa, IssuesADeviceCertificateForTheCsrKey) {
  TestCa t;
  auto ca = t.est(30);
  for (const char* type : {"p256", "ed25519"}) {
    auto key = make_key(type);
    auto csr = parse_csr(make_csr(key.get(), "dev-1", "DNS:lamp.site.example"));
    ASSERT_TRUE(csr.ok());
    const int64_t now = 1'800'000'000;
    auto der = ca->issue(*csr, /*with_dns=*/true, now);
    ASSERT_TRUE(der.ok()) << der.error().to_string();
    auto f = x509::parse_certificate(*der);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->subject, "CN=dev-1");
    EXPECT_EQ(f->issuer, "CN=Acme Devices CA");
    EXPECT_FALSE(f->is_ca);
    EXPECT_EQ(f->not_after - now, 30 * 86400);
    EXPECT_LE(f->not_before, now);
    EXPECT_TRUE(x509::verify_signed_by(*der, t.ca.der).ok());
    EXPECT_GE(f->serial.size(), 14u);
    EXPECT_LE(f->serial.size(), 16u);
    EXPECT_LT(f->serial[0], 0x80);

    const unsigned char* p = der->data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(der->size()));
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(x), key.get()), 1);
    EXPECT_EQ(X509_get_key_usage(x), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
    EXPECT_EQ(X509_get_extended_key_usage(x), static_cast<uint32_t>(XKU_SSL_CLIENT | XKU_SSL_SERVER));
    EXPECT_NE(X509_get0_subject_key_id(x), nullptr);
    EXPECT_NE(X509_get0_authority_key_id(x), nullptr);
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
    ASSERT_NE(sans, nullptr);
    ASSERT_EQ(sk_GENERAL_NAME_num(sans), 1);
    EXPECT_EQ(sk_GENERAL_NAME_value(sans, 0)->type, GEN_DNS);
    GENERAL_NAMES_free(sans);
    X509_free(x);

    auto plain = ca->issue(*csr, /*with_dns=*/false, now);  // the RA may leave the DNS names out
    ASSERT_TRUE(plain.ok());
    p = plain->data();
    x = d2i_X509(nullptr, &p, static_cast<long>(plain->size()));
    EXPECT_EQ(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr), nullptr);
    X509_free(x);
  }
}

TEST(EstCa, CertifyWritesEachDnsNameAsOneEntry) {
  // core/x509_issue builds subjectAltName entry by entry: a value with a
  // comma can never become a second entry.
  TestCa t;
  auto key = make_key("p256");
  x509::CertSpec spec{.cn = "dev-1", .dns_sans = {"a.example,DNS:evil.example", "b.example"}};
  auto der = x509::certify(spec, key.get(), t.ca.der, t.ca.key.get());
  ASSERT_TRUE(der.ok()) << der.error().to_string();
  const unsigned char* p = der->data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der->size()));
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(sans, nullptr);
  EXPECT_EQ(sk_GENERAL_NAME_num(sans), 2);
  GENERAL_NAMES_free(sans);
  X509_free(x);
  EXPECT_FALSE(x509::certify(spec, nullptr, t.ca.der, t.ca.key.get()).ok());
}

TEST(EstCa, RefusesAKeyFileOthersCanRead) {
  TestCa t;
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("est-ca-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/ca.pem") << x509::to_pem(t.ca.der);
  std::ofstream(dir + "/ca.key") << x509::key_to_pem(t.ca.key.get());
  ::chmod((dir + "/ca.key").c_str(), 0644);
  auto r = EstCa::load(dir + "/ca.pem", dir + "/ca.key", 365);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("chmod 600 " + dir + "/ca.key"), std::string::npos) << r.error().message;
  ::chmod((dir + "/ca.key").c_str(), 0600);
  EXPECT_TRUE(EstCa::load(dir + "/ca.pem", dir + "/ca.key", 365).ok());
  // A key that is not the CA's, and a certificate that is not a CA.
  std::ofstream(dir + "/root.key") << x509::key_to_pem(t.root.key.get());
  ::chmod((dir + "/root.key").c_str(), 0600);
  EXPECT_FALSE(EstCa::load(dir + "/ca.pem", dir + "/root.key", 365).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace trustmesh::pki
