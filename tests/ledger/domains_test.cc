// Access domains (ledger/domains.h, ops_domains.cc): the record's canonical
// encoding, the rights rules, every op's success and each kind of refusal
// (which changes nothing but the sender's fee and sequence), the last
// administrator rule, assignment and moves, and the read check the API uses.
#include "ledger/domains.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "core/x509_issue.h"
#include "ledger/ledger_util.h"
#include "ledger/schema.h"
#include "ledger/tx.h"

namespace trustmesh::ledger {
namespace {

using testing::TestChain;

// Accounts: 0 trustee, 1 building operator (owns lock-7, admin of org acme),
// 2 colleague, 3 stranger, 4 owner of cam-1.
class DomainsTest : public ::testing::Test {
 protected:
  DomainsTest() : c_(5) {
    EXPECT_EQ(c_.register_name(1, "lock-7").outcome, TxOutcome::kOk);
    EXPECT_EQ(c_.register_name(4, "cam-1", 2).outcome, TxOutcome::kOk);
  }
  void ok(int who, Operation o) {
    TxResult r = c_.run(who, std::move(o));
    ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  }
  // Fails with `code` and changes nothing but the sender's account and the supply.
  std::string refused(int who, Operation o, ErrorCode code) {
    MemState before = c_.state();
    TxResult r = c_.run(who, std::move(o));
    EXPECT_EQ(r.outcome, TxOutcome::kFailed);
    EXPECT_EQ(r.code, code) << r.message;
    std::set<Bytes> expected = {schema::account_key(c_.addr(who)), schema::supply_key()};
    EXPECT_EQ(testing::changed_keys(before, c_.state()), expected) << r.message;
    return r.message;
  }
  AccessDomain domain(const std::string& id) {
    auto d = read_domain(c_.state(), id);
    EXPECT_TRUE(d.ok() && *d);
    return **d;
  }
  std::optional<std::string> where(const std::string& subject) { return *domain_of(c_.state(), subject); }
  std::vector<std::string> subjects(const std::string& id) { return *domain_subjects(c_.state(), id); }
  void model_cast() {
    x509::CertSpec spec{.cn = "Acme Root", .ca = true};
    spec.not_before = 1577836800;
    x509::Issued root = x509::issue(spec, std::nullopt).value();
    ok(1, op::OrgRegister{.id = "acme",
                          .kind = "manufacturer",
                          .name = "Acme",
                          .roots = {root.der},
                          .root_sigs = {x509::sign_with(root.key.get(),
                                                        org_root_message(c_.chain_id(), "acme", c_.addr(1)))
                                            .value()}});
    ok(0, op::GovPropose{.vendor_ids = {{4660, "acme"}}});
    ok(1, op::ModelRegister{.org = "acme", .vid = 4660, .pid = 1, .name = "Lock"});
  }
  TestChain c_;
};

TEST(DomainRights, NormaliseParseAndName) {
  EXPECT_EQ(normalize_rights(0), 0);
  EXPECT_EQ(normalize_rights(kRightRead), 1);
  EXPECT_EQ(normalize_rights(kRightUpdate), 3);
  EXPECT_EQ(normalize_rights(kRightAdminister), 7);
  EXPECT_EQ(normalize_rights(5), 7);
  EXPECT_TRUE(has_right(7, kRightRead));
  EXPECT_TRUE(has_right(kRightUpdate, kRightRead));  // update implies read
  EXPECT_FALSE(has_right(3, kRightAdminister));
  EXPECT_FALSE(has_right(0, kRightRead));
  EXPECT_EQ(*parse_rights("read"), 1);
  EXPECT_EQ(*parse_rights("update"), 3);
  EXPECT_EQ(*parse_rights("read,administer"), 7);
  EXPECT_EQ(*parse_rights("none"), 0);
  EXPECT_FALSE(parse_rights("write").ok());
  EXPECT_FALSE(parse_rights("read,").ok());
  EXPECT_FALSE(parse_rights("").ok());
  EXPECT_EQ(rights_text(7), "read,update,administer");
  EXPECT_EQ(rights_text(0), "none");
  EXPECT_TRUE(check_domain_id("plant-3").ok());
  EXPECT_FALSE(check_domain_id("p").ok());
  EXPECT_FALSE(check_domain_id("-plant").ok());
  EXPECT_FALSE(check_domain_id("Plant").ok());
  EXPECT_FALSE(check_domain_id(std::string(65, 'a')).ok());
}

TEST(DomainRecord, CanonicalRoundTripAndStrictDecode) {
  Address a = Address::of(testing::test_key(1).public_key());
  Address b = Address::of(testing::test_key(2).public_key());
  AccessDomain d{.id = "plant-3",
                 .private_ = true,
                 .members = {{a, 7}, {b, 1}},
                 .devices = 2,
                 .models = 1,
                 .created_at = 5,
                 .updated_at = 9};
  Bytes enc = cbor::encode(d.to_cbor());
  auto back = AccessDomain::from_cbor(*cbor::decode(enc));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, d);
  EXPECT_EQ(cbor::encode(back->to_cbor()), enc);  // one encoding
  // Deterministic: the same record built in another order encodes the same.
  AccessDomain e = d;
  e.members.clear();
  e.members[b] = 1;
  e.members[a] = 7;
  EXPECT_EQ(cbor::encode(e.to_cbor()), enc);

