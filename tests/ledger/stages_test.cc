// Supply-chain stages of device names (name.stage) and the device
// certificates orgs certify for a name (cert.add with a name): the allowed
// moves, custody, superseded and retired certificates, and refusals that
// change nothing but the sender's fee.
#include <gtest/gtest.h>

#include "core/hash.h"
#include "core/x509_issue.h"
#include "ledger/compliance_access.h"
#include "ledger/ledger_util.h"
#include "ledger/schema.h"

namespace trustmesh::ledger {
namespace {

using testing::TestChain;
using S = DeviceStage;

x509::Issued make(x509::CertSpec spec, const x509::Issued* parent) {
  spec.not_before = 1577836800;  // 2020-2030
  auto r = parent ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(parent->der, parent->key.get()))
                  : x509::issue(spec, std::nullopt);
  TM_ASSERT(r.ok());
  return std::move(r).value();
}

// Accounts: 1 = acme (manufacturer, admin of org acme), 2 = distributor,
// 3 = building operator, 4 = the next owner, 5 = a stranger.
class StagesTest : public ::testing::Test {
 protected:
  StagesTest() : c_(6) {
    Bytes pop = org_root_message(c_.chain_id(), "acme", c_.addr(1));
    ok(1, op::OrgRegister{.id = "acme",
                          .kind = "manufacturer",
                          .name = "Acme",
                          .roots = {root_.der},
                          .root_sigs = {x509::sign_with(root_.key.get(), pop).value()}});
    ok(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = ca_.der});
    EXPECT_EQ(c_.register_name(1, "lock-7").outcome, TxOutcome::kOk);
  }
  void ok(int who, Operation o) {
    TxResult r = c_.run(who, std::move(o));
    ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  }
  void refused(int who, Operation o, ErrorCode code) {
    MemState before = c_.state();
    TxResult r = c_.run(who, std::move(o));
    EXPECT_EQ(r.code, code) << r.message;
    std::set<Bytes> expected = {schema::account_key(c_.addr(who)), schema::supply_key()};
    EXPECT_EQ(testing::changed_keys(before, c_.state()), expected) << r.message;
  }
  // A device certificate of acme's CA (commonName `name`, organisation
  // `label`), certified on the ledger for `name`.
  Hash32 certify(const std::string& label, const std::string& name) {
    x509::Issued dev = make({.cn = name, .org = label}, &ca_);
    ok(1, op::CertAdd{.org = "acme", .level = "device", .der = dev.der, .name = name});
    return sha256(dev.der);
  }
  CertRecord cert(const Hash32& h) { return **ComplianceReader(c_.state()).cert(h); }
  NameRecord name() { return *c_.name("lock-7"); }

  TestChain c_;
  x509::Issued root_ = make({.cn = "Acme Root", .ca = true}, nullptr);
  x509::Issued ca_ = make({.cn = "Acme Devices CA", .ca = true}, &root_);
};

TEST(DeviceStage, TransitionTable) {
  EXPECT_TRUE(stage_allowed(S::kManufactured, S::kDistribution));
  EXPECT_TRUE(stage_allowed(S::kManufactured, S::kInstalled));
  EXPECT_FALSE(stage_allowed(S::kManufactured, S::kOperation));
  EXPECT_TRUE(stage_allowed(S::kDistribution, S::kDistribution));  // distributor to distributor
  EXPECT_TRUE(stage_allowed(S::kInstalled, S::kOperation));
  EXPECT_FALSE(stage_allowed(S::kInstalled, S::kTransferred));
  EXPECT_TRUE(stage_allowed(S::kOperation, S::kTransferred));
  EXPECT_TRUE(stage_allowed(S::kTransferred, S::kInstalled));
  EXPECT_FALSE(stage_allowed(S::kOperation, S::kManufactured));
  for (int s = 0; s <= 5; ++s) {
    EXPECT_EQ(stage_allowed(static_cast<S>(s), S::kRetired), s != 5);
    EXPECT_FALSE(stage_allowed(S::kRetired, static_cast<S>(s)));
    EXPECT_EQ(device_stage_from(device_stage_name(static_cast<S>(s))), static_cast<S>(s));
  }
  EXPECT_FALSE(device_stage_from("shipped"));
}

