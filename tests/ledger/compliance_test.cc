// Compliance ledger: organisations, certificate hierarchies, models,
// releases, claims, and the trustee-granted roles and CA roots.
#include <gtest/gtest.h>

#include "core/hash.h"
#include "core/x509.h"
#include "core/x509_crl.h"
#include "core/x509_issue.h"
#include "ledger/compliance_access.h"
#include "ledger/ledger_util.h"
#include "ledger/schema.h"

namespace trustmesh::ledger {
namespace {

using testing::TestChain;

x509::Issued ca(const std::string& cn, const x509::Issued* parent = nullptr) {
  x509::CertSpec spec{.cn = cn, .org = "test", .ca = true, .not_before = 1577836800};  // 2020-2030
  auto r = parent ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(parent->der, parent->key.get()))
                  : x509::issue(spec, std::nullopt);
  TM_ASSERT(r.ok());
  return std::move(r).value();
}

// An org.register with bytes that are not (or not for this key) a root: the
// proof of possession is junk, and the ledger must refuse before it matters.
op::OrgRegister org_raw(const std::string& id, const std::string& kind, const Bytes& root) {
  return op::OrgRegister{
      .id = id, .kind = kind, .name = id + " Ltd", .roots = {root}, .root_sigs = {Bytes{1}}};
}

class ComplianceTest : public ::testing::Test {
 protected:
  ComplianceTest() : c_(8) {}
  ComplianceReader reader() const { return ComplianceReader(c_.state()); }
  // org.register sent by account `who`, with the root key's proof of possession.
  op::OrgRegister org_op(int who, const std::string& id, const std::string& kind, const x509::Issued& root) {
    op::OrgRegister o = org_raw(id, kind, root.der);
    o.root_sigs = {
        x509::sign_with(root.key.get(), org_root_message(c_.chain_id(), id, c_.addr(who))).value()};
    return o;
  }
  bool holds(const std::string& org, const std::string& role) {
    return *org_holds_role(c_.state(), **reader().org(org), role, c_.height());
  }
  void ok(int who, Operation op) {
    TxResult r = c_.run(who, std::move(op));
    ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  }
  // Runs op and checks it fails with `code`, changing nothing but the
  // sender's account (fee, sequence) and the supply.
  void refused(int who, Operation op, ErrorCode code) {
    MemState before = c_.state();
    TxResult r = c_.run(who, std::move(op));
    EXPECT_EQ(r.code, code) << r.message;
    std::set<Bytes> expected = {schema::account_key(c_.addr(who)), schema::supply_key()};
    EXPECT_EQ(testing::changed_keys(before, c_.state()), expected) << r.message;
  }
  // acme (manufacturer, vid 4660, account 1) with model 4660/1 and a model
  // certificate; csa (standards body, account 2); lab (test lab, account 3).
  void standard_cast() {
    ok(1, org_op(1, "acme", "manufacturer", acme_root_));
    ok(0, op::GovPropose{.vendor_ids = {{4660, "acme"}}});  // the trustees assign vendor ids
    ok(2, org_op(2, "csa", "standards_body", csa_root_));
    ok(3, org_op(3, "lab", "test_lab", lab_root_));
    ok(0, op::GovPropose{.grants = {{"csa", "standards_body", false}}});  // the trustees recognise csa
    ok(1, op::ModelRegister{
              .org = "acme", .vid = 4660, .pid = 1, .name = "Bulb", .label = {{"protocols", "matter"}}});
  }
  TestChain c_;
  x509::Issued acme_root_ = ca("Acme Root");
  x509::Issued csa_root_ = ca("CSA Root");
  x509::Issued lab_root_ = ca("Lab Root");
};

TEST_F(ComplianceTest, OrgRegistersWithRootAndUniqueIds) {
  standard_cast();
  auto org = reader().org("acme");
  ASSERT_TRUE(org.ok() && *org);
  EXPECT_EQ((*org)->admin, c_.addr(1));
  EXPECT_EQ((*org)->vendor_id, 4660u);
  ASSERT_EQ((*org)->roots.size(), 1u);
  EXPECT_EQ((*org)->roots[0], sha256(acme_root_.der));
  EXPECT_EQ(*reader().org_by_vendor(4660), std::optional<std::string>("acme"));
  auto cert = reader().cert(sha256(acme_root_.der));
  ASSERT_TRUE(cert.ok() && *cert);
  EXPECT_EQ((*cert)->level, "root");

  x509::Issued other = ca("Other Root");
  refused(4, org_op(4, "acme", "manufacturer", other), ErrorCode::kOrgExists);
  refused(4, org_op(4, "acme2", "manufacturer", acme_root_), ErrorCode::kConflict);
  refused(4, org_op(4, "acme2", "alchemist", other), ErrorCode::kInvalidArgument);
  refused(4, org_op(4, "Bad_Id", "manufacturer", other), ErrorCode::kInvalidArgument);
  // Someone else's root (all certificates are public) without its key: refused.
  refused(4, org_raw("acme2", "manufacturer", other.der), ErrorCode::kBadSignature);
  op::OrgRegister replayed = org_op(1, "acme2", "manufacturer", other);  // signed for account 1
  refused(4, replayed, ErrorCode::kBadSignature);
  refused(4, org_raw("acme2", "manufacturer", Bytes{0x30, 0x03, 0x02, 0x01, 0x01}),
          ErrorCode::kBadCertificate);
  auto leaf = x509::issue({.cn = "not a ca", .not_before = 1577836800}, std::nullopt);
  refused(4, org_raw("acme2", "manufacturer", leaf->der), ErrorCode::kBadCertificate);
}

TEST_F(ComplianceTest, HierarchyChainsAndRevocation) {
  standard_cast();
  x509::Issued bu = ca("Acme Lighting BU", &acme_root_);
  x509::Issued model = ca("Acme Bulb", &bu);
  ok(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = bu.der});
  ok(1, op::CertAdd{.org = "acme", .level = "model", .der = model.der, .vid = 4660, .pid = 1});
  auto rec = reader().cert(sha256(model.der));
  ASSERT_TRUE(rec.ok() && *rec);
  EXPECT_EQ((*rec)->parent, sha256(bu.der));
  EXPECT_EQ((*rec)->pid, 1u);
  auto acme = *reader().org("acme");
  EXPECT_EQ(reader().org_certs(*acme)->size(), 3u);

