// pki/est_revocation: the OCSP question the EST service asks before a
// re-enrolment, answered by the real responder (pki/ocsp_responder.h) from a
// ledger test chain: good, revoked from the block that revokes it, unknown for
// a certificate never recorded, unavailable for a CA it has no signer for.
#include "pki/est_revocation.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "core/hash.h"
#include "core/x509_issue.h"
#include "ledger/compliance.h"
#include "ledger/ledger_util.h"
#include "pki/ocsp_responder.h"

namespace trustmesh::pki {
namespace {

namespace op = ledger::op;
constexpr int64_t kNow = 1767225600;  // 2026-01-01

x509::Issued make(x509::CertSpec spec, const x509::Issued* parent) {
  spec.not_before = kNow - 86400;
  auto r = parent ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(parent->der, parent->key.get()))
                  : x509::issue(spec, std::nullopt);
  TM_ASSERT(r.ok());
  return std::move(r).value();
}

class EstRevocation : public ::testing::Test {
 protected:
  EstRevocation() : c_(4) {
    Bytes pop = ledger::org_root_message(c_.chain_id(), "acme", c_.addr(1));
    ok(op::OrgRegister{.id = "acme",
                       .kind = "manufacturer",
                       .name = "Acme",
                       .roots = {root_.der},
                       .root_sigs = {x509::sign_with(root_.key.get(), pop).value()}});
    ok(op::CertAdd{.org = "acme", .level = "intermediate", .der = ca_.der});
    ok(op::CertAdd{.org = "acme", .level = "device", .der = dev_.der});
    std::vector<OcspSigner> signers;
    EVP_PKEY_up_ref(responder_.key.get());
    signers.push_back(OcspSigner{responder_.der, x509::PkeyPtr(responder_.key.get())});
    responder_impl_ = std::move(OcspResponder::create(std::move(signers))).value();
  }
  void ok(ledger::Operation o) {
    auto r = c_.run(1, std::move(o));
    ASSERT_EQ(r.outcome, ledger::TxOutcome::kOk) << r.message;
  }
  Result<LedgerCertStatus> ask(const x509::Issued& cert, const x509::Issued& issuer) {
    auto req = ocsp_request_for(cert.der, issuer.der);
    EXPECT_TRUE(req.ok());
    Bytes resp = responder_impl_->answer(c_.state(), *req, kNow, 300);
    return read_ocsp_answer(resp, cert.der, issuer.der);
  }

  ledger::testing::TestChain c_;
  x509::Issued root_ = make({.cn = "Acme Root", .ca = true}, nullptr);
  x509::Issued ca_ = make({.cn = "Acme Devices CA", .ca = true}, &root_);
  x509::Issued responder_ = make({.cn = "Acme OCSP", .ocsp_signing = true}, &ca_);
  x509::Issued dev_ = make({.cn = "dev-1"}, &ca_);
  x509::Issued unrecorded_ = make({.cn = "dev-2"}, &ca_);
  x509::Issued other_ca_ = make({.cn = "Other CA", .ca = true}, nullptr);
  x509::Issued stranger_ = make({.cn = "dev-3"}, &other_ca_);
  std::unique_ptr<OcspResponder> responder_impl_;
};

TEST_F(EstRevocation, GoodRevokedUnknownAndUnavailable) {
  EXPECT_EQ(*ask(dev_, ca_), LedgerCertStatus::kGood);
  EXPECT_EQ(*ask(unrecorded_, ca_), LedgerCertStatus::kUnknown);
  EXPECT_EQ(*ask(stranger_, other_ca_), LedgerCertStatus::kUnavailable);
  ok(op::CertRevoke{.cert = sha256(dev_.der), .reason = "superseded"});
  EXPECT_EQ(*ask(dev_, ca_), LedgerCertStatus::kRevoked);
}

TEST_F(EstRevocation, RefusesWhatIsNotAnAnswerForThisCertificate) {
  EXPECT_EQ(read_ocsp_answer(to_bytes(std::string_view("junk")), dev_.der, ca_.der).error().code,
            ErrorCode::kMalformed);
  // A malformedRequest response (what the responder says to junk).
  Bytes bad = responder_impl_->answer(c_.state(), to_bytes(std::string_view("junk")), kNow, 300);
  EXPECT_FALSE(read_ocsp_answer(bad, dev_.der, ca_.der).ok());
  // An answer about another certificate.
  Bytes other = responder_impl_->answer(c_.state(), *ocsp_request_for(unrecorded_.der, ca_.der), kNow, 300);
  EXPECT_FALSE(read_ocsp_answer(other, dev_.der, ca_.der).ok());
  EXPECT_FALSE(ocsp_request_for(to_bytes(std::string_view("x")), ca_.der).ok());
}

}  // namespace
}  // namespace trustmesh::pki
