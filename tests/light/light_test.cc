// Light client tests on a real chain (LedgerDb on RocksDB, real signed txs,
// headers and commits signed by 1 or 4 validators): the honest answer
// verifies, and every lie of a "lying node" (tampered status or record,
// stale header, forged or short commit, foreign chain or validator set, proof
// of another name or height, false absence, disagreeing plain fields) is
// caught with a clear error. Also the trust anchor's genesis parsing.
#include <gtest/gtest.h>

#include <iostream>

#include "core/cbor.h"
#include "core/hash.h"
#include "ledger/schema.h"
#include "light/header.h"
#include "light/light_util.h"
#include "light/name_status.h"
#include "light/status_json.h"
#include "light/trust_anchor.h"

namespace trustmesh::light {
namespace {

using nlohmann::json;
using testing::ChainOptions;
using testing::LightChain;

// Fails unless `r` is an error with `code` whose message contains `substr`.
// Prints the message, so the test log shows what a device would be told.
template <typename T>
::testing::AssertionResult Fails(const Result<T>& r, ErrorCode code, std::string_view substr) {
  if (r.ok())
    return ::testing::AssertionFailure() << "expected an error containing '" << substr << "', got ok";
  std::cout << "    caught: " << r.error().to_string() << "\n";
  if (r.error().code != code) {
    return ::testing::AssertionFailure()
           << "expected code " << error_code_name(code) << ", got " << r.error().to_string();
  }
  if (r.error().message.find(substr) == std::string::npos) {
    return ::testing::AssertionFailure() << "message '" << r.error().message << "' lacks '" << substr << "'";
  }
  return ::testing::AssertionSuccess();
}

Bytes unhex(const json& j) {
  return from_hex(j.get<std::string>()).value();
}

TrustAnchor anchor_of(const LightChain& c) {
  Result<TrustAnchor> a = TrustAnchor::from_genesis_json(c.genesis_json());
  TM_ASSERT(a.ok());
  return std::move(a).value();
}

Freshness fresh_at(const LightChain& c) {
  return Freshness{c.time() + 5};
}

NameStatusClaim claim_of(const std::string& name, const json& answer) {
  NameStatusClaim c;
  c.name = name;
  if (!answer["proof"]["value"].is_null()) c.record_cbor = unhex(answer["proof"]["value"]);
  c.proof = unhex(answer["proof"]["proof"]);
  return c;
}

Result<VerifiedNameStatus> verify_two_step(const TrustAnchor& a, const std::string& name, const json& answer,
                                           const Freshness& f) {
  TM_ASSIGN_OR_RETURN(VerifiedHeader h,
                      verify_header(a, unhex(answer["header_cbor"]), unhex(answer["commit_cbor"])));
  return verify_name_status(h, claim_of(name, answer), f);
}

// Re-signs `header` with the given keys (all of them precommit) and returns
// its commit encoding: what a node holding those keys could produce.
Bytes sign_commit(const consensus::BlockHeader& header, const std::vector<KeyPair>& keys) {
  std::vector<consensus::Vote> votes;
  for (const KeyPair& k : keys) {
    votes.push_back(consensus::make_vote(k, header.chain_id, consensus::VoteType::kPrecommit, header.height,
                                         0, header.hash())
                        .value());
  }
  return consensus::make_commit(header.height, 0, header.hash(), std::move(votes)).encode();
}

// ---- honest answers ----

void check_honest_chain(int validators) {
  LightChain c(ChainOptions{.validators = validators});
  ASSERT_TRUE(c.register_name("dev-1"));
  ASSERT_TRUE(c.register_name("dev-2", 1000, 2));
  c.empty_blocks(2);
  TrustAnchor a = anchor_of(c);
  EXPECT_EQ(a.chain_id, c.chain_id());
  EXPECT_EQ(a.validators.hash(), c.validator_set().hash());
  EXPECT_EQ(a.validators.size(), static_cast<size_t>(validators));

  json answer = c.status_answer("dev-1");
  Result<VerifiedNameStatus> v = verify_status_json(a, "dev-1", answer, fresh_at(c));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->name, "dev-1");
  EXPECT_EQ(v->status, "active");
  EXPECT_EQ(v->height, c.height());
  EXPECT_EQ(v->header_time, c.time());
  EXPECT_EQ(v->age_s, 5u);
  ASSERT_TRUE(v->record.has_value());
  EXPECT_EQ(v->record->owner, c.owner());
  EXPECT_EQ(v->record->value.cert_hash, sha256(as_bytes("cert of dev-1")));
  EXPECT_EQ(v->record->registered_at, 2u);
  EXPECT_EQ(v->record->expires_at, 1002u);