  // Someone else's hierarchy, someone else's key, a certificate that does not chain.
  x509::Issued foreign = ca("Foreign model", &csa_root_);
  refused(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = foreign.der},
          ErrorCode::kBadCertificate);
  x509::Issued bu2 = ca("Acme BU 2", &acme_root_);
  refused(2, op::CertAdd{.org = "acme", .level = "intermediate", .der = bu2.der}, ErrorCode::kNotOrgAdmin);
  refused(1, op::CertAdd{.org = "acme", .level = "model", .der = bu2.der, .vid = 4660, .pid = 9},
          ErrorCode::kModelNotFound);
  refused(1, op::CertAdd{.org = "acme", .level = "model", .der = bu2.der}, ErrorCode::kInvalidArgument);
  refused(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = bu.der}, ErrorCode::kConflict);

  // Revoking the intermediate: nothing new chains through it, and it is final.
  refused(2, op::CertRevoke{.cert = sha256(bu.der), .reason = "keyCompromise"}, ErrorCode::kNotOrgAdmin);
  ok(1, op::CertRevoke{.cert = sha256(bu.der), .reason = "keyCompromise"});
  EXPECT_TRUE((*reader().cert(sha256(bu.der)))->revoked);
  x509::Issued model2 = ca("Acme Bulb 2", &bu);
  refused(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = model2.der},
          ErrorCode::kBadCertificate);
  refused(1, op::CertRevoke{.cert = sha256(bu.der)}, ErrorCode::kCertRevoked);
  refused(1, op::CertRevoke{.cert = sha256(Bytes{1})}, ErrorCode::kCertNotFound);
}