  auto refuse = [](AccessDomain x) { return AccessDomain::from_cbor(x.to_cbor()).ok(); };
  AccessDomain bad = d;
  bad.members[b] = 2;  // update without read: not normalised
  EXPECT_FALSE(refuse(bad));
  bad = d;
  bad.members[a] = 3;  // nobody administers
  EXPECT_FALSE(refuse(bad));
  bad = d;
  bad.id = "X";
  EXPECT_FALSE(refuse(bad));
  // Unknown field refused.
  cbor::MapEntries extra = d.to_cbor().map_entries();
  extra.emplace_back(cbor::Value::text("zz"), cbor::Value::uint(1));
  EXPECT_FALSE(AccessDomain::from_cbor(cbor::Value::map(extra)).ok());

  DomainPlace p{"plant-3", 4};
  EXPECT_EQ(*DomainPlace::from_cbor(p.to_cbor()), p);
}

TEST(DomainOps, TxEncodingRoundTrips) {
  Address m = Address::of(testing::test_key(2).public_key());
  for (Operation o :
       {Operation(op::DomainCreate{"plant-3", true}), Operation(op::DomainGrant{"plant-3", m, 3}),
        Operation(op::DomainAssign{"plant-3", "device:lock-7"}),
        Operation(op::DomainSet{"plant-3", false})}) {
    cbor::Value v = operation_to_cbor(o);
    auto back = operation_from_cbor(v);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(cbor::encode(operation_to_cbor(*back)), cbor::encode(v));
    EXPECT_EQ(op_type_name(*back), op_type_name(o));
  }
  EXPECT_EQ(op_type_name(Operation(op::DomainGrant{})), "domain.grant");
  cbor::MapEntries e = operation_to_cbor(op::DomainGrant{"plant-3", m, 3}).map_entries();
  for (auto& [k, v] : e)
    if (*k.as_text() == "rights") v = cbor::Value::uint(8);
  EXPECT_FALSE(operation_from_cbor(cbor::Value::map(e)).ok());
}

TEST_F(DomainsTest, CreateMakesTheSenderAdministrator) {
  ok(1, op::DomainCreate{"plant-3", true});
  AccessDomain d = domain("plant-3");
  EXPECT_TRUE(d.private_);
  EXPECT_EQ(d.members, (std::map<Address, uint8_t>{{c_.addr(1), 7}}));
  EXPECT_EQ(d.created_at, c_.height());
  EXPECT_EQ(*rights_of(c_.state(), "plant-3", c_.addr(1)), 7);
  EXPECT_EQ(*rights_of(c_.state(), "plant-3", c_.addr(3)), 0);
  EXPECT_EQ(rights_of(c_.state(), "nope", c_.addr(1)).error().code, ErrorCode::kDomainNotFound);
  refused(2, op::DomainCreate{"plant-3", false}, ErrorCode::kDomainExists);
  refused(2, op::DomainCreate{"Plant 3", false}, ErrorCode::kInvalidArgument);
}

TEST_F(DomainsTest, GrantNeedsAdministerAndKeepsAnAdministrator) {
  ok(1, op::DomainCreate{"plant-3", true});
  std::string why = refused(2, op::DomainGrant{"plant-3", c_.addr(2), 7}, ErrorCode::kMissingRight);
  EXPECT_NE(why.find("administer"), std::string::npos) << why;
  refused(2, op::DomainGrant{"nope", c_.addr(2), 1}, ErrorCode::kDomainNotFound);
  ok(1, op::DomainGrant{"plant-3", c_.addr(2), kRightUpdate});
  EXPECT_EQ(domain("plant-3").rights_of(c_.addr(2)), 3);  // normalised
  // Update is not administer.
  refused(2, op::DomainGrant{"plant-3", c_.addr(3), 1}, ErrorCode::kMissingRight);
  // The last administrator cannot remove itself nor drop administer.
  why = refused(1, op::DomainGrant{"plant-3", c_.addr(1), 0}, ErrorCode::kLastAdministrator);
  EXPECT_NE(why.find("last administrator"), std::string::npos);
  refused(1, op::DomainGrant{"plant-3", c_.addr(1), kRightUpdate}, ErrorCode::kLastAdministrator);
  // Removing someone who is not a member.
  refused(1, op::DomainGrant{"plant-3", c_.addr(3), 0}, ErrorCode::kNotFound);
  // With a second administrator, the first may leave.
  ok(1, op::DomainGrant{"plant-3", c_.addr(2), kRightAdminister});
  ok(1, op::DomainGrant{"plant-3", c_.addr(1), 0});
  EXPECT_EQ(domain("plant-3").members, (std::map<Address, uint8_t>{{c_.addr(2), 7}}));
  refused(1, op::DomainSet{"plant-3", false}, ErrorCode::kMissingRight);
}

TEST_F(DomainsTest, SetNeedsAdminister) {
  ok(1, op::DomainCreate{"plant-3", false});
  ok(1, op::DomainGrant{"plant-3", c_.addr(2), kRightUpdate});
  refused(2, op::DomainSet{"plant-3", true}, ErrorCode::kMissingRight);
  refused(1, op::DomainSet{"nope", true}, ErrorCode::kDomainNotFound);
  ok(1, op::DomainSet{"plant-3", true});
  EXPECT_TRUE(domain("plant-3").private_);
  ok(1, op::DomainSet{"plant-3", false});
  EXPECT_FALSE(domain("plant-3").private_);
}

TEST_F(DomainsTest, AssignNeedsOwnershipAndUpdate) {
  ok(1, op::DomainCreate{"plant-3", true});
  ok(1, op::DomainGrant{"plant-3", c_.addr(2), kRightUpdate});
  ok(1, op::DomainGrant{"plant-3", c_.addr(4), kRightRead});
  // Not the owner of the name (2 holds update but not lock-7).
  refused(2, op::DomainAssign{"plant-3", "device:lock-7"}, ErrorCode::kNotOwner);
  // The owner without update (4 owns cam-1 but only reads).
  refused(4, op::DomainAssign{"plant-3", "device:cam-1"}, ErrorCode::kMissingRight);
  refused(1, op::DomainAssign{"plant-3", "device:ghost"}, ErrorCode::kNameNotFound);
  refused(1, op::DomainAssign{"nope", "device:lock-7"}, ErrorCode::kDomainNotFound);
  refused(1, op::DomainAssign{"plant-3", "org:acme"}, ErrorCode::kInvalidArgument);
  refused(1, op::DomainAssign{"plant-3", "device:Lock"}, ErrorCode::kBadName);
  ok(1, op::DomainAssign{"plant-3", "device:lock-7"});
  EXPECT_EQ(where("device:lock-7"), "plant-3");
  EXPECT_EQ(domain("plant-3").devices, 1u);
  EXPECT_EQ(subjects("plant-3"), std::vector<std::string>{"device:lock-7"});
  refused(1, op::DomainAssign{"plant-3", "device:lock-7"}, ErrorCode::kConflict);
  EXPECT_EQ(where("device:cam-1"), std::nullopt);
}

TEST_F(DomainsTest, AssignModelNeedsOrgAdmin) {
  model_cast();
  ok(1, op::DomainCreate{"fleet", false});
  ok(1, op::DomainGrant{"fleet", c_.addr(2), kRightUpdate});
  refused(2, op::DomainAssign{"fleet", "model:4660/1"}, ErrorCode::kNotOrgAdmin);
  refused(1, op::DomainAssign{"fleet", "model:4660/2"}, ErrorCode::kModelNotFound);
  refused(1, op::DomainAssign{"fleet", "model:04660/1"}, ErrorCode::kInvalidArgument);
  ok(1, op::DomainAssign{"fleet", "model:4660/1"});
  EXPECT_EQ(where("model:4660/1"), "fleet");
  EXPECT_EQ(domain("fleet").models, 1u);
  EXPECT_EQ(domain("fleet").devices, 0u);
}

TEST_F(DomainsTest, TheOwnerMovesASubjectAndTheListStaysDense) {
  ok(1, op::DomainCreate{"plant-3", true});
  ok(1, op::DomainGrant{"plant-3", c_.addr(4), kRightUpdate});
  c_.register_name(1, "lock-8", 3);
  ok(1, op::DomainAssign{"plant-3", "device:lock-7"});
  ok(4, op::DomainAssign{"plant-3", "device:cam-1"});
  ok(1, op::DomainAssign{"plant-3", "device:lock-8"});
  EXPECT_EQ(subjects("plant-3"),
            (std::vector<std::string>{"device:lock-7", "device:cam-1", "device:lock-8"}));
  // cam-1's owner creates its own domain and moves cam-1 there (no update in
  // the old domain is needed: the owner decides).
  ok(1, op::DomainGrant{"plant-3", c_.addr(4), kRightRead});
  ok(4, op::DomainCreate{"home", false});
  ok(4, op::DomainAssign{"home", "device:cam-1"});
  EXPECT_EQ(where("device:cam-1"), "home");
  EXPECT_EQ(subjects("plant-3"), (std::vector<std::string>{"device:lock-7", "device:lock-8"}));
  EXPECT_EQ(*read_domain_place(c_.state(), "device:lock-8"), (DomainPlace{"plant-3", 1}));
  EXPECT_EQ(domain("plant-3").devices, 2u);
  EXPECT_EQ(domain("home").devices, 1u);
  // Moving the last entry out erases it and shrinks the count.
  ok(1, op::DomainCreate{"annex", true});
  ok(1, op::DomainAssign{"annex", "device:lock-8"});
  EXPECT_EQ(subjects("plant-3"), std::vector<std::string>{"device:lock-7"});
  EXPECT_FALSE(c_.state().get(schema::domain_member_key("plant-3", 1))->has_value());
  ok(1, op::DomainAssign{"annex", "device:lock-7"});
  EXPECT_TRUE(subjects("plant-3").empty());
  EXPECT_FALSE(c_.state().get(schema::domain_member_count_key("plant-3"))->has_value());
}

TEST_F(DomainsTest, CheckReadHonoursPrivacyAndRights) {
  ok(1, op::DomainCreate{"plant-3", true});
  ok(1, op::DomainAssign{"plant-3", "device:lock-7"});
  const std::string s = "device:lock-7";
  EXPECT_TRUE(check_read(c_.state(), s, c_.addr(1)).ok());
  Status anon = check_read(c_.state(), s, std::nullopt);
  ASSERT_FALSE(anon.ok());
  EXPECT_EQ(anon.error().code, ErrorCode::kAccessDenied);
  EXPECT_NE(anon.error().message.find("plant-3"), std::string::npos);
  EXPECT_NE(anon.error().message.find("anonymous"), std::string::npos);
  Status stranger = check_read(c_.state(), s, c_.addr(3));
  ASSERT_FALSE(stranger.ok());
  EXPECT_NE(stranger.error().message.find("read right"), std::string::npos);
  EXPECT_NE(stranger.error().message.find("trustmesh domain grant plant-3 " + c_.addr(3).to_string()),
            std::string::npos);
  ok(1, op::DomainGrant{"plant-3", c_.addr(3), kRightRead});
  EXPECT_TRUE(check_read(c_.state(), s, c_.addr(3)).ok());
  // Subjects in no domain, and in a public domain, are readable by anyone.
  EXPECT_TRUE(check_read(c_.state(), "device:cam-1", std::nullopt).ok());
  ok(1, op::DomainSet{"plant-3", false});
  EXPECT_TRUE(check_read(c_.state(), s, std::nullopt).ok());
}

}  // namespace
}  // namespace trustmesh::ledger
