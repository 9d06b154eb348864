// Admission decisions from the claims graph, on a ledger built by real
// blocks: the scenarios of the compliance issue, each with the explanation
// checked, and the bad input that must deny (or be refused) for a reason.
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <map>

#include "core/hash.h"
#include "core/x509.h"
#include "core/x509_issue.h"
#include "ledger/compliance_access.h"
#include "ledger/ledger_util.h"
#include "trust/evaluate.h"

namespace trustmesh::trust {
namespace {

using ledger::Operation;
using ledger::TxOutcome;
using ledger::TxResult;
namespace op = ledger::op;

constexpr int64_t k2020 = 1577836800;

x509::Issued make(const std::string& cn, bool is_ca, const x509::Issued* parent) {
  x509::CertSpec spec{.cn = cn, .org = "t", .ca = is_ca, .not_before = k2020};
  auto r = parent ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(parent->der, parent->key.get()))
                  : x509::issue(spec, std::nullopt);
  TM_ASSERT(r.ok());
  return std::move(r).value();
}

Policy policy(const std::string& json) {
  auto p = parse_policy(json);
  TM_ASSERT(p.ok());
  return *p;
}

const char* kLighting = R"({"name": "backyard-lighting"})";
const char* kBuilding = R"({
  "name": "building-security", "trust_anchors": ["csa"], "revocation_threshold": 3,
  "rules": [{"rule": "member_of", "org": "csa"},
            {"rule": "compliance", "labs_approved_by": ["csa"]},
            {"rule": "no_advisory"},
            {"rule": "firmware_votes", "min_good": 3, "voters": "trusted"}]})";

// Accounts: 0 trustee, 1 acme (manufacturer), 2 csa (standards body),
// 3 lab, 4..8 expert orgs e1..e5 (endorsed by csa), 9 globex.
class Admission : public ::testing::Test {
 protected:
  Admission() : c_(14) {
    ok(1, org("acme", "manufacturer", acme_root_, 4660));
    ok(2, org("csa", "standards_body", make("CSA", true, nullptr)));
    ok(0, op::GovPropose{.grants = {{"csa", "standards_body", false}}});  // the trustees recognise csa
    ok(3, org("lab", "test_lab", make("Lab", true, nullptr)));
    for (int i = 1; i <= 5; ++i) {
      ok(3 + i,
         org("e" + std::to_string(i), "software_developer", make("E" + std::to_string(i), true, nullptr)));
      ok(2, claim("csa", "endorsement", "org:e" + std::to_string(i)));
    }
    ok(1, op::ModelRegister{.org = "acme", .vid = 4660, .pid = 1, .name = "Door lock"});
    ok(1, op::CertAdd{.org = "acme", .level = "model", .der = model_.der, .vid = 4660, .pid = 1});
    ok(1, release(1, fw1_));
  }