TEST_F(ComplianceTest, ModelsAndReleases) {
  standard_cast();
  refused(2, op::ModelRegister{.org = "csa", .vid = 4660, .pid = 2, .name = "x"}, ErrorCode::kMissingRole);
  refused(2, op::ModelRegister{.org = "acme", .vid = 4660, .pid = 2, .name = "x"}, ErrorCode::kNotOrgAdmin);
  refused(1, op::ModelRegister{.org = "acme", .vid = 4660, .pid = 0, .name = "x"},
          ErrorCode::kInvalidArgument);
  // Re-registering updates the label.
  ok(1, op::ModelRegister{
            .org = "acme", .vid = 4660, .pid = 1, .name = "Bulb", .label = {{"support_until", "2030"}}});
  EXPECT_EQ((*reader().model(4660, 1))->label.at("support_until"), "2030");

  op::ReleasePublish rel{.org = "acme",
                         .vid = 4660,
                         .pid = 1,
                         .version = 1,
                         .version_string = "1.0",
                         .kind = "firmware",
                         .sha256 = sha256(Bytes{1}),
                         .size = 1000,
                         .url = "https://acme/fw1"};
  ok(1, rel);
  refused(1, rel, ErrorCode::kReleaseExists);
  op::ReleasePublish older = rel;
  older.sha256 = sha256(Bytes{2});
  refused(1, older, ErrorCode::kReleaseExists);  // version 1 again
  older.version = 2;
  older.kind = "weights";
  refused(1, older, ErrorCode::kInvalidArgument);
  older.kind = "firmware";
  ok(1, older);
  auto m = *reader().model(4660, 1);
  EXPECT_EQ(m->release_count, 2u);
  EXPECT_EQ(reader().model_releases(*m)->at(1), sha256(Bytes{2}));
}

TEST_F(ComplianceTest, LabNeedsApprovalToCertify) {
  standard_cast();
  op::ClaimIssue compliance{.issuer = "lab",
                            .type = "compliance",
                            .subject = "model:4660/1",
                            .data = {{"report_sha256", to_hex(sha256(Bytes{7}))}}};
  refused(3, compliance, ErrorCode::kMissingRole);
  // Only an org the trustees made a standards body approves labs: calling
  // oneself one is not enough.
  refused(1, op::ClaimIssue{.issuer = "acme", .type = "lab_approval", .subject = "org:lab"},
          ErrorCode::kMissingRole);
  x509::Issued fake_root = ca("Fake SDO Root");
  ok(5, org_op(5, "fake-sdo", "standards_body", fake_root));
  refused(5, op::ClaimIssue{.issuer = "fake-sdo", .type = "lab_approval", .subject = "org:lab"},
          ErrorCode::kMissingRole);
  ok(2, op::ClaimIssue{.issuer = "csa", .type = "lab_approval", .subject = "org:lab"});
  EXPECT_TRUE(holds("lab", "test_lab"));
  ok(3, compliance);
  auto about = reader().claims_about("model:4660/1");
  ASSERT_TRUE(about.ok());
  ASSERT_EQ(about->size(), 1u);
  EXPECT_EQ((*about)[0].issuer, "lab");
  EXPECT_EQ((*about)[0].id, 2u);

  // Withdrawn approval: the role goes, further certifications are refused.
  refused(3, op::ClaimWithdraw{1}, ErrorCode::kNotOrgAdmin);
  ok(2, op::ClaimWithdraw{1});
  EXPECT_FALSE(holds("lab", "test_lab"));
  refused(3, compliance, ErrorCode::kMissingRole);
  refused(2, op::ClaimWithdraw{1}, ErrorCode::kClaimWithdrawn);
  refused(2, op::ClaimWithdraw{99}, ErrorCode::kClaimNotFound);
}

TEST_F(ComplianceTest, ApprovalThatExpiresTakesTheRoleWithIt) {
  standard_cast();
  ok(2, op::ClaimIssue{
            .issuer = "csa", .type = "lab_approval", .subject = "org:lab", .expires_at = c_.height() + 3});
  ok(3, op::ClaimIssue{.issuer = "lab", .type = "compliance", .subject = "model:4660/1"});
  c_.empty_blocks(2);
  refused(3, op::ClaimIssue{.issuer = "lab", .type = "compliance", .subject = "model:4660/1"},
          ErrorCode::kMissingRole);
}