  // The same through the two-step API and through the body text.
  Result<VerifiedNameStatus> v2 = verify_two_step(a, "dev-1", answer, fresh_at(c));
  ASSERT_TRUE(v2.ok()) << v2.error().to_string();
  EXPECT_EQ(v2->record, v->record);
  Result<VerifiedNameStatus> v3 = verify_status_body(a, "dev-1", answer.dump(), fresh_at(c));
  ASSERT_TRUE(v3.ok()) << v3.error().to_string();
  EXPECT_EQ(v3->status, "active");

  // A name never registered: non-membership proof.
  json none = c.status_answer("dev-404");
  EXPECT_EQ(none["status"], "unregistered");
  Result<VerifiedNameStatus> n = verify_status_json(a, "dev-404", none, fresh_at(c));
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(n->status, "unregistered");
  EXPECT_FALSE(n->record.has_value());
}

TEST(LightHonest, FourValidators) {
  check_honest_chain(4);
}

TEST(LightHonest, OneValidator) {
  check_honest_chain(1);
}

TEST(LightHonest, RevokedAndExpiredStatuses) {
  LightChain c(ChainOptions{.validators = 1});
  ASSERT_TRUE(c.register_name("dev-r"));
  ASSERT_TRUE(c.revoke("dev-r"));
  ASSERT_TRUE(c.register_name("dev-e", /*validity=*/10, 2));  // registered at height 5, expires at 15
  TrustAnchor a = anchor_of(c);

  Result<VerifiedNameStatus> r = verify_status_json(a, "dev-r", c.status_answer("dev-r"), fresh_at(c));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, "revoked");
  EXPECT_EQ(r->record->status, ledger::NameStatus::kRevoked);

  c.empty_blocks(14 - c.height());  // height 14: last height the name is held
  Result<VerifiedNameStatus> e = verify_status_json(a, "dev-e", c.status_answer("dev-e"), fresh_at(c));
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(e->height, 14u);
  EXPECT_EQ(e->status, "active");
  c.empty_blocks(1);  // height 15 == expires_at
  e = verify_status_json(a, "dev-e", c.status_answer("dev-e"), fresh_at(c));
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(e->status, "expired");
}

// ---- a lying node ----

class LyingNode : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(c_.register_name("dev-1"));
    ASSERT_TRUE(c_.register_name("dev-2", 1000, 2));
    ASSERT_TRUE(c_.revoke("dev-2"));
    c_.empty_blocks(1);
    a_ = std::make_unique<TrustAnchor>(anchor_of(c_));
    f_ = fresh_at(c_);
    ASSERT_TRUE(verify_status_json(*a_, "dev-1", c_.status_answer("dev-1"), f_).ok());
    ASSERT_TRUE(verify_status_json(*a_, "dev-2", c_.status_answer("dev-2"), f_).ok());
  }
  LightChain c_{ChainOptions{.validators = 4}};
  std::unique_ptr<TrustAnchor> a_;
  Freshness f_;
};

