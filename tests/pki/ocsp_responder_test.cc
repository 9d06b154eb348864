// pki/ocsp_responder: answers built and read with OpenSSL's own OCSP code
// against a ledger test chain: statuses, several CertIDs, SHA-256 CertIDs,
// revocation above the CA, negative serials, nonces, and refusals.
#include "pki/ocsp_responder.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ocsp.h>

#include "core/hash.h"
#include "core/x509.h"
#include "core/x509_issue.h"
#include "ledger/compliance.h"
#include "ledger/ledger_util.h"

namespace trustmesh::pki {
namespace {

namespace op = ledger::op;
constexpr int64_t k2020 = 1577836800;
constexpr int64_t kNow = 1767225600;  // 2026-01-01

x509::Issued make(x509::CertSpec spec, const x509::Issued* parent) {
  spec.not_before = k2020;
  auto r = parent ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(parent->der, parent->key.get()))
                  : x509::issue(spec, std::nullopt);
  TM_ASSERT(r.ok());
  return std::move(r).value();
}

struct X509Box {
  explicit X509Box(const Bytes& der) {
    const unsigned char* p = der.data();
    x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  }
  ~X509Box() { X509_free(x); }
  X509* x = nullptr;
};

class OcspResponderTest : public ::testing::Test {
 protected:
  OcspResponderTest() : c_(4) {
    ok(1, org_op());
    ok(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = ca_.der});
    ok(1, op::CertAdd{.org = "acme", .level = "device", .der = dev1_.der});
    std::vector<OcspSigner> signers;
    signers.push_back(OcspSigner{responder_.der, x509::PkeyPtr(responder_.key.get())});
    EVP_PKEY_up_ref(responder_.key.get());
    auto r = OcspResponder::create(std::move(signers));
    TM_ASSERT(r.ok());
    responder = std::move(r).value();
  }
  op::OrgRegister org_op() {
    Bytes pop = ledger::org_root_message(c_.chain_id(), "acme", c_.addr(1));
    return op::OrgRegister{.id = "acme",
                           .kind = "manufacturer",
                           .name = "Acme",
                           .roots = {root_.der},
                           .root_sigs = {x509::sign_with(root_.key.get(), pop).value()}};
  }
  void ok(int who, ledger::Operation o) {
    auto r = c_.run(who, std::move(o));
    ASSERT_EQ(r.outcome, ledger::TxOutcome::kOk) << r.message;
  }
  // A request for `certs` (issued by `issuer`), hashed with `md`, with a nonce.
  Bytes request(const std::vector<const x509::Issued*>& certs, const x509::Issued& issuer,
                const EVP_MD* md = EVP_sha1()) {
    OCSP_REQUEST* req = OCSP_REQUEST_new();
    X509Box is(issuer.der);
    for (const x509::Issued* c : certs) {
      X509Box x(c->der);
      OCSP_request_add0_id(req, OCSP_cert_to_id(md, x.x, is.x));
    }
    OCSP_request_add1_nonce(req, nullptr, 16);
    unsigned char* der = nullptr;
    const int n = i2d_OCSP_REQUEST(req, &der);
    Bytes out(der, der + n);
    OPENSSL_free(der);
    OCSP_REQUEST_free(req);
    return out;
  }
  Bytes answer(const Bytes& req) const { return responder->answer(c_.state(), req, kNow, 300); }
  // The response status, and for a successful one the cert status of `cert` (-1 if absent).
  struct Read {
    int response_status = -1;
    int cert_status = -1;
    int reason = -1;
    bool signed_by_responder = false;
  };
  Read read(const Bytes& resp_der, const x509::Issued& cert, const x509::Issued& issuer,
            const EVP_MD* md = EVP_sha1()) const {
    Read out;
    const unsigned char* p = resp_der.data();
    OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(resp_der.size()));
    if (!resp) return out;
    out.response_status = OCSP_response_status(resp);
    OCSP_BASICRESP* bs = OCSP_response_get1_basic(resp);
    if (bs) {
      X509Box x(cert.der), is(issuer.der), signer(responder_.der);
      OCSP_CERTID* id = OCSP_cert_to_id(md, x.x, is.x);
      ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr, *nextupd = nullptr;
      OCSP_resp_find_status(bs, id, &out.cert_status, &out.reason, &rev, &thisupd, &nextupd);
      out.signed_by_responder = OCSP_basic_verify(bs, nullptr, nullptr, OCSP_NOVERIFY) == 1;
      OCSP_CERTID_free(id);
      OCSP_BASICRESP_free(bs);
    }
    OCSP_RESPONSE_free(resp);
    return out;
  }

  ledger::testing::TestChain c_;
  x509::Issued root_ = make({.cn = "Acme Root", .ca = true}, nullptr);
  x509::Issued ca_ = make({.cn = "Acme Devices CA", .ca = true}, &root_);
  x509::Issued responder_ = make({.cn = "Acme OCSP", .ocsp_signing = true}, &ca_);
  x509::Issued dev1_ = make({.cn = "dev1"}, &ca_);
  x509::Issued dev2_ = make({.cn = "dev2"}, &ca_);
  std::unique_ptr<OcspResponder> responder;
};