TEST_F(ComplianceTest, ClaimsAreCheckedByType) {
  standard_cast();
  refused(1, op::ClaimIssue{.issuer = "acme", .type = "gossip", .subject = "org:csa"}, ErrorCode::kBadClaim);
  refused(1, op::ClaimIssue{.issuer = "acme", .type = "endorsement", .subject = "org:acme"},
          ErrorCode::kBadClaim);
  refused(1, op::ClaimIssue{.issuer = "acme", .type = "endorsement", .subject = "org:nobody"},
          ErrorCode::kOrgNotFound);
  refused(1, op::ClaimIssue{.issuer = "acme", .type = "endorsement", .subject = "model:4660/7"},
          ErrorCode::kModelNotFound);
  refused(1,
          op::ClaimIssue{
              .issuer = "acme", .type = "endorsement", .subject = "release:" + to_hex(sha256(Bytes{}))},
          ErrorCode::kReleaseNotFound);
  refused(1, op::ClaimIssue{.issuer = "acme", .type = "endorsement", .subject = "device:no-such-name"},
          ErrorCode::kNameNotFound);
  refused(1, op::ClaimIssue{.issuer = "acme", .type = "endorsement", .subject = "planet:mars"},
          ErrorCode::kBadClaim);
  refused(1, op::ClaimIssue{.issuer = "csa", .type = "endorsement", .subject = "org:lab"},
          ErrorCode::kNotOrgAdmin);
  refused(1, op::ClaimIssue{.issuer = "acme", .type = "membership", .subject = "org:lab"},
          ErrorCode::kMissingRole);
  refused(2, op::ClaimIssue{.issuer = "csa", .type = "membership", .subject = "model:4660/1"},
          ErrorCode::kBadClaim);
  refused(1,
          op::ClaimIssue{
              .issuer = "acme", .type = "advisory", .subject = "model:4660/1", .data = {{"affected", "3-1"}}},
          ErrorCode::kBadClaim);
  const std::string dev = "device:" + to_hex(sha256(Bytes{9}));
  refused(
      1,
      op::ClaimIssue{.issuer = "acme", .type = "device_status", .subject = dev, .data = {{"status", "lost"}}},
      ErrorCode::kBadClaim);
  refused(1,
          op::ClaimIssue{
              .issuer = "acme", .type = "endorsement", .subject = "org:csa", .expires_at = c_.height()},
          ErrorCode::kBadClaim);
  TextMap big;
  for (int i = 0; i < 40; ++i) big["k" + std::to_string(i)] = "v";
  // Oversize data does not even decode: the tx is rejected and changes nothing at all.
  MemState before = c_.state();
  TxResult big_r =
      c_.run(1, op::ClaimIssue{.issuer = "acme", .type = "endorsement", .subject = "org:csa", .data = big});
  EXPECT_EQ(big_r.outcome, TxOutcome::kRejected);
  EXPECT_EQ(big_r.code, ErrorCode::kTooLarge);
  EXPECT_TRUE(testing::changed_keys(before, c_.state()).empty());
  ok(1, op::ClaimIssue{
            .issuer = "acme", .type = "device_status", .subject = dev, .data = {{"status", "stolen"}}});
  ok(2, op::ClaimIssue{.issuer = "csa", .type = "membership", .subject = "org:acme"});
  EXPECT_EQ(reader().claims_about(dev)->size(), 1u);
}

TEST_F(ComplianceTest, TrusteesGrantRolesAndApproveCaRoots) {
  standard_cast();
  ok(0, op::GovPropose{.grants = {{"lab", "certification_body", false}}});  // one trustee: applies at once
  EXPECT_EQ((*reader().org("lab"))->roles.at("certification_body"), "trustees");
  ok(3, op::ClaimIssue{.issuer = "lab", .type = "compliance", .subject = "model:4660/1"});
  // Taken away again by the trustees: the lab can no longer certify.
  ok(0, op::GovPropose{.grants = {{"lab", "certification_body", true}}});
  EXPECT_FALSE((*reader().org("lab"))->roles.contains("certification_body"));
  refused(3, op::ClaimIssue{.issuer = "lab", .type = "compliance", .subject = "model:4660/1"},
          ErrorCode::kMissingRole);
  refused(0, op::GovPropose{.grants = {{"lab", "emperor", false}}}, ErrorCode::kBadParams);
  refused(0, op::GovPropose{.grants = {{"ghost", "test_lab", false}}}, ErrorCode::kOrgNotFound);
  refused(1, op::GovPropose{.grants = {{"lab", "test_lab", false}}}, ErrorCode::kNotTrustee);

  // A manufacturer that is a sub-CA of a public CA: accepted once the trustees
  // put that CA's root on the ledger, refused before.
  x509::Issued public_ca = ca("Public CA Root");
  x509::Issued sub = ca("Globex Sub-CA", &public_ca);
  refused(5, org_op(5, "globex", "manufacturer", sub), ErrorCode::kBadCertificate);
  refused(0, op::GovPropose{.ca_roots = {sub.der}}, ErrorCode::kBadParams);  // not self-signed
  ok(0, op::GovPropose{.ca_roots = {public_ca.der}});
  EXPECT_EQ((*reader().cert(sha256(public_ca.der)))->level, "external_root");
  ok(5, org_op(5, "globex", "manufacturer", sub));
  EXPECT_EQ((*reader().cert(sha256(sub.der)))->parent, sha256(public_ca.der));
  refused(0, op::GovPropose{.ca_roots = {public_ca.der}}, ErrorCode::kBadParams);  // already there
}