// (1) A revoked name reported active.
TEST_F(LyingNode, RevokedNameClaimedActive) {
  json honest = c_.status_answer("dev-2");
  ASSERT_EQ(honest["status"], "revoked");

  json lie = honest;  // only the plain field
  lie["status"] = "active";
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-2", lie, f_), ErrorCode::kInvalidArgument,
                    "plain field 'status' is 'active' but the verified record says 'revoked'"));

  // The record bytes rewritten to say active as well.
  ledger::NameRecord rec =
      ledger::NameRecord::from_cbor(cbor::decode(unhex(honest["proof"]["value"])).value()).value();
  rec.status = ledger::NameStatus::kActive;
  lie["proof"]["value"] = to_hex(cbor::encode(rec.to_cbor()));
  EXPECT_TRUE(
      Fails(verify_status_json(*a_, "dev-2", lie, f_), ErrorCode::kInvalidArgument,
            "the record and proof do not match the header's state root (proof is for a different value)"));
  EXPECT_TRUE(Fails(verify_two_step(*a_, "dev-2", lie, f_), ErrorCode::kInvalidArgument, "different value"));

  // ... and the proof's terminal leaf rewritten to the new value's hash: the root no longer matches.
  store::Proof p = store::decode_proof(unhex(honest["proof"]["proof"])).value();
  p.terminal->value_hash = store::value_digest(unhex(lie["proof"]["value"]));
  lie["proof"]["proof"] = to_hex(store::encode_proof(p));
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-2", lie, f_), ErrorCode::kInvalidArgument,
                    "proof does not match root"));
}

// (2) A stale header: an old height's answer, replayed once the bound has passed.
TEST_F(LyingNode, StaleHeader) {
  json old = c_.status_answer("dev-1");
  uint64_t old_time = c_.time();
  c_.block({}, old_time + 95);  // the chain moves on; the node keeps serving `old`
  Freshness now{old_time + 95};
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", old, now), ErrorCode::kInvalidArgument,
                    "header is 95 s old, more than the 60 s freshness bound"));
  // Exactly at the bound it is still fresh; a stricter device refuses it.
  now.now = old_time + 60;
  ASSERT_TRUE(verify_status_json(*a_, "dev-1", old, now).ok());
  now.max_age_s = 30;
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", old, now), ErrorCode::kInvalidArgument,
                    "header is 60 s old, more than the 30 s freshness bound"));
  // A header from the future (or a device clock far behind).
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", old, Freshness{old_time - 45}),
                    ErrorCode::kInvalidArgument,
                    "header is 45 s in the future, more than the 30 s allowed clock skew"));
  ASSERT_TRUE(verify_status_json(*a_, "dev-1", old, Freshness{old_time - 30}).ok());
  // A device that forgot to set its clock.
  EXPECT_TRUE(
      Fails(verify_status_json(*a_, "dev-1", old, Freshness{}), ErrorCode::kInvalidArgument, "now is 0"));
}

// (3) A forged commit signature.
TEST_F(LyingNode, ForgedCommitSignature) {
  json lie = c_.status_answer("dev-1");
  consensus::Commit commit = consensus::Commit::decode(unhex(lie["commit_cbor"])).value();
  ASSERT_EQ(commit.sigs.size(), 4u);
  commit.sigs[1].sig[10] ^= 0x01;
  lie["commit_cbor"] = to_hex(commit.encode());
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kBadSignature,
                    "commit: signature of " + commit.sigs[1].validator.to_string() + " does not verify"));

  // The header edited (its state root swapped) under an honest commit.
  json lie2 = c_.status_answer("dev-1");
  consensus::BlockHeader h = consensus::BlockHeader::decode(unhex(lie2["header_cbor"])).value();
  h.state_root[0] ^= 0x80;
  lie2["header_cbor"] = to_hex(h.encode());
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie2, f_), ErrorCode::kInvalidArgument,
                    "commit is for another block"));

  // Undecodable bytes.
  lie2["header_cbor"] = "a0";
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie2, f_), ErrorCode::kMalformed, "header: "));
}

// (4) A commit carrying only 2 of the 4 validators' signatures.
TEST_F(LyingNode, CommitWithoutQuorum) {
  json lie = c_.status_answer("dev-1");
  lie["commit_cbor"] = to_hex(c_.commit_by(c_.height(), {0, 1}));
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kInvalidArgument,
                    "signers hold 2 of 4 voting power, not more than 2/3"));
  // 3 of 4 is a quorum.
  lie["commit_cbor"] = to_hex(c_.commit_by(c_.height(), {0, 2, 3}));
  Result<VerifiedNameStatus> ok = verify_status_json(*a_, "dev-1", lie, f_);
  EXPECT_TRUE(ok.ok()) << ok.error().to_string();
  // A commit of another height.
  lie["commit_cbor"] = to_hex(c_.at(c_.height() - 1).commit_cbor);
  EXPECT_TRUE(
      Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kInvalidArgument, "commit is for height"));
}