TEST_F(OcspResponderTest, GoodUnknownAndRevokedForSeveralCertIds) {
  Bytes resp = answer(request({&dev1_, &dev2_}, ca_));
  Read r1 = read(resp, dev1_, ca_), r2 = read(resp, dev2_, ca_);
  EXPECT_EQ(r1.response_status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_TRUE(r1.signed_by_responder);
  EXPECT_EQ(r1.cert_status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(r2.cert_status, V_OCSP_CERTSTATUS_UNKNOWN);  // never recorded on the ledger
  ok(1, op::CertRevoke{.cert = sha256(dev1_.der), .reason = "superseded"});
  Read after = read(answer(request({&dev1_}, ca_, EVP_sha256())), dev1_, ca_, EVP_sha256());
  EXPECT_EQ(after.cert_status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(after.reason, OCSP_REVOKED_STATUS_SUPERSEDED);
}

// answer_at remembers answers per height: the same request at the same
// height gets the very same bytes (no new signature); a new height answers
// afresh and sees what changed; errors are not remembered.
TEST_F(OcspResponderTest, AnswersAreRememberedForOneHeightOnly) {
  const Bytes req = request({&dev1_}, ca_);
  const Bytes first = responder->answer_at(c_.state(), c_.height(), req, kNow, 300);
  EXPECT_EQ(responder->answer_at(c_.state(), c_.height(), req, kNow, 300), first);
  EXPECT_NE(responder->answer(c_.state(), req, kNow, 300), first);  // ECDSA: a fresh signature differs
  ok(1, op::CertRevoke{.cert = sha256(dev1_.der), .reason = "keyCompromise"});
  const Bytes next = responder->answer_at(c_.state(), c_.height(), req, kNow + 1, 300);
  EXPECT_EQ(read(first, dev1_, ca_).cert_status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(read(next, dev1_, ca_).cert_status, V_OCSP_CERTSTATUS_REVOKED);
  // An answer for an older height is not kept (nor served in place of a newer one).
  EXPECT_EQ(read(responder->answer_at(c_.state(), c_.height() - 1, req, kNow, 300), dev1_, ca_).cert_status,
            V_OCSP_CERTSTATUS_REVOKED);
  const Bytes junk{1, 2, 3};
  EXPECT_EQ(responder->answer_at(c_.state(), c_.height(), junk, kNow, 300).size(), 5u);  // malformedRequest
}

TEST_F(OcspResponderTest, ARevokedRootRevokesEverythingBelowItsCa) {
  ok(1, op::CertRevoke{.cert = sha256(root_.der), .reason = "keyCompromise"});
  Read r = read(answer(request({&dev1_}, ca_)), dev1_, ca_);
  EXPECT_EQ(r.cert_status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(r.reason, OCSP_REVOKED_STATUS_CACOMPROMISE);
}

TEST_F(OcspResponderTest, RefusesWhatItCannotAnswer) {
  auto status = [&](const Bytes& resp) { return read(resp, dev1_, ca_).response_status; };
  EXPECT_EQ(status(answer(Bytes{1, 2, 3})), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  EXPECT_EQ(status(answer(Bytes{})), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  EXPECT_EQ(status(answer(Bytes(kMaxOcspRequest + 1, 0x30))), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  std::vector<const x509::Issued*> many(kMaxCertIdsPerRequest + 1, &dev1_);
  EXPECT_EQ(status(answer(request(many, ca_))), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  // A CA this responder has no signer for (the root): unauthorized.
  EXPECT_EQ(status(answer(request({&ca_}, root_))), OCSP_RESPONSE_STATUS_UNAUTHORIZED);
  // dev1's serial, negated: no ledger certificate has it.
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  X509Box is(ca_.der);
  const Bytes serial = x509::parse_certificate(dev1_.der)->serial;
  BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
  BN_set_negative(bn, 1);
  ASN1_INTEGER* neg = BN_to_ASN1_INTEGER(bn, nullptr);
  BN_free(bn);
  OCSP_request_add0_id(
      req, OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(is.x), X509_get0_pubkey_bitstr(is.x), neg));
  ASN1_INTEGER_free(neg);
  unsigned char* der = nullptr;
  const int n = i2d_OCSP_REQUEST(req, &der);
  Bytes neg_req(der, der + n);
  OPENSSL_free(der);
  OCSP_REQUEST_free(req);
  const Bytes resp = answer(neg_req);
  const unsigned char* p = resp.data();
  OCSP_RESPONSE* r = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(resp.size()));
  ASSERT_NE(r, nullptr);
  OCSP_BASICRESP* bs = OCSP_response_get1_basic(r);
  ASSERT_NE(bs, nullptr);
  int reason = -1;
  const int st = OCSP_single_get0_status(OCSP_resp_get0(bs, 0), &reason, nullptr, nullptr, nullptr);
  EXPECT_EQ(st, V_OCSP_CERTSTATUS_UNKNOWN);
  OCSP_BASICRESP_free(bs);
  OCSP_RESPONSE_free(r);
}

TEST_F(OcspResponderTest, SignersMustBeOcspSignersWithTheirKeys) {
  std::vector<OcspSigner> plain;
  x509::Issued not_ocsp = make({.cn = "plain"}, &ca_);
  plain.push_back(OcspSigner{not_ocsp.der, x509::PkeyPtr(not_ocsp.key.get())});
  EVP_PKEY_up_ref(not_ocsp.key.get());
  EXPECT_EQ(OcspResponder::create(std::move(plain)).error().code, ErrorCode::kInvalidArgument);
  std::vector<OcspSigner> wrong_key;
  wrong_key.push_back(OcspSigner{responder_.der, x509::PkeyPtr(dev1_.key.get())});
  EVP_PKEY_up_ref(dev1_.key.get());
  EXPECT_EQ(OcspResponder::create(std::move(wrong_key)).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace trustmesh::pki