TEST_F(ComplianceTest, VendorIdsAreAssignedByTheTrusteesToRegisteredOrgs) {
  // Nobody can wait for a vendor id under an id string: only a registered org gets one.
  refused(0, op::GovPropose{.vendor_ids = {{5000, "beta"}}}, ErrorCode::kOrgNotFound);
  ok(4, org_op(4, "beta", "manufacturer", ca("Beta Root")));
  ok(5, org_op(5, "gamma", "manufacturer", ca("Gamma Root")));
  refused(1, op::GovPropose{.vendor_ids = {{5000, "beta"}}}, ErrorCode::kNotTrustee);
  refused(0, op::GovPropose{.vendor_ids = {{0, "beta"}}}, ErrorCode::kBadParams);
  refused(0, op::GovPropose{.vendor_ids = {{70000, "beta"}}}, ErrorCode::kBadParams);
  refused(0, op::GovPropose{.vendor_ids = {{5000, "beta"}, {5000, "gamma"}}}, ErrorCode::kBadParams);
  refused(0, op::GovPropose{.vendor_ids = {{5000, "beta"}, {5001, "beta"}}}, ErrorCode::kBadParams);
  ok(0, op::GovPropose{.vendor_ids = {{5000, "beta"}}});
  EXPECT_EQ(*reader().org_by_vendor(5000), std::optional<std::string>("beta"));
  EXPECT_EQ((*reader().org("beta"))->vendor_id, 5000u);
  refused(0, op::GovPropose{.vendor_ids = {{5000, "gamma"}}}, ErrorCode::kBadParams);  // held: never moved
  refused(0, op::GovPropose{.vendor_ids = {{5001, "beta"}}}, ErrorCode::kBadParams);   // one per org
  auto h = *reader().changes("org:beta");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].op, "vendor.assign");
  // A root that names a vendor id binds the org to it.
  x509::Issued named{};
  {
    x509::CertSpec spec{.cn = "Delta Root", .ca = true, .not_before = 1577836800, .vid = 6000};
    named = x509::issue(spec, std::nullopt).value();
  }
  {  // a root naming a vendor id another org holds
    x509::CertSpec spec{.cn = "Fake Beta Root", .ca = true, .not_before = 1577836800, .vid = 5000};
    refused(7, org_op(7, "fake", "manufacturer", x509::issue(spec, std::nullopt).value()),
            ErrorCode::kBadCertificate);
  }
  ok(6, org_op(6, "delta", "manufacturer", named));
  refused(0, op::GovPropose{.vendor_ids = {{6001, "delta"}}}, ErrorCode::kBadParams);
  ok(0, op::GovPropose{.vendor_ids = {{6000, "delta"}}});
}

TEST_F(ComplianceTest, OrgsAndModelsKeepTheirHistory) {
  standard_cast();
  x509::Issued model = ca("Acme Bulb", &acme_root_);
  ok(1, op::CertAdd{.org = "acme", .level = "model", .der = model.der, .vid = 4660, .pid = 1});
  ok(1, op::CertRevoke{.cert = sha256(model.der), .reason = "superseded"});
  ok(0, op::GovPropose{.grants = {{"acme", "certification_body", false}}});
  ok(1, op::ModelRegister{.org = "acme", .vid = 4660, .pid = 1, .name = "Bulb 2"});
  ok(1, op::ReleasePublish{.org = "acme",
                           .vid = 4660,
                           .pid = 1,
                           .version = 1,
                           .version_string = "1.0",
                           .kind = "firmware",
                           .sha256 = sha256(Bytes{7}),
                           .size = 10});
  auto ops_of = [&](const std::string& subject) {
    std::vector<std::string> out;
    const std::vector<ChangeEntry> list = *reader().changes(subject);  // not a range over a temporary
    for (const ChangeEntry& e : list) out.push_back(e.op);
    return out;
  };
  EXPECT_EQ(ops_of("org:acme"), (std::vector<std::string>{"org.register", "vendor.assign", "cert.add",
                                                          "cert.revoke", "role.grant"}));
  EXPECT_EQ(ops_of("model:4660/1"),
            (std::vector<std::string>{"model.register", "model.update", "release.publish"}));
  auto org_h = *reader().changes("org:acme");
  EXPECT_EQ(org_h.back().digest, sha256(cbor::encode((*reader().org("acme"))->to_cbor())));
  EXPECT_NE(org_h[2].digest, org_h[3].digest);
  EXPECT_NE(org_h[3].detail.find("superseded"), std::string::npos);
  auto newest = *reader().changes("model:4660/1", 1);
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].op, "release.publish");
  EXPECT_EQ(newest[0].height, c_.height());
  EXPECT_EQ(*reader().change_count("model:4660/1"), 3u);
}