  // org.register; ok() adds the root key's proof of possession for the sender.
  Operation org(const std::string& id, const std::string& kind, const x509::Issued& root,
                std::optional<uint64_t> vid = std::nullopt) {
    EVP_PKEY_up_ref(root.key.get());
    root_keys_[root.der] = x509::PkeyPtr(root.key.get());
    if (vid) vendor_ids_[id] = *vid;  // assigned by the trustees once it is registered (ok())
    return op::OrgRegister{.id = id, .kind = kind, .name = id, .roots = {root.der}};
  }
  static Operation claim(const std::string& issuer, const std::string& type, const std::string& subject,
                         ledger::TextMap data = {}) {
    return op::ClaimIssue{.issuer = issuer, .type = type, .subject = subject, .data = std::move(data)};
  }
  static Operation release(uint64_t version, const Hash32& h) {
    return op::ReleasePublish{.org = "acme",
                              .vid = 4660,
                              .pid = 1,
                              .version = version,
                              .version_string = std::to_string(version) + ".0",
                              .kind = "firmware",
                              .sha256 = h,
                              .size = 4096};
  }
  void ok(int who, Operation o) {
    std::optional<ledger::VendorGrant> grant;
    if (auto* reg = std::get_if<op::OrgRegister>(&o)) {
      if (vendor_ids_.contains(reg->id)) grant = ledger::VendorGrant{vendor_ids_.at(reg->id), reg->id};
      for (const Bytes& root : reg->roots)
        reg->root_sigs.push_back(
            x509::sign_with(root_keys_.at(root).get(),
                            ledger::org_root_message(c_.chain_id(), reg->id, c_.addr(who)))
                .value());
    }
    TxResult r = c_.run(who, std::move(o));
    EXPECT_EQ(r.outcome, TxOutcome::kOk) << r.message;
    if (grant) {  // the trustees (account 0) assign vendor ids to registered orgs
      TxResult g = c_.run(0, op::GovPropose{.vendor_ids = {*grant}});
      EXPECT_EQ(g.outcome, TxOutcome::kOk) << g.message;
    }
  }
  // Issues a claim; returns its id.
  uint64_t claim_ok(int who, Operation o) {
    TxResult r = c_.run(who, std::move(o));
    EXPECT_EQ(r.outcome, TxOutcome::kOk) << r.message;
    auto id = ledger::ComplianceReader(c_.state()).next_claim_id();
    return *id - 1;
  }
  // Everything the building policy asks for, for firmware fw1.
  void certify_everything() {
    approval_ = claim_ok(2, claim("csa", "lab_approval", "org:lab"));
    compliance_ = claim_ok(3, claim("lab", "compliance", "model:4660/1"));
    claim_ok(2, claim("csa", "membership", "org:acme"));
    for (int i = 1; i <= 3; ++i)
      claim_ok(3 + i, claim("e" + std::to_string(i), "firmware_vote", "release:" + to_hex(fw1_),
                            {{"vote", "good"}}));
  }
  Decision decide(const Policy& p, const Bytes& device, std::optional<Hash32> fw = std::nullopt) {
    auto d = evaluate_admission(c_.state(), {c_.height(), 1767225600 + c_.height() * 6}, p,
                                AdmissionRequest{.device_der = device, .firmware = fw});
    TM_ASSERT(d.ok());
    return *d;
  }
  static const Check* check(const Decision& d, const std::string& rule) {
    for (const Check& c : d.checks)
      if (c.rule == rule || c.rule.rfind(rule + " ", 0) == 0) return &c;
    return nullptr;
  }

  ledger::testing::TestChain c_;
  std::map<Bytes, x509::PkeyPtr> root_keys_;
  std::map<std::string, uint64_t> vendor_ids_;
  x509::Issued acme_root_ = make("Acme Root", true, nullptr);
  x509::Issued model_ = make("Acme Door Lock", true, &acme_root_);
  x509::Issued device_ = make("lock-0001", false, &model_);
  Hash32 fw1_ = sha256(Bytes{'f', 'w', '1'});
  uint64_t approval_ = 0, compliance_ = 0;
};

TEST_F(Admission, CertifiedModelByApprovedLabIsAdmittedWithItsReasons) {
  certify_everything();
  Decision d = decide(policy(kBuilding), device_.der, fw1_);
  EXPECT_TRUE(d.admit) << explain(d);
  EXPECT_EQ(d.manufacturer, "acme");
  EXPECT_EQ(d.model, "model:4660/1");
  ASSERT_EQ(d.path.size(), 3u);  // device, model, root
  EXPECT_EQ(d.path[1].level, "model");
  const Check* comp = check(d, "compliance");
  ASSERT_NE(comp, nullptr);
  EXPECT_EQ(comp->claims, (std::vector<uint64_t>{compliance_, approval_}));
  EXPECT_NE(explain(d).find("certified by 'lab'"), std::string::npos) << explain(d);
}

TEST_F(Admission, WithdrawnLabApprovalChangesTheDecision) {
  certify_everything();
  ASSERT_TRUE(decide(policy(kBuilding), device_.der, fw1_).admit);
  ok(2, op::ClaimWithdraw{approval_});
  Decision d = decide(policy(kBuilding), device_.der, fw1_);
  EXPECT_FALSE(d.admit);
  const Check* comp = check(d, "compliance");
  ASSERT_NE(comp, nullptr);
  EXPECT_FALSE(comp->ok);
  EXPECT_NE(comp->detail.find("no longer holds a lab role"), std::string::npos) << comp->detail;
  EXPECT_NE(comp->missing.find("approved by csa"), std::string::npos) << comp->missing;
}