// (5) A header of another chain id or signed by another validator set.
TEST_F(LyingNode, ForeignChainOrValidatorSet) {
  LightChain other_chain(ChainOptions{.chain_id = "other-chain", .validators = 4});
  ASSERT_TRUE(other_chain.register_name("dev-1"));
  EXPECT_TRUE(
      Fails(verify_status_json(*a_, "dev-1", other_chain.status_answer("dev-1"), fresh_at(other_chain)),
            ErrorCode::kInvalidArgument, "is for chain 'other-chain', the trust anchor is 'light-test'"));

  LightChain other_set(ChainOptions{.validators = 4, .key_tag = "evil"});
  ASSERT_TRUE(other_set.register_name("dev-1"));
  json lie = other_set.status_answer("dev-1");
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, fresh_at(other_set)), ErrorCode::kInvalidArgument,
                    "names validator set"));

  // The evil header claiming our validator set's hash, signed by the evil keys.
  consensus::BlockHeader h = other_set.latest().header;
  h.validators_hash = a_->validators.hash();
  std::vector<KeyPair> evil;
  for (int i = 0; i < 4; ++i) evil.push_back(testing::seeded_key("evil", i));
  lie["header_cbor"] = to_hex(h.encode());
  lie["commit_cbor"] = to_hex(sign_commit(h, evil));
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, fresh_at(other_set)), ErrorCode::kInvalidArgument,
                    "commit signed by non-validator"));
}

// (6) A proof for another name, and a proof from another height's root.
TEST_F(LyingNode, ProofOfAnotherNameOrHeight) {
  json dev2 = c_.status_answer("dev-2");
  // The whole answer of dev-2 served for dev-1.
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", dev2, f_), ErrorCode::kInvalidArgument,
                    "status answer is for name 'dev-2', asked for 'dev-1'"));
  json lie = dev2;
  lie["name"] = "dev-1";
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kInvalidArgument,
                    "proof.key is not the state key of name 'dev-1'"));
  lie["proof"]["key"] = to_hex(ledger::schema::name_key("dev-1"));
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kInvalidArgument,
                    "proof is for a different key"));
  EXPECT_TRUE(Fails(verify_two_step(*a_, "dev-1", dev2, f_), ErrorCode::kInvalidArgument,
                    "proof is for a different key"));

  // dev-1's record and proof of an older height, under the newest header.
  json old = c_.status_answer("dev-1");
  ASSERT_TRUE(c_.register_name("dev-3", 1000, 3));  // state changes, dev-1's record does not
  json fresh = c_.status_answer("dev-1");
  ASSERT_EQ(old["proof"]["value"], fresh["proof"]["value"]);
  lie = fresh;
  lie["proof"] = old["proof"];
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, fresh_at(c_)), ErrorCode::kInvalidArgument,
                    "proof does not match root"));
}

// (7) Absence claimed for a registered name.
TEST_F(LyingNode, NonMembershipClaimedForRegisteredName) {
  json lie = c_.status_answer("dev-1");
  lie["status"] = "unregistered";
  lie["proof"]["value"] = nullptr;
  for (const char* k : {"owner", "cert_hash", "expires_at"}) lie.erase(k);
  EXPECT_TRUE(
      Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kInvalidArgument,
            "does not show the name unregistered under the header's state root (proof shows the key is "
            "present)"));

  // A real non-membership proof from before the name existed, under today's header.
  LightChain c2(ChainOptions{.validators = 1});
  c2.empty_blocks(1);
  json before = c2.status_answer("dev-9");
  ASSERT_EQ(before["status"], "unregistered");
  ASSERT_TRUE(c2.register_name("dev-9"));
  json now = c2.status_answer("dev-9");
  now["status"] = "unregistered";
  now["proof"] = before["proof"];
  for (const char* k : {"owner", "cert_hash", "expires_at"}) now.erase(k);
  TrustAnchor a2 = anchor_of(c2);
  EXPECT_TRUE(Fails(verify_status_json(a2, "dev-9", now, fresh_at(c2)), ErrorCode::kInvalidArgument,
                    "proof does not match root"));
}