TEST_F(ComplianceTest, CertificatesNameTheirVendorAndProductAndKeepPathLength) {
  auto issue = [](x509::CertSpec spec, const x509::Issued* parent) {
    spec.ca = true;
    spec.not_before = 1577836800;
    auto r = parent ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(parent->der, parent->key.get()))
                    : x509::issue(spec, std::nullopt);
    return std::move(r).value();
  };
  refused(1, org_op(1, "acme", "manufacturer", issue({.cn = "R", .pid = 1}, nullptr)),
          ErrorCode::kBadCertificate);  // a root names no product
  x509::Issued root = issue({.cn = "Acme Root", .path_len = 1, .vid = 4660}, nullptr);
  EXPECT_EQ(x509::parse_certificate(root.der)->path_len, 1);
  ok(1, org_op(1, "acme", "manufacturer", root));
  // Before it holds a vendor id, nothing it adds may name one.
  refused(1,
          op::CertAdd{
              .org = "acme", .level = "intermediate", .der = issue({.cn = "Early", .vid = 4660}, &root).der},
          ErrorCode::kBadCertificate);
  ok(0, op::GovPropose{.vendor_ids = {{4660, "acme"}}});
  refused(1,
          op::CertAdd{
              .org = "acme", .level = "intermediate", .der = issue({.cn = "Wrong", .vid = 4661}, &root).der},
          ErrorCode::kBadCertificate);
  ok(1, op::ModelRegister{.org = "acme", .vid = 4660, .pid = 1, .name = "Bulb"});
  x509::Issued bu = issue({.cn = "BU", .vid = 4660}, &root);
  ok(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = bu.der});
  refused(1,
          op::CertAdd{
              .org = "acme", .level = "intermediate", .der = issue({.cn = "BU pid", .pid = 1}, &root).der},
          ErrorCode::kBadCertificate);  // product ids belong on model certificates
  refused(1,
          op::CertAdd{.org = "acme",
                      .level = "model",
                      .der = issue({.cn = "M2", .vid = 4660, .pid = 2}, &root).der,
                      .vid = 4660,
                      .pid = 1},
          ErrorCode::kBadCertificate);  // pid 2 in the certificate, model 1 in the op
  ok(1, op::CertAdd{.org = "acme",
                    .level = "model",
                    .der = issue({.cn = "M1", .vid = 4660, .pid = 1}, &root).der,
                    .vid = 4660,
                    .pid = 1});
  // The root allows one CA below it: a model certificate under the BU would be the second.
  refused(1,
          op::CertAdd{.org = "acme",
                      .level = "model",
                      .der = issue({.cn = "M1b", .pid = 1}, &bu).der,
                      .vid = 4660,
                      .pid = 1},
          ErrorCode::kBadCertificate);
}