TEST_F(Admission, AdvisoryBlocksUntilAFixedReleaseHasEnoughGoodVotes) {
  certify_everything();
  uint64_t adv = claim_ok(2, claim("csa", "advisory", "model:4660/1", {{"id", "CVE-2026-0001"}}));
  Decision d = decide(policy(kBuilding), device_.der, fw1_);
  EXPECT_FALSE(d.admit);
  EXPECT_EQ(check(d, "no_advisory")->claims, std::vector<uint64_t>{adv});
  EXPECT_NE(check(d, "no_advisory")->detail.find("CVE-2026-0001"), std::string::npos);

  // The fix: released after the advisory, so unaffected, but it needs its own votes.
  Hash32 fw2 = sha256(Bytes{'f', 'w', '2'});
  ok(1, release(2, fw2));
  d = decide(policy(kBuilding), device_.der, fw2);
  EXPECT_TRUE(check(d, "no_advisory")->ok) << explain(d);
  EXPECT_FALSE(check(d, "firmware_votes")->ok);
  EXPECT_FALSE(d.admit);
  for (int i = 1; i <= 2; ++i)
    claim_ok(3 + i,
             claim("e" + std::to_string(i), "firmware_vote", "release:" + to_hex(fw2), {{"vote", "good"}}));
  // A vote from an org nobody trusts does not count.
  ok(9, org("rando", "integrator", make("Rando", true, nullptr)));
  claim_ok(9, claim("rando", "firmware_vote", "release:" + to_hex(fw2), {{"vote", "good"}}));
  EXPECT_FALSE(decide(policy(kBuilding), device_.der, fw2).admit);
  claim_ok(6, claim("e3", "firmware_vote", "release:" + to_hex(fw2), {{"vote", "good"}}));
  d = decide(policy(kBuilding), device_.der, fw2);
  EXPECT_TRUE(d.admit) << explain(d);
  // The old firmware stays refused, and without a firmware hash nobody can tell.
  EXPECT_FALSE(decide(policy(kBuilding), device_.der, fw1_).admit);
  EXPECT_FALSE(decide(policy(kBuilding), device_.der).admit);
}

TEST_F(Admission, ThreeOfFiveOrganisationsFlaggingADeviceRevokeIt) {
  certify_everything();
  const std::string dev = "device:" + to_hex(sha256(device_.der));
  for (int i = 1; i <= 2; ++i)
    claim_ok(3 + i, claim("e" + std::to_string(i), "device_status", dev, {{"status", "stolen"}}));
  EXPECT_TRUE(decide(policy(kBuilding), device_.der, fw1_).admit);
  claim_ok(6, claim("e3", "revocation", dev));
  Decision d = decide(policy(kBuilding), device_.der, fw1_);
  EXPECT_FALSE(d.admit);
  const Check* nr = check(d, "not_revoked");
  ASSERT_NE(nr, nullptr);
  EXPECT_EQ(nr->claims.size(), 3u);
  EXPECT_NE(nr->detail.find("revoked de facto by 3 organisations"), std::string::npos) << nr->detail;
  // The lighting policy has no anchors, so every org counts: also refused.
  EXPECT_FALSE(decide(policy(kLighting), device_.der).admit);
}

TEST_F(Admission, TheManufacturersOwnStolenReportIsEnough) {
  claim_ok(
      1, claim("acme", "device_status", "device:" + to_hex(sha256(device_.der)), {{"status", "destroyed"}}));
  Decision d = decide(policy(kLighting), device_.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(check(d, "not_revoked")->detail.find("reports the device destroyed"), std::string::npos);
}

TEST_F(Admission, LightingAdmitsWhatBuildingSecurityRefusesAndBothSayWhy) {
  Decision light = decide(policy(kLighting), device_.der);
  EXPECT_TRUE(light.admit) << explain(light);
  Decision building = decide(policy(kBuilding), device_.der);
  EXPECT_FALSE(building.admit);
  std::string why = explain(building);
  EXPECT_NE(why.find("FAIL  member_of csa"), std::string::npos) << why;
  EXPECT_NE(why.find("FAIL  compliance"), std::string::npos) << why;
  EXPECT_NE(why.find("missing: a membership claim by 'csa'"), std::string::npos) << why;
  EXPECT_NE(why.find("ok    chain"), std::string::npos) << why;
}

TEST_F(Admission, DeviceCertificateMustNameItsChainsVendorAndProduct) {
  auto device = [&](std::optional<uint64_t> vid, std::optional<uint64_t> pid) {
    x509::CertSpec spec{.cn = "lock-ids", .org = "t", .not_before = k2020, .vid = vid, .pid = pid};
    return x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(model_.der, model_.key.get())).value().der;
  };
  EXPECT_TRUE(decide(policy(kLighting), device(4660, 1)).admit);
  Decision d = decide(policy(kLighting), device(4661, 1));
  EXPECT_FALSE(d.admit);
  EXPECT_NE(explain(d).find("names vendor id 4661 but its chain is vendor id 4660"), std::string::npos)
      << explain(d);
  d = decide(policy(kLighting), device(std::nullopt, 2));
  EXPECT_FALSE(d.admit);
  EXPECT_NE(explain(d).find("product id 2"), std::string::npos) << explain(d);
}