TEST_F(StagesTest, ADeviceWalksEveryStageWithItsCustodyAndCertificates) {
  EXPECT_EQ(name().stage, S::kManufactured);
  // Manufacturing identity, certified for the name and bound to it.
  Hash32 mfg = certify("lock-7 manufacturing", "lock-7");
  ok(1, op::NameUpdate{"lock-7", NameValue{.cert_hash = mfg}});
  ok(1, op::NameStage{.name = "lock-7", .stage = S::kDistribution, .to = c_.addr(2)});
  EXPECT_EQ(name().owner, c_.addr(2));
  ok(2, op::NameStage{.name = "lock-7", .stage = S::kInstalled, .to = c_.addr(3)});
  // The operator's operational identity supersedes the manufacturing one.
  Hash32 op1 = certify("lock-7.plant.example", "lock-7");
  EXPECT_FALSE(cert(mfg).revoked);
  ok(3, op::NameStage{.name = "lock-7", .stage = S::kOperation, .cert = op1});
  EXPECT_EQ(name().value.cert_hash, op1);
  EXPECT_TRUE(cert(mfg).revoked);
  EXPECT_EQ(cert(mfg).reason, "superseded");
  EXPECT_EQ(cert(mfg).revoked_at, c_.height());
  // Sold on: the new owner installs it with a new identity.
  ok(3, op::NameStage{.name = "lock-7", .stage = S::kTransferred, .to = c_.addr(4)});
  Hash32 op2 = certify("lock-7.home.example", "lock-7");
  ok(4, op::NameStage{.name = "lock-7", .stage = S::kInstalled, .cert = op2});
  EXPECT_EQ(cert(op1).reason, "superseded");
  ok(4, op::NameStage{.name = "lock-7", .stage = S::kOperation});
  ok(4, op::NameStage{.name = "lock-7", .stage = S::kRetired});
  EXPECT_EQ(name().status, NameStatus::kRetired);
  EXPECT_EQ(name().stage, S::kRetired);
  EXPECT_EQ(cert(op2).reason, "cessationOfOperation");

  std::vector<std::pair<std::string, S>> seen;
  for (const HistoryEntry& h : c_.history("lock-7")) seen.emplace_back(h.op, h.stage);
  std::vector<std::pair<std::string, S>> want = {
      {"register", S::kManufactured}, {"certify", S::kManufactured}, {"update", S::kManufactured},
      {"stage", S::kDistribution},    {"stage", S::kInstalled},      {"certify", S::kInstalled},
      {"stage", S::kOperation},       {"stage", S::kTransferred},    {"certify", S::kTransferred},
      {"stage", S::kInstalled},       {"stage", S::kOperation},      {"stage", S::kRetired}};
  EXPECT_EQ(seen, want);
  EXPECT_EQ(c_.history("lock-7")[1].cert, mfg);
  EXPECT_EQ(cert(op2).name, "lock-7");
}

TEST_F(StagesTest, RetirementRevokesEveryCertifiedCertificateAndIsFinal) {
  Hash32 a = certify("lock-7 a", "lock-7");
  Hash32 b = certify("lock-7 b", "lock-7");
  ok(1, op::NameStage{.name = "lock-7", .stage = S::kRetired});
  EXPECT_TRUE(cert(a).revoked);
  EXPECT_TRUE(cert(b).revoked);
  refused(1, op::NameStage{.name = "lock-7", .stage = S::kInstalled}, ErrorCode::kNameRetired);
  refused(1, op::NameUpdate{"lock-7", testing::test_value(2)}, ErrorCode::kNameRetired);
  refused(1, op::NameRenew{"lock-7", 10}, ErrorCode::kNameRetired);
  x509::Issued late = make({.cn = "lock-7"}, &ca_);
  refused(1, op::CertAdd{.org = "acme", .level = "device", .der = late.der, .name = "lock-7"},
          ErrorCode::kNameRetired);
  // Reserved until it expires: nobody registers it again before then.
  TxResult again = c_.register_name(5, "lock-7", 2);
  EXPECT_EQ(again.code, ErrorCode::kNameTaken) << again.message;
}

TEST_F(StagesTest, HandingCustodyOnEndsThePreviousHoldersCertificates) {
  Hash32 bound = certify("identity", "lock-7");
  Hash32 holders = certify("enrolled by the manufacturer", "lock-7");
  ok(1, op::NameUpdate{"lock-7", NameValue{.cert_hash = bound}});
  ok(1, op::NameStage{.name = "lock-7", .stage = S::kDistribution, .to = c_.addr(2)});
  EXPECT_FALSE(cert(bound).revoked);  // the device's identity travels with it
  EXPECT_TRUE(cert(holders).revoked);
  EXPECT_EQ(cert(holders).reason, "affiliationChanged");
  // Moving on without a new holder revokes nothing.
  Hash32 distributors = certify("enrolled by the distributor", "lock-7");
  ok(2, op::NameStage{.name = "lock-7", .stage = S::kDistribution});
  EXPECT_FALSE(cert(distributors).revoked);
}

TEST_F(StagesTest, RevokingTheNameRevokesItsCertificates) {
  Hash32 a = certify("a", "lock-7");
  ok(1, op::NameUpdate{"lock-7", NameValue{.cert_hash = a}});
  Hash32 b = certify("b", "lock-7");
  ok(1, op::NameRevoke{"lock-7"});
  EXPECT_EQ(cert(a).reason, "privilegeWithdrawn");
  EXPECT_EQ(cert(b).reason, "privilegeWithdrawn");
}