TEST_F(ComplianceTest, PublishedCrlsSayWhatTheLedgerSays) {
  standard_cast();
  x509::Issued m1 = ca("Model One", &acme_root_), m2 = ca("Model Two", &acme_root_);
  ok(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = m1.der});
  ok(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = m2.der});
  ok(1, op::CertRevoke{.cert = sha256(m1.der), .reason = "keyCompromise"});
  const Bytes s1 = x509::parse_certificate(m1.der)->serial, s2 = x509::parse_certificate(m2.der)->serial;
  auto crl = [&](const x509::Issued& by, std::vector<Bytes> serials, uint64_t number) {
    std::vector<x509::CrlEntry> entries;
    for (Bytes& s : serials) entries.push_back({std::move(s), 1767225600, "keyCompromise"});
    return op::CrlPublish{
        .org = "acme",
        .der = x509::sign_crl(by.der, by.key.get(), entries, 1767225600, 1767830400, number).value()};
  };
  refused(1, crl(acme_root_, {}, 1), ErrorCode::kBadCrl);         // leaves out the revoked m1
  refused(1, crl(acme_root_, {s1, s2}, 1), ErrorCode::kBadCrl);   // lists m2, not revoked on the ledger
  refused(1, crl(ca("Acme Root"), {s1}, 1), ErrorCode::kBadCrl);  // same name, not the ledger's key
  refused(1, crl(lab_root_, {}, 1), ErrorCode::kBadCrl);          // not acme's CA
  refused(1, op::CrlPublish{.org = "acme", .der = Bytes{1, 2, 3}}, ErrorCode::kBadCrl);
  refused(4, crl(acme_root_, {s1}, 1), ErrorCode::kNotOrgAdmin);
  const Bytes device_serial{0x0d, 0xe1};  // a device certificate revoked off the ledger may be listed too
  ok(1, crl(acme_root_, {s1, device_serial}, 5));
  auto rec = *reader().crl(sha256(acme_root_.der));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->number, 5u);
  EXPECT_EQ(rec->entries, 2u);
  EXPECT_EQ(rec->org, "acme");
  EXPECT_TRUE(x509::verify_crl_signed_by(rec->der, acme_root_.der).ok());
  refused(1, crl(acme_root_, {s1}, 5), ErrorCode::kBadCrl);  // cRLNumber must go up
  ok(1, crl(acme_root_, {s1}, 6));
  // m2's own CRL (empty) is its own record; and the org's history shows both.
  ok(1, crl(m2, {}, 1));
  EXPECT_EQ((*reader().crl(sha256(m2.der)))->entries, 0u);
  EXPECT_EQ((*reader().changes("org:acme")).back().op, "crl.publish");
  // A revoked CA publishes no more CRLs.
  refused(1, crl(m1, {}, 1), ErrorCode::kBadCrl);
}

TEST_F(ComplianceTest, RevocationIsFinalAndCaNamesWithKeysAreUnique) {
  standard_cast();
  x509::Issued m = ca("Model", &acme_root_);
  ok(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = m.der});
  refused(1, op::CertRevoke{.cert = sha256(m.der), .reason = "removeFromCRL"}, ErrorCode::kInvalidArgument);
  refused(1, op::CertRevoke{.cert = sha256(m.der), .reason = "certificateHold"}, ErrorCode::kInvalidArgument);
  refused(1, op::CertRevoke{.cert = sha256(m.der), .reason = "vibes"}, ErrorCode::kInvalidArgument);
  // The same CA (name and key) in a second certificate would split what its CRLs cover.
  x509::CertSpec same{
      .cn = "Model", .org = "test", .ca = true, .not_before = 1577836800, .subject_key = m.key.get()};
  x509::Issued copy =
      x509::issue(same, std::pair<ByteView, EVP_PKEY*>(acme_root_.der, acme_root_.key.get())).value();
  ASSERT_NE(copy.der, m.der);
  refused(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = copy.der}, ErrorCode::kConflict);
  ok(1, op::CertRevoke{.cert = sha256(m.der), .reason = "superseded"});
  refused(1, op::CertRevoke{.cert = sha256(m.der)}, ErrorCode::kCertRevoked);
}