TEST_F(Admission, ADeviceCertificateRevokedOnTheLedgerIsDenied) {
  ok(1, op::CertAdd{.org = "acme", .level = "device", .der = device_.der});
  EXPECT_TRUE(decide(policy(kLighting), device_.der).admit);
  ok(1, op::CertRevoke{.cert = sha256(device_.der), .reason = "keyCompromise"});
  Decision d = decide(policy(kLighting), device_.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(explain(d).find("device certificate was revoked by 'acme'"), std::string::npos) << explain(d);
}

// The same certificate with its ECDSA signature (r, s) rewritten as (r, n - s):
// still valid, different bytes, so a different hash; anyone can make it.
Bytes reencoded(const Bytes& der) {
  const unsigned char* p = der.data();
  std::unique_ptr<X509, decltype(&X509_free)> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())),
                                                X509_free);
  const ASN1_BIT_STRING* sig = nullptr;
  X509_get0_signature(&sig, nullptr, x.get());
  const unsigned char* sp = ASN1_STRING_get0_data(sig);
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &sp, ASN1_STRING_length(sig));
  const BIGNUM *r = nullptr, *s = nullptr;
  ECDSA_SIG_get0(es, &r, &s);
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BIGNUM* flipped = BN_new();
  BN_sub(flipped, EC_GROUP_get0_order(group), s);
  ECDSA_SIG_set0(es, BN_dup(r), flipped);
  unsigned char* out = nullptr;
  const int n = i2d_ECDSA_SIG(es, &out);
  ASN1_BIT_STRING_set(const_cast<ASN1_BIT_STRING*>(sig), out, n);
  OPENSSL_free(out);
  ECDSA_SIG_free(es);
  EC_GROUP_free(group);
  unsigned char* enc = nullptr;
  const int len = i2d_X509(x.get(), &enc);
  Bytes result(enc, enc + len);
  OPENSSL_free(enc);
  return result;
}

TEST_F(Admission, ARevokedDeviceCertificateStaysRevokedWhenReencoded) {
  ok(1, op::CertAdd{.org = "acme", .level = "device", .der = device_.der});
  ok(1, op::CertRevoke{.cert = sha256(device_.der), .reason = "keyCompromise"});
  const Bytes copy = reencoded(device_.der);
  ASSERT_NE(sha256(copy), sha256(device_.der));
  ASSERT_TRUE(x509::verify_signed_by(copy, model_.der).ok());  // still a valid certificate
  Decision d = decide(policy(kLighting), copy);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(explain(d).find("device certificate was revoked by 'acme'"), std::string::npos) << explain(d);
}

TEST_F(Admission, ManufacturerThatIsASubCaOfAPublicCaIsAccepted) {
  x509::Issued public_root = make("Public Root CA", true, nullptr);
  x509::Issued sub = make("Globex Sub-CA", true, &public_root);
  ok(0, op::GovPropose{.ca_roots = {public_root.der}});
  ok(9, org("globex", "manufacturer", sub, 77));
  ok(9, op::ModelRegister{.org = "globex", .vid = 77, .pid = 5, .name = "Camera"});
  x509::Issued model = make("Globex Camera", true, &sub);
  ok(9, op::CertAdd{.org = "globex", .level = "model", .der = model.der, .vid = 77, .pid = 5});
  x509::Issued cam = make("cam-1", false, &model);
  Decision d = decide(policy(kLighting), cam.der);
  EXPECT_TRUE(d.admit) << explain(d);
  ASSERT_EQ(d.path.size(), 4u);
  EXPECT_EQ(d.path.back().level, "external_root");
  EXPECT_EQ(d.manufacturer, "globex");
}

