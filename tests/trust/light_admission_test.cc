// Admission by a light client: the node's answer with proofs (as
// POST /v1/admission?prove=true builds it) is checked against a trust anchor
// and decided again locally; tampered, withheld, stale or foreign answers are
// refused, never believed.
#include "trust/light_admission.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "consensus/vote.h"
#include "core/hash.h"
#include "core/x509_issue.h"
#include "ledger/ledger_util.h"
#include "store/proof.h"
#include "store/state_db.h"
#include "trust/json.h"
#include "trust/proven_state.h"

namespace trustmesh::trust {
namespace {

namespace op = ledger::op;
using nlohmann::json;

constexpr uint64_t kTime = 1767225600;

x509::Issued make(const std::string& cn, bool is_ca, const x509::Issued* parent) {
  x509::CertSpec spec{.cn = cn, .ca = is_ca, .not_before = 1577836800};
  auto r = parent ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(parent->der, parent->key.get()))
                  : x509::issue(spec, std::nullopt);
  TM_ASSERT(r.ok());
  return std::move(r).value();
}

class LightAdmission : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger::testing::TestChain c(4);
    auto ok = [&](int who, ledger::Operation o) {
      ASSERT_EQ(c.run(who, std::move(o)).outcome, ledger::TxOutcome::kOk);
    };
    auto reg = [&](int who, const std::string& id, const std::string& kind, const x509::Issued& root) {
      Bytes pop = ledger::org_root_message(c.chain_id(), id, c.addr(who));
      return op::OrgRegister{.id = id,
                             .kind = kind,
                             .name = id,
                             .roots = {root.der},
                             .root_sigs = {x509::sign_with(root.key.get(), pop).value()}};
    };
    ok(1, reg(1, "acme", "manufacturer", root_));
    ok(0, op::GovPropose{.vendor_ids = {{7, "acme"}}});
    ok(1, op::ModelRegister{.org = "acme", .vid = 7, .pid = 1, .name = "Bulb"});
    ok(1, op::CertAdd{.org = "acme", .level = "model", .der = model_.der, .vid = 7, .pid = 1});
    ok(2, reg(2, "csa", "standards_body", make("CSA", true, nullptr)));
    ok(0, op::GovPropose{.grants = {{"csa", "standards_body", false}}});
    ok(2, op::ClaimIssue{.issuer = "csa", .type = "membership", .subject = "org:acme"});

    dir_ = std::filesystem::temp_directory_path() / ("tm-light-admission-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    db_ = store::StateDb::open(dir_.string()).value();
    store::ChangeSet all;
    for (const auto& [k, v] : c.state().entries()) all[k] = v;
    Hash32 root = db_->commit_genesis(all).value();

    KeyPair vk = KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("validator"))).value();
    anchor_ = light::TrustAnchor{"light-test", consensus::ValidatorSet::make({{vk.public_key(), 1}}).value()};
    consensus::BlockHeader h;
    h.chain_id = anchor_.chain_id;
    h.height = c.height();
    h.time = kTime;
    h.prev_hash = sha256(as_bytes("prev"));
    h.tx_root = consensus::tx_merkle_root({});
    h.state_root = root;
    h.validators_hash = anchor_.validators.hash();
    h.next_validators_hash = h.validators_hash;
    h.proposer = anchor_.validators.validators()[0].address();
    std::vector<consensus::Vote> votes{
        consensus::make_vote(vk, h.chain_id, consensus::VoteType::kPrecommit, h.height, 0, h.hash()).value()};
    header_ = h.encode();
    commit_ = consensus::make_commit(h.height, 0, h.hash(), std::move(votes)).encode();
    policy_ = parse_policy(R"({"name": "p", "rules": [{"rule": "member_of", "org": "csa"}]})").value();
    req_ = AdmissionRequest{.device_der = device_.der};
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // What the node answers: its decision and a proof of every key it read.
  json answer() {
    auto view = db_->view();
    const store::ReadView& base = *view;
    RecordingReader rec(base);
    Decision d = evaluate_admission(rec, {view->height(), kTime}, policy_, req_).value();
    json j = decision_json(d);
    json entries = json::array();
    for (const Bytes& k : rec.keys()) {
      auto v = view->get(k).value();
      entries.push_back(json{{"key", to_hex(k)},
                             {"value", v ? json(to_hex(*v)) : json(nullptr)},
                             {"proof", to_hex(store::encode_proof(view->prove(k).value()))}});
    }
    j["proof"] =
        json{{"header_cbor", to_hex(header_)}, {"commit_cbor", to_hex(commit_)}, {"entries", entries}};
    return j;
  }
  Result<trust::LightAdmission> decide(const json& a, uint64_t now = kTime + 5) {
    return decide_from_proofs(anchor_, a, policy_, req_, light::Freshness{.now = now, .max_age_s = 60});
  }

  x509::Issued root_ = make("Acme Root", true, nullptr);
  x509::Issued model_ = make("Acme Bulb", true, &root_);
  x509::Issued device_ = make("bulb-1", false, &model_);
  std::filesystem::path dir_;
  std::unique_ptr<store::StateDb> db_;
  light::TrustAnchor anchor_;
  Bytes header_, commit_;
  Policy policy_;
  AdmissionRequest req_;
};