TEST_F(ComplianceTest, DeviceCertificatesAreFoundByIssuerAndSerial) {
  standard_cast();
  x509::Issued model = ca("Acme Bulb", &acme_root_);
  ok(1, op::CertAdd{.org = "acme", .level = "model", .der = model.der, .vid = 4660, .pid = 1});
  auto leaf = [](const x509::Issued& by, const std::string& cn) {
    x509::CertSpec spec{.cn = cn, .not_before = 1577836800, .vid = 4660, .pid = 1};
    return x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(by.der, by.key.get())).value();
  };
  x509::Issued dev = leaf(model, "bulb-1");
  const Bytes serial = x509::parse_certificate(dev.der)->serial;
  const uint32_t certs_before = (*reader().org("acme"))->cert_count;
  ok(1, op::CertAdd{.org = "acme", .level = "device", .der = dev.der});
  EXPECT_EQ(*reader().cert_by_serial(sha256(model.der), serial), std::optional<Hash32>(sha256(dev.der)));
  EXPECT_EQ((*reader().cert(sha256(dev.der)))->parent, sha256(model.der));
  EXPECT_EQ((*reader().org("acme"))->cert_count, certs_before);  // not in the org's list
  EXPECT_FALSE(*reader().cert_by_serial(sha256(acme_root_.der), serial));
  refused(1, op::CertAdd{.org = "acme", .level = "device", .der = dev.der}, ErrorCode::kConflict);  // twice
  refused(1, op::CertAdd{.org = "acme", .level = "device", .der = ca("Sub", &model).der},
          ErrorCode::kBadCertificate);  // a CA is no device
  refused(1, op::CertAdd{.org = "acme", .level = "device", .der = leaf(lab_root_, "x").der},
          ErrorCode::kBadCertificate);  // not issued by acme
  refused(2, op::CertAdd{.org = "acme", .level = "device", .der = leaf(model, "y").der},
          ErrorCode::kNotOrgAdmin);
  // A device's product is its model's.
  {
    x509::CertSpec spec{.cn = "bulb-x", .not_before = 1577836800, .vid = 4660, .pid = 2};
    auto other_pid = x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(model.der, model.key.get())).value();
    refused(1, op::CertAdd{.org = "acme", .level = "device", .der = other_pid.der},
            ErrorCode::kBadCertificate);
    auto under_root = x509::issue({.cn = "bulb-r", .not_before = 1577836800, .vid = 4660, .pid = 1},
                                  std::pair<ByteView, EVP_PKEY*>(acme_root_.der, acme_root_.key.get()))
                          .value();
    refused(1, op::CertAdd{.org = "acme", .level = "device", .der = under_root.der},
            ErrorCode::kBadCertificate);
  }
  // Revoked on the ledger: listed under its issuer, and its CRL must say so.
  ok(1, op::CertRevoke{.cert = sha256(dev.der), .reason = "keyCompromise"});
  EXPECT_EQ(*reader().revoked_children(sha256(model.der)), std::vector<Hash32>{sha256(dev.der)});
  auto crl = [&](std::vector<x509::CrlEntry> entries) {
    return op::CrlPublish{
        .org = "acme", .der = x509::sign_crl(model.der, model.key.get(), entries, 1767225600, 0, 1).value()};
  };
  refused(1, crl({}), ErrorCode::kBadCrl);
  ok(1, crl({{serial, 1767225600, "keyCompromise"}}));
}

TEST_F(ComplianceTest, OperationsRoundTripThroughTheTxCodec) {
  std::vector<Operation> ops = {
      org_op(1, "acme", "manufacturer", acme_root_),
      op::CertAdd{.org = "acme", .level = "model", .der = acme_root_.der, .vid = 1, .pid = 2},
      op::CertRevoke{.cert = sha256(Bytes{1}), .reason = "superseded"},
      op::ModelRegister{.org = "acme", .vid = 1, .pid = 2, .name = "n", .label = {{"a", "b"}}},
      op::ReleasePublish{.org = "acme",
                         .vid = 1,
                         .pid = 2,
                         .version = 3,
                         .version_string = "3",
                         .kind = "code",
                         .sha256 = sha256(Bytes{3}),
                         .size = 4,
                         .signature = Bytes{1, 2}},
      op::ClaimIssue{.issuer = "a", .type = "b", .subject = "c", .data = {{"d", "e"}}, .expires_at = 9},
      op::ClaimWithdraw{.id = 5},
      op::CrlPublish{.org = "acme", .der = Bytes{1, 2, 3}},
      op::GovPropose{.grants = {{"lab", "test_lab", true}},
                     .ca_roots = {acme_root_.der},
                     .vendor_ids = {{7, "acme"}, {8, "beta"}}},
  };
  for (const Operation& op : ops) {
    auto back = operation_from_cbor(operation_to_cbor(op));
    ASSERT_TRUE(back.ok()) << op_type_name(op) << ": " << back.error().message;
    EXPECT_EQ(cbor::encode(operation_to_cbor(*back)), cbor::encode(operation_to_cbor(op)))
        << op_type_name(op);
  }
  // An optional field present but empty has a shorter canonical form: refused.
  cbor::Value v = operation_to_cbor(op::CertRevoke{.cert = sha256(Bytes{1})});
  cbor::MapEntries e = v.map_entries();
  e.emplace_back(cbor::Value::text("reason"), cbor::Value::text(""));
  EXPECT_EQ(operation_from_cbor(cbor::Value::map(e)).error().code, ErrorCode::kNonCanonical);
}

}  // namespace
}  // namespace trustmesh::ledger