TEST_F(Admission, CertificatesThatDoNotChainOrAreRevokedAreDenied) {
  // Self-made, and forged: same issuer name as the model certificate, another key.
  x509::Issued stranger = make("stranger", false, nullptr);
  Decision d = decide(policy(kLighting), stranger.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(check(d, "chain")->detail.find("no certificate on the ledger issued"), std::string::npos);
  x509::Issued fake_model = make("Acme Door Lock", true, nullptr);
  x509::Issued forged = make("lock-0002", false, &fake_model);
  EXPECT_FALSE(decide(policy(kLighting), forged.der).admit);
  // The model certificate revoked: every device under it is refused.
  ok(1, op::CertRevoke{.cert = sha256(model_.der), .reason = "keyCompromise"});
  d = decide(policy(kLighting), device_.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(check(d, "chain")->detail.find("revoked at height"), std::string::npos) << explain(d);
  EXPECT_NE(check(d, "chain")->detail.find("keyCompromise"), std::string::npos);
  // Not a certificate at all: an error, not a decision.
  auto bad = evaluate_admission(c_.state(), {c_.height(), 0}, policy(kLighting),
                                AdmissionRequest{.device_der = Bytes{1, 2, 3}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kBadCertificate);
}

TEST_F(Admission, ExpiredAndWithdrawnClaimsDoNotCount) {
  approval_ = claim_ok(2, claim("csa", "lab_approval", "org:lab"));
  TxResult r = c_.run(
      3,
      op::ClaimIssue{
          .issuer = "lab", .type = "compliance", .subject = "model:4660/1", .expires_at = c_.height() + 2});
  ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  Policy p = policy(R"({"name": "p", "rules": [{"rule": "compliance", "labs_approved_by": ["csa"]}]})");
  EXPECT_TRUE(decide(p, device_.der).admit);
  c_.empty_blocks(2);
  Decision d = decide(p, device_.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(check(d, "compliance")->detail.find("is expired"), std::string::npos) << explain(d);
  uint64_t again = claim_ok(3, claim("lab", "compliance", "model:4660/1"));
  EXPECT_TRUE(decide(p, device_.der).admit);
  ok(3, op::ClaimWithdraw{again});
  d = decide(p, device_.der);
  EXPECT_NE(check(d, "compliance")->detail.find("is withdrawn"), std::string::npos) << explain(d);
}

TEST_F(Admission, CyclesInTheEndorsementGraphEndWithoutTrust) {
  // acme and lab endorse each other; neither is an anchor nor endorsed by one.
  claim_ok(1, claim("acme", "endorsement", "org:lab"));
  claim_ok(3, claim("lab", "endorsement", "org:acme"));
  Policy p = policy(
      R"({"name": "p", "trust_anchors": ["csa"], "endorsement_depth": 3, "rules": [{"rule": "endorsed"}]})");
  Decision d = decide(p, device_.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(check(d, "endorsed")->detail.find("is not trusted"), std::string::npos);
  // One endorsement from a trusted org (e1, endorsed by the anchor) closes the
  // gap: csa -> e1 -> lab -> acme is three hops, within this policy's depth...
  claim_ok(4, claim("e1", "endorsement", "org:lab"));
  EXPECT_TRUE(decide(p, device_.der).admit) << explain(decide(p, device_.der));
  // ... but not within the default of two.
  EXPECT_FALSE(decide(policy(R"({"name": "p", "trust_anchors": ["csa"], "rules": [{"rule": "endorsed"}]})"),
                      device_.der)
                   .admit);
}

TEST_F(Admission, CosignaturesAreCountedByRole) {
  Policy p = policy(R"({"name": "p", "rules": [{"rule": "cosigned", "roles": ["producer", "maintainer"]}]})");
  const std::string dev = "device:" + to_hex(sha256(device_.der));
  claim_ok(1, claim("acme", "cosign", dev, {{"role", "producer"}}));
  Decision d = decide(p, device_.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(check(d, "cosigned")->missing.find("maintainer"), std::string::npos);
  claim_ok(4, claim("e1", "cosign", "model:4660/1", {{"role", "maintainer"}}));
  EXPECT_TRUE(decide(p, device_.der).admit);
}

TEST_F(Admission, ThrowAwayOrgsCannotSwitchOffAnchorsOrTheirExperts) {
  certify_everything();
  for (int i = 1; i <= 3; ++i)
    ok(9 + i, org("r" + std::to_string(i), "integrator", make("R" + std::to_string(i), true, nullptr)));
  for (int i = 1; i <= 3; ++i) {
    claim_ok(9 + i, claim("r" + std::to_string(i), "revocation", "org:csa"));
    claim_ok(9 + i, claim("r" + std::to_string(i), "revocation", "org:e1"));
  }
  Decision d = decide(policy(kBuilding), device_.der, fw1_);
  EXPECT_TRUE(d.admit) << explain(d);
  // Organisations the anchor vouches for do count: three of them revoke e1,
  // whose vote then no longer counts (3 good votes were needed).
  for (int i = 3; i <= 5; ++i) claim_ok(3 + i, claim("e" + std::to_string(i), "revocation", "org:e1"));
  d = decide(policy(kBuilding), device_.der, fw1_);
  EXPECT_FALSE(d.admit);
  EXPECT_FALSE(check(d, "firmware_votes")->ok) << explain(d);
}

TEST_F(Admission, AFlagOnTheDevicesKeySurvivesReencodingItsCertificate) {
  auto facts = x509::parse_certificate(device_.der);
  ASSERT_TRUE(facts.ok());
  claim_ok(1, claim("acme", "device_status", "device:" + to_hex(facts->key_hash), {{"status", "stolen"}}));
  Decision d = decide(policy(kLighting), device_.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(check(d, "not_revoked")->detail.find("stolen"), std::string::npos) << explain(d);
}

TEST_F(Admission, CosignaturesNeedSuitableTrustedSigners) {
  Policy p = policy(R"({"name": "p", "trust_anchors": ["csa"],
                        "rules": [{"rule": "cosigned", "roles": ["integrator", "maintainer"]}]})");
  const std::string dev = "device:" + to_hex(sha256(device_.der));
  // One org cannot fill two roles; an org nobody trusts does not count.
  claim_ok(4, claim("e1", "cosign", dev, {{"role", "integrator"}}));
  claim_ok(4, claim("e1", "cosign", dev, {{"role", "maintainer"}}));
  ok(10, org("r1", "integrator", make("R1", true, nullptr)));
  claim_ok(10, claim("r1", "cosign", dev, {{"role", "maintainer"}}));
  Decision d = decide(p, device_.der);
  EXPECT_FALSE(d.admit) << explain(d);
  claim_ok(5, claim("e2", "cosign", dev, {{"role", "maintainer"}}));
  d = decide(p, device_.der);
  EXPECT_TRUE(d.admit) << explain(d);
  // "producer" is the manufacturer's to sign.
  Policy prod = policy(R"({"name": "p", "rules": [{"rule": "cosigned", "roles": ["producer"]}]})");
  claim_ok(4, claim("e1", "cosign", dev, {{"role", "producer"}}));
  EXPECT_FALSE(decide(prod, device_.der).admit);
}

TEST_F(Admission, AVersionLimitedComplianceNeedsTheFirmware) {
  approval_ = claim_ok(2, claim("csa", "lab_approval", "org:lab"));
  claim_ok(3, claim("lab", "compliance", "model:4660/1", {{"versions", "1"}}));
  Policy p = policy(R"({"name": "p", "rules": [{"rule": "compliance"}]})");
  EXPECT_TRUE(decide(p, device_.der, fw1_).admit);
  Decision d = decide(p, device_.der);
  EXPECT_FALSE(d.admit);
  EXPECT_NE(check(d, "compliance")->detail.find("the firmware is unknown"), std::string::npos) << explain(d);
}

TEST(Policy, RefusesWhatItDoesNotUnderstand) {
  EXPECT_EQ(parse_policy("{").error().code, ErrorCode::kBadPolicy);
  EXPECT_EQ(parse_policy("[]").error().code, ErrorCode::kBadPolicy);
  EXPECT_EQ(parse_policy(R"({"rules": []})").error().code, ErrorCode::kBadPolicy);  // no name
  auto typo = parse_policy(R"({"name": "x", "rulez": []})");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("unknown key \"rulez\""), std::string::npos);
  auto rule = parse_policy(R"({"name": "x", "rules": [{"rule": "vibes"}]})");
  ASSERT_FALSE(rule.ok());
  EXPECT_NE(rule.error().message.find("rules[0]"), std::string::npos);
  EXPECT_FALSE(parse_policy(R"({"name": "x", "rules": [{"rule": "member_of"}]})").ok());
  EXPECT_FALSE(parse_policy(R"({"name": "x", "rules": [{"rule": "firmware_votes", "min_good": -1}]})").ok());
  EXPECT_FALSE(parse_policy(R"({"name": "x", "revocation_threshold": 0})").ok());
  EXPECT_FALSE(parse_policy(R"({"name": "x", "rules": [{"rule": "cosigned", "roles": []}]})").ok());
  EXPECT_FALSE(parse_policy(R"({"name": "x", "rules": [{"rule": "cosigned", "roles": ["producr"]}]})").ok());
  auto good = parse_policy(kBuilding);
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->rules.size(), 4u);
  EXPECT_EQ(good->rules[3].min_good, 3u);
}

}  // namespace
}  // namespace trustmesh::trust