TEST_F(LightAdmission, DecidesFromProofsAlone) {
  json a = answer();
  auto la = decide(a);
  ASSERT_TRUE(la.ok()) << la.error().message;
  EXPECT_TRUE(la->decision.admit) << explain(la->decision);
  EXPECT_TRUE(la->node_agreed);
  EXPECT_EQ(la->proven_entries, a["proof"]["entries"].size());
  EXPECT_EQ(la->age_s, 5u);
}

TEST_F(LightAdmission, ANodeThatLiesAboutItsDecisionIsOutvotedByTheProofs) {
  json a = answer();
  a["decision"] = "deny";
  auto la = decide(a);
  ASSERT_TRUE(la.ok());
  EXPECT_TRUE(la->decision.admit);
  EXPECT_FALSE(la->node_agreed);
}

TEST_F(LightAdmission, TamperedWithheldStaleAndForeignAnswersAreRefused) {
  json a = answer();
  // A value changed: its proof no longer matches the signed state root.
  json tampered = a;
  for (auto& e : tampered["proof"]["entries"]) {
    if (!e["value"].is_null()) {
      std::string v = e["value"];
      v[v.size() - 1] = v.back() == '0' ? '1' : '0';
      e["value"] = v;
      break;
    }
  }
  EXPECT_EQ(decide(tampered).error().code, ErrorCode::kInvalidArgument);
  // A claim hidden by claiming its key absent: the absence proof does not verify.
  json hidden = a;
  for (auto& e : hidden["proof"]["entries"]) {
    if (!e["value"].is_null()) {
      e["value"] = nullptr;
      break;
    }
  }
  EXPECT_FALSE(decide(hidden).ok());
  // An entry left out: the evaluation needs it and says the node withheld it.
  json withheld = a;
  withheld["proof"]["entries"].erase(withheld["proof"]["entries"].size() - 1);
  auto w = decide(withheld);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("withheld"), std::string::npos) << w.error().message;
  // Too old a header, a header signed by someone else, no proof at all.
  EXPECT_FALSE(decide(a, kTime + 3600).ok());
  light::TrustAnchor other{
      "light-test", consensus::ValidatorSet::make(
                        {{KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("x"))).value().public_key(), 1}})
                        .value()};
  EXPECT_FALSE(
      decide_from_proofs(other, a, policy_, req_, light::Freshness{.now = kTime, .max_age_s = 60}).ok());
  json bare = a;
  bare.erase("proof");
  EXPECT_EQ(decide(bare).error().code, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace trustmesh::trust