// (8) Plain fields that disagree with the verified record.
TEST_F(LyingNode, PlainFieldsDisagree) {
  const json honest = c_.status_answer("dev-1");
  struct Case {
    const char* field;
    json value;
    const char* expect;
  };
  std::vector<Case> cases = {
      {"cert_hash", to_hex(sha256(as_bytes("attacker cert"))), "plain field 'cert_hash'"},
      {"owner", Address::of(testing::seeded_key("attacker", 0).public_key()).to_string(),
       "plain field 'owner'"},
      {"expires_at", 999999, "plain field 'expires_at' is 999999 but the verified record says 1002"},
      {"height", c_.height() + 1, "plain field 'height'"},
      {"status", "expired", "plain field 'status'"},
      {"config_hash", to_hex(sha256(as_bytes("other config"))), "plain field 'config_hash'"},
      {"registered_at", 1, "plain field 'registered_at'"},
      {"cert_der", "3082", "plain field 'cert_der'"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.field);
    json lie = honest;
    lie[k.field] = k.value;
    EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kInvalidArgument, k.expect));
  }
  // The right config hash, optional fields that agree: accepted.
  json ok = honest;
  ok["config_hash"] = to_hex(sha256(as_bytes("config of dev-1")));
  ok["registered_at"] = 2;
  ok["some_future_field"] = "ignored";
  Result<VerifiedNameStatus> v = verify_status_json(*a_, "dev-1", ok, f_);
  EXPECT_TRUE(v.ok()) << v.error().to_string();

  // Required fields missing or mistyped.
  for (const char* k : {"cert_hash", "owner", "expires_at", "status", "height", "header_cbor", "proof"}) {
    SCOPED_TRACE(k);
    json lie = honest;
    lie.erase(k);
    EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kMalformed, "required"));
  }
  json lie = honest;
  lie["expires_at"] = "1002";
  EXPECT_TRUE(
      Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kMalformed, "non-negative integer"));
  lie = honest;
  lie["commit_cbor"] = "zz";
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", lie, f_), ErrorCode::kMalformed, "commit_cbor"));
  EXPECT_TRUE(
      Fails(verify_status_body(*a_, "dev-1", "{not json", f_), ErrorCode::kMalformed, "not valid JSON"));
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-1", json::array(), f_), ErrorCode::kMalformed, "object"));

  // An unregistered name with record fields made up.
  json none = c_.status_answer("dev-404");
  none["owner"] = c_.owner().to_string();
  EXPECT_TRUE(Fails(verify_status_json(*a_, "dev-404", none, f_), ErrorCode::kInvalidArgument,
                    "plain field 'owner' is set but the proof shows the name unregistered"));
}

TEST_F(LyingNode, BadNameAndBadProofBytes) {
  Result<VerifiedHeader> h = verify_header(*a_, c_.latest().header_cbor, c_.latest().commit_cbor);
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  EXPECT_EQ(h->hash, c_.latest().header.hash());
  NameStatusClaim claim = claim_of("dev-1", c_.status_answer("dev-1"));
  claim.name = "Dev-1";
  EXPECT_TRUE(Fails(verify_name_status(*h, claim, f_), ErrorCode::kBadName, "lowercase only"));
  claim.name = "dev-1";
  claim.proof.push_back(0);
  Result<VerifiedNameStatus> r = verify_name_status(*h, claim, f_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed) << r.error().to_string();
  // A record that matches no proof at all: bytes that are not a record.
  claim = claim_of("dev-1", c_.status_answer("dev-1"));
  claim.record_cbor = Bytes{0xa0};
  EXPECT_TRUE(Fails(verify_name_status(*h, claim, f_), ErrorCode::kInvalidArgument, "different value"));
}

// ---- trust anchor ----