TEST_F(StagesTest, BadMovesAreRefusedAndChangeNothing) {
  refused(1, op::NameStage{.name = "lock-7", .stage = S::kOperation}, ErrorCode::kBadStage);
  refused(5, op::NameStage{.name = "lock-7", .stage = S::kDistribution}, ErrorCode::kNotOwner);
  refused(1, op::NameStage{.name = "no-such", .stage = S::kDistribution}, ErrorCode::kNameNotFound);
  ok(1, op::NameStage{.name = "lock-7", .stage = S::kInstalled});
  ok(1, op::NameStage{.name = "lock-7", .stage = S::kOperation});
  refused(1, op::NameStage{.name = "lock-7", .stage = S::kTransferred},
          ErrorCode::kInvalidArgument);  // to whom?
  refused(1, op::NameStage{.name = "lock-7", .stage = S::kTransferred, .to = c_.addr(1)},
          ErrorCode::kSelfTransfer);
  refused(1, op::NameStage{.name = "lock-7", .stage = S::kRetired, .cert = sha256(Bytes{1})},
          ErrorCode::kInvalidArgument);
  refused(1, op::NameStage{.name = "lock-7", .stage = S::kInstalled, .cert = name().value.cert_hash},
          ErrorCode::kInvalidArgument);  // already bound
  ok(1, op::NameRevoke{"lock-7"});
  refused(1, op::NameStage{.name = "lock-7", .stage = S::kRetired}, ErrorCode::kNameRevoked);
}

TEST_F(StagesTest, OnlyCertificatesCertifiedForTheNameAreRevoked) {
  // Another device's certificate, bound to lock-7 by its owner, survives
  // lock-7's moves: binding is not certification.
  ASSERT_EQ(c_.register_name(5, "other-9", 3).outcome, TxOutcome::kOk);
  Hash32 theirs = certify("other-9", "other-9");
  ok(1, op::NameUpdate{"lock-7", NameValue{.cert_hash = theirs}});
  ok(1, op::NameStage{.name = "lock-7", .stage = S::kInstalled, .cert = sha256(Bytes{7})});
  EXPECT_FALSE(cert(theirs).revoked);
  ok(1, op::NameUpdate{"lock-7", NameValue{.cert_hash = theirs}});
  ok(1, op::NameStage{.name = "lock-7", .stage = S::kRetired});
  EXPECT_FALSE(cert(theirs).revoked);
}

TEST_F(StagesTest, CertifyingNeedsADeviceCertificateAndANameInService) {
  x509::Issued dev = make({.cn = "lock-7"}, &ca_);
  x509::Issued other = make({.cn = "no-such"}, &ca_);
  refused(1, op::CertAdd{.org = "acme", .level = "device", .der = other.der, .name = "no-such"},
          ErrorCode::kNameNotFound);
  // A certificate certified for a name carries it as its commonName.
  x509::Issued misnamed = make({.cn = "lock-8"}, &ca_);
  refused(1, op::CertAdd{.org = "acme", .level = "device", .der = misnamed.der, .name = "lock-7"},
          ErrorCode::kBadCertificate);
  x509::Issued sub = make({.cn = "Sub CA", .ca = true}, &ca_);
  refused(1, op::CertAdd{.org = "acme", .level = "intermediate", .der = sub.der, .name = "lock-7"},
          ErrorCode::kInvalidArgument);
  ok(1, op::NameRevoke{"lock-7"});
  refused(1, op::CertAdd{.org = "acme", .level = "device", .der = dev.der, .name = "lock-7"},
          ErrorCode::kNameRevoked);
}

TEST_F(StagesTest, StageOpsRoundTripThroughTheTxCodec) {
  for (Operation o : {Operation(op::NameStage{.name = "lock-7", .stage = S::kTransferred, .to = c_.addr(2)}),
                      Operation(op::NameStage{.name = "x", .stage = S::kInstalled, .cert = sha256(Bytes{1})}),
                      Operation(op::CertAdd{.org = "acme", .level = "device", .der = {1, 2}, .name = "n"})}) {
    Tx tx = make_tx(c_.key(1), c_.chain_id(), 0, 10, o).value();
    auto back = decode_tx(tx.encode());
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->encode(), tx.encode());
  }
  // An unknown stage is malformed: refused before it reaches a block.
  cbor::Value v = operation_to_cbor(op::NameStage{.name = "x", .stage = S::kInstalled});
  ASSERT_TRUE(operation_from_cbor(v).ok());
  cbor::MapEntries e = v.map_entries();
  int replaced = 0;
  for (auto& [k, val] : e) {
    if (k == cbor::Value::text("stage")) {
      val = cbor::Value::text("shipped");
      ++replaced;
    }
  }
  ASSERT_EQ(replaced, 1);
  auto bad = operation_from_cbor(cbor::Value::map(std::move(e)));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  EXPECT_NE(bad.error().message.find("shipped"), std::string::npos);
}

}  // namespace
}  // namespace trustmesh::ledger