TEST(TrustAnchor, FromGenesisJson) {
  LightChain c(ChainOptions{.validators = 4});
  json g = json::parse(c.genesis_json());
  Result<TrustAnchor> a = TrustAnchor::from_genesis_json(g.dump());
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  EXPECT_EQ(a->validators.hash(), c.validator_set().hash());
  // Order of the list, a missing power (default 1) and extra fields do not matter.
  std::reverse(g["validators"].begin(), g["validators"].end());
  for (auto& v : g["validators"]) v.erase("power");
  g["validators"][0]["extra"] = true;
  g["future_field"] = {1, 2};
  a = TrustAnchor::from_genesis_json(g.dump());
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  EXPECT_EQ(a->validators.hash(), c.validator_set().hash());
}

TEST(TrustAnchor, BadGenesisJson) {
  LightChain c(ChainOptions{.validators = 2});
  const json good = json::parse(c.genesis_json());
  std::string key0 = good["validators"][0]["pub_key"];
  auto with = [&](auto edit) {
    json g = good;
    edit(g);
    return TrustAnchor::from_genesis_json(g.dump());
  };
  EXPECT_TRUE(Fails(TrustAnchor::from_genesis_json("{"), ErrorCode::kMalformed, "not valid JSON"));
  EXPECT_TRUE(Fails(TrustAnchor::from_genesis_json(""), ErrorCode::kMalformed, "not valid JSON"));
  EXPECT_TRUE(Fails(TrustAnchor::from_genesis_json("[1]"), ErrorCode::kInvalidArgument, "top level"));
  EXPECT_TRUE(Fails(with([](json& g) { g.erase("chain_id"); }), ErrorCode::kInvalidArgument, "chain_id"));
  EXPECT_TRUE(Fails(with([](json& g) { g["chain_id"] = 7; }), ErrorCode::kInvalidArgument, "chain_id"));
  EXPECT_TRUE(Fails(with([](json& g) { g["chain_id"] = ""; }), ErrorCode::kInvalidArgument, "1..64"));
  EXPECT_TRUE(Fails(with([](json& g) { g["chain_id"] = "a b"; }), ErrorCode::kInvalidArgument, "1..64"));
  EXPECT_TRUE(Fails(with([](json& g) { g["chain_id"] = std::string(65, 'x'); }), ErrorCode::kInvalidArgument,
                    "1..64"));
  EXPECT_TRUE(Fails(with([](json& g) { g.erase("validators"); }), ErrorCode::kInvalidArgument,
                    "validators is required"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"] = json::array(); }), ErrorCode::kInvalidArgument,
                    "non-empty"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"] = json::object(); }), ErrorCode::kInvalidArgument,
                    "non-empty array"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][1] = "x"; }), ErrorCode::kInvalidArgument,
                    "validators[1] must be an object"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][0].erase("pub_key"); }), ErrorCode::kInvalidArgument,
                    "validators[0].pub_key (hex string) is required"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][0]["pub_key"] = "xyz"; }), ErrorCode::kInvalidArgument,
                    "validators[0].pub_key"));
  // Hex, but not a key: wrong length, then a point not on the curve.
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][0]["pub_key"] = "0102"; }), ErrorCode::kBadKey,
                    "validators[0].pub_key"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][0]["pub_key"] = "0105" + std::string(64, '0'); }),
                    ErrorCode::kBadKey, "validators[0].pub_key"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][0]["power"] = 0; }), ErrorCode::kInvalidArgument,
                    "validators[0].power must be >= 1"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][0]["power"] = -1; }), ErrorCode::kInvalidArgument,
                    "validators[0].power must be a positive integer"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][0]["power"] = "1"; }), ErrorCode::kInvalidArgument,
                    "power must be a positive integer"));
  EXPECT_TRUE(Fails(with([](json& g) { g["validators"][0]["power"] = 1.5; }), ErrorCode::kInvalidArgument,
                    "power must be a positive integer"));
  EXPECT_TRUE(Fails(with([&](json& g) { g["validators"][1]["pub_key"] = key0; }), ErrorCode::kInvalidArgument,
                    "duplicate validator"));
  EXPECT_TRUE(Fails(with([](json& g) {
                      g["validators"][0]["power"] = uint64_t{1} << 62;
                      g["validators"][1]["power"] = 1;
                    }),
                    ErrorCode::kTooLarge, "2^62"));
}

}  // namespace
}  // namespace trustmesh::light
