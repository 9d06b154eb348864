// The HTTP API end to end: a real node producing blocks behind a real
// ApiServer, driven over real HTTP. Covers every endpoint of
// docs/API.md (HTTP API), the proofs a light client checks, server-sent events,
// the protocol limits, and every refusal (each one also checked to leave the
// state root and the mempool unchanged).
#include <gtest/gtest.h>
#include <httplib.h>

#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "api_util.h"
#include "consensus/vote.h"
#include "core/hash.h"
#include "core/request_auth.h"
#include "ledger/domains.h"
#include "ledger/executor.h"
#include "ledger/schema.h"
#include "light/bundle_verify.h"
#include "light/status_json.h"
#include "light/trust_anchor.h"
#include "store/proof.h"
#include "store/proof_bundle.h"

namespace trustmesh::api {
namespace {

using namespace testing;
using nlohmann::json;

bool is_hex64(const json& j) {
  if (!j.is_string()) return false;
  const std::string& s = j.get_ref<const std::string&>();
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string body_of(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

light::Freshness fresh_now() {
  light::Freshness f;
  f.now = static_cast<uint64_t>(std::time(nullptr));
  f.max_age_s = 600;
  return f;
}

// Runs `refuse` (which must be refused) and checks nothing changed: the state
// root after two more blocks is the root before, and the mempool is as empty.
template <typename Fn>
void expect_state_unchanged(TestNode& t, Fn&& refuse) {
  t.wait_blocks(1);
  auto before = t.get("/v1/status").json();
  refuse();
  t.wait_blocks(2);
  auto after = t.get("/v1/status").json();
  EXPECT_EQ(after["state_root"], before["state_root"]) << "a refused request changed the state";
  EXPECT_EQ(after["mempool"]["txs"], 0) << after.dump();
}

// --- status, genesis, accounts ---

TEST(ApiTest, StatusGenesisAndAccounts) {
  TestNode t;
  t.wait_blocks(2);
  auto a = t.get("/v1/status");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.content_type, "application/json");
  auto s = a.json();
  EXPECT_EQ(s["chain_id"], "trustmesh-test");
  EXPECT_GE(s["height"].get<uint64_t>(), 2u);
  EXPECT_GE(s["time"].get<uint64_t>(), t.genesis().genesis_time);
  EXPECT_TRUE(is_hex64(s["block_hash"])) << a.body;
  EXPECT_TRUE(is_hex64(s["state_root"])) << a.body;
  EXPECT_EQ(s["validator"], Address::of(validator_key(0).public_key()).to_string());
  EXPECT_EQ(s["mempool"]["txs"], 0);
  EXPECT_EQ(s["mempool"]["bytes"], 0);
  EXPECT_EQ(s["version"], "0.1.0");
  // block_hash is the hash of the header at that height.
  auto b = t.get("/v1/blocks/" + std::to_string(s["height"].get<uint64_t>())).json();
  EXPECT_EQ(b["hash"], s["block_hash"]);

  auto g = t.get("/v1/genesis");
  ASSERT_EQ(g.status, 200);
  std::ifstream in(t.dir() + "/genesis.json");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(g.body, ss.str());
  EXPECT_TRUE(light::TrustAnchor::from_genesis_json(g.body).ok());

  auto vs = t.get("/v1/validators").json();
  ASSERT_EQ(vs["validators"].size(), 1u) << vs.dump();
  EXPECT_EQ(vs["validators"][0]["power"], 1);
  EXPECT_EQ(vs["total_power"], 1);
  EXPECT_TRUE(vs["pending"].empty());
  EXPECT_GE(vs["height"].get<uint64_t>(), 1u);
  auto net = t.get("/v1/net").json();
  EXPECT_TRUE(net["node_id"].is_null()) << "a lone node has no p2p identity";
  EXPECT_TRUE(net["peers"].empty());

  auto acct = t.get("/v1/accounts/" + account(1).to_string()).json();
  EXPECT_EQ(acct, (json{{"address", account(1).to_string()}, {"balance", 1'000'000'000}, {"seq", 0}}));
  Address never_used = Address::of(KeyPair::generate().value().public_key());
  acct = t.get("/v1/accounts/" + never_used.to_string()).json();
  EXPECT_EQ(acct, (json{{"address", never_used.to_string()}, {"balance", 0}, {"seq", 0}}));
}

// --- transactions ---

TEST(ApiTest, SubmitCborAndJsonGoPendingThenCommitted) {
  // Slow blocks, so the txs are observably pending first.
  Options o;
  o.block_interval_ms = 1500;
  TestNode t(o);
  ASSERT_TRUE(t.node().wait_for_height(1, 10000));
  t.wait_blocks(1);  // just after a block: the next is ~1.5 s away

  Bytes tx1 = t.tx(0, ledger::op::Send{account(1), 500});
  Bytes tx2 = t.tx(0, ledger::op::Send{account(2), 700});
  std::string h1 = to_hex(sha256(tx1)), h2 = to_hex(sha256(tx2));

  auto a = t.post("/v1/txs", body_of(tx1), "application/cbor");
  ASSERT_EQ(a.status, 202) << a.body;
  EXPECT_EQ(a.json(), (json{{"hash", h1}, {"status", "pending"}}));
  a = t.post("/v1/txs", json{{"tx", to_hex(tx2)}}.dump(), "application/json; charset=utf-8");
  ASSERT_EQ(a.status, 202) << a.body;
  EXPECT_EQ(a.json(), (json{{"hash", h2}, {"status", "pending"}}));

  // Pending: GET says so, and resubmitting is idempotent (200, still pending).
  auto g = t.get("/v1/txs/" + h1);
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(g.json(), (json{{"hash", h1}, {"status", "pending"}}));
  a = t.post("/v1/txs", body_of(tx1), "application/cbor");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json(), (json{{"hash", h1}, {"status", "pending"}}));
  auto st = t.get("/v1/status").json();
  EXPECT_EQ(st["mempool"]["txs"], 2);
  EXPECT_EQ(st["mempool"]["bytes"], tx1.size() + tx2.size());

  auto c1 = t.wait_committed(h1);
  auto c2 = t.wait_committed(h2);
  ASSERT_TRUE(c1.is_object() && c2.is_object());
  EXPECT_EQ(c1["hash"], h1);
  EXPECT_EQ(c1["status"], "committed");
  EXPECT_EQ(c1["outcome"], "ok");
  EXPECT_EQ(c1["code"], 0);
  EXPECT_EQ(c1["error"], "ok");
  EXPECT_EQ(c1["message"], "");
  EXPECT_EQ(c1["burned"], 10);
  EXPECT_EQ(c1["height"], c2["height"]);
  EXPECT_EQ(c1["index"], 0);
  EXPECT_EQ(c2["index"], 1);
  EXPECT_EQ(c1.size(), 9u) << c1.dump();

  auto acct = t.get("/v1/accounts/" + account(0).to_string()).json();
  EXPECT_EQ(acct["seq"], 2);
  EXPECT_EQ(acct["balance"], 1'000'000'000 - 1200 - 20);
  EXPECT_EQ(t.get("/v1/accounts/" + account(2).to_string()).json()["balance"], 1'000'000'700);

  // The block lists both results.
  auto b = t.get("/v1/blocks/" + std::to_string(c1["height"].get<uint64_t>())).json();
  ASSERT_EQ(b["txs"].size(), 2u) << b.dump();
  EXPECT_EQ(
      b["txs"][0],
      (json{{"hash", h1}, {"outcome", "ok"}, {"code", 0}, {"error", "ok"}, {"message", ""}, {"burned", 10}}));
}

TEST(ApiTest, ReplayOfCommittedTxAnswersItsStatusAndChangesNothing) {
  TestNode t;
  Bytes tx = t.tx(0, ledger::op::Send{account(1), 5});
  auto c = t.submit_and_wait(tx);
  ASSERT_EQ(c["status"], "committed");
  expect_state_unchanged(t, [&] {
    for (std::string ct : {"application/cbor", "application/json"}) {
      std::string body = ct == "application/cbor" ? body_of(tx) : json{{"tx", to_hex(tx)}}.dump();
      auto a = t.post("/v1/txs", body, ct);
      EXPECT_EQ(a.status, 200) << a.body;
      EXPECT_EQ(a.json(), c) << a.body;
    }
  });
  EXPECT_EQ(t.api_seq(0), 1u);
  EXPECT_EQ(t.get("/v1/accounts/" + account(1).to_string()).json()["balance"], 1'000'000'005);
}

TEST(ApiTest, FailedOperationIsCommittedWithItsError) {
  TestNode t;
  // Revoking a name nobody registered: admitted (fee paid), operation fails.
  auto c = t.submit_and_wait(t.tx(0, ledger::op::NameRevoke{"nobody"}));
  EXPECT_EQ(c["outcome"], "failed");
  EXPECT_EQ(c["code"], static_cast<int>(ErrorCode::kNameNotFound));
  EXPECT_EQ(c["error"], "name_not_found");
  EXPECT_FALSE(c["message"].get<std::string>().empty());
  EXPECT_EQ(c["burned"], 10);
}

// --- names ---

TEST(ApiTest, NameRegisterThenRecordStatusAndProofs) {
  TestNode t;
  Bytes cert = to_bytes(as_bytes("DER of dev-1"));
  auto reg = t.register_name(0, "dev-1", 100, cert);
  ASSERT_EQ(reg["status"], "committed");
  const uint64_t reg_height = reg["height"].get<uint64_t>();

  auto a = t.get("/v1/names/dev-1");
  ASSERT_EQ(a.status, 200) << a.body;
  auto n = a.json();
  EXPECT_EQ(n["name"], "dev-1");
  EXPECT_EQ(n["owner"], account(0).to_string());
  EXPECT_EQ(n["status"], "active");
  EXPECT_EQ(n["cert_hash"], to_hex(sha256(cert)));
  EXPECT_EQ(n["cert_der"], to_hex(cert));
  EXPECT_EQ(n["config_hash"], to_hex(sha256(as_bytes("config of dev-1"))));
  EXPECT_EQ(n["registered_at"], reg_height);
  EXPECT_EQ(n["expires_at"], reg_height + 100);
  EXPECT_EQ(n["updated_at"], reg_height);
  EXPECT_GE(n["height"].get<uint64_t>(), reg_height);
  ASSERT_EQ(n["history"].size(), 1u);
  EXPECT_EQ(n["history"][0]["height"], reg_height);
  EXPECT_EQ(n["history"][0]["tx"], reg["hash"]);
  EXPECT_EQ(n["history"][0]["op"], "register");
  EXPECT_EQ(n["history"][0]["owner"], account(0).to_string());
  EXPECT_TRUE(is_hex64(n["history"][0]["value_hash"]));
  EXPECT_EQ(n["history"][0]["expires_at"], reg_height + 100);

  auto s = t.get("/v1/names/dev-1/status").json();
  EXPECT_EQ(s["name"], "dev-1");
  EXPECT_EQ(s["status"], "active");
  EXPECT_EQ(s["expires_at"], reg_height + 100);
  EXPECT_EQ(s["cert_hash"], to_hex(sha256(cert)));
  EXPECT_EQ(s["owner"], account(0).to_string());
  EXPECT_GE(s["height"].get<uint64_t>(), reg_height);
  EXPECT_FALSE(s.contains("proof"));

  // ?prove=true: the proof, the record and the signed header agree.
  a = t.get("/v1/names/dev-1/status?prove=true");
  ASSERT_EQ(a.status, 200) << a.body;
  auto p = a.json();
  EXPECT_EQ(p["status"], "active");
  Bytes key = ledger::schema::name_key("dev-1");
  EXPECT_EQ(p["proof"]["key"], to_hex(key));
  Bytes header_cbor = from_hex(p["header_cbor"].get<std::string>()).value();
  Bytes commit_cbor = from_hex(p["commit_cbor"].get<std::string>()).value();
  auto header = consensus::BlockHeader::decode(header_cbor).value();
  auto commit = consensus::Commit::decode(commit_cbor).value();
  EXPECT_EQ(header.height, p["height"].get<uint64_t>());
  Status cv = consensus::verify_commit(t.node().current_validators().value(), header, commit);
  EXPECT_TRUE(cv.ok()) << cv.error().to_string();
  Bytes value = from_hex(p["proof"]["value"].get<std::string>()).value();
  auto proof = store::decode_proof(from_hex(p["proof"]["proof"].get<std::string>()).value()).value();
  Status mv = store::verify_membership(header.state_root, key, value, proof);
  EXPECT_TRUE(mv.ok()) << mv.error().to_string();
  auto rec = ledger::NameRecord::from_cbor(cbor::decode(value).value()).value();
  EXPECT_EQ(rec.owner, account(0));
  // And the light client accepts the whole answer.
  auto anchor = light::TrustAnchor::from_genesis_json(t.get("/v1/genesis").body).value();
  auto v = light::verify_status_body(anchor, "dev-1", a.body, fresh_now());
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->status, "active");

  // Never registered: 404 without prove, a verifiable "unregistered" with it.
  expect_error(t.get("/v1/names/nobody-here/status"), 404, "name_not_found");
  expect_error(t.get("/v1/names/nobody-here"), 404, "name_not_found");
  a = t.get("/v1/names/nobody-here/status?prove=true");
  ASSERT_EQ(a.status, 200) << a.body;
  auto u = a.json();
  EXPECT_EQ(u["status"], "unregistered");
  EXPECT_TRUE(u["proof"]["value"].is_null());
  EXPECT_FALSE(u.contains("owner"));
  auto uh = consensus::BlockHeader::decode(from_hex(u["header_cbor"].get<std::string>()).value()).value();
  auto up = store::decode_proof(from_hex(u["proof"]["proof"].get<std::string>()).value()).value();
  Status nv = store::verify_non_membership(uh.state_root, ledger::schema::name_key("nobody-here"), up);
  EXPECT_TRUE(nv.ok()) << nv.error().to_string();
  auto lv = light::verify_status_body(anchor, "nobody-here", a.body, fresh_now());
  ASSERT_TRUE(lv.ok()) << lv.error().to_string();
  EXPECT_EQ(lv->status, "unregistered");

  // prove=false is the plain answer.
  EXPECT_FALSE(t.get("/v1/names/dev-1/status?prove=false").json().contains("proof"));
}

TEST(ApiTest, ProofBundleProvesManyKeysUnderOneHeader) {
  TestNode t;
  auto reg = t.register_name(0, "dev-1", 100, to_bytes(as_bytes("DER of dev-1")));
  ASSERT_EQ(reg["status"], "committed");
  auto a =
      t.post("/v1/proofs", R"({"names": ["dev-1", "nobody-here"], "orgs": ["no-org"], "models": ["1/2"]})",
             "application/json");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.content_type, "application/cbor");
  auto bundle = store::decode_bundle(as_bytes(a.body));
  ASSERT_TRUE(bundle.ok()) << bundle.error().to_string();
  EXPECT_EQ(store::encode_bundle(*bundle), to_bytes(as_bytes(a.body))) << "not canonical";
  ASSERT_EQ(bundle->headers.size(), 1u);
  ASSERT_EQ(bundle->entries.size(), 4u);
  EXPECT_EQ(bundle->entries[0].key, ledger::schema::name_key("dev-1"));
  EXPECT_TRUE(bundle->entries[0].value.has_value());
  EXPECT_FALSE(bundle->entries[1].value.has_value());
  EXPECT_EQ(bundle->entries[2].key, ledger::schema::org_key("no-org"));
  EXPECT_EQ(bundle->entries[3].key, ledger::schema::model_key(1, 2));

  auto anchor = light::TrustAnchor::from_genesis_json(t.get("/v1/genesis").body).value();
  auto v = light::verify_bundle(anchor, *bundle);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->headers.size(), 1u);
  EXPECT_EQ(v->headers.begin()->first, bundle->entries[0].height);

  // Linked keys (ledger/proof_keys.h): no claims about dev-1 and no domain,
  // each proven absent at the same height.
  a = t.post("/v1/proofs", R"({"claims_about": ["device:dev-1"], "domain_of": ["device:dev-1"]})",
             "application/json");
  ASSERT_EQ(a.status, 200) << a.body;
  auto linked = store::decode_bundle(as_bytes(a.body)).value();
  ASSERT_EQ(linked.entries.size(), 2u);
  EXPECT_EQ(linked.entries[0].key, ledger::schema::subject_claim_count_key("device:dev-1"));
  EXPECT_EQ(linked.entries[1].key, ledger::schema::domain_subject_key("device:dev-1"));
  EXPECT_FALSE(linked.entries[0].value.has_value());
  auto proven =
      light::verify_bundle(light::TrustAnchor::from_genesis_json(t.get("/v1/genesis").body).value(), linked);
  ASSERT_TRUE(proven.ok()) << proven.error().to_string();

  // A node that lies is caught: a changed value, a claimed absence, a value
  // moved to another key, a header of another height, another chain.
  auto refused = [&](auto&& mutate) {
    store::ProofBundle b = *bundle;
    mutate(b);
    return !light::verify_bundle(anchor, b).ok();
  };
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.entries[0].value->back() ^= 1; }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.entries[0].value.reset(); }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.entries[1].value = b.entries[0].value; }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.entries[0].key = ledger::schema::name_key("dev-2"); }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.entries[0].height += 1; }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.headers[0].commit.back() ^= 1; }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.chain_id = "other-chain"; }));

  // Bad requests change nothing and say why.
  expect_state_unchanged(t, [&] {
    expect_error(t.post("/v1/proofs", "{not json", "application/json"), 400, "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"names": "dev-1"})", "application/json"), 400, "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"names": [1]})", "application/json"), 400, "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"keys": []})", "application/json"), 400, "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"names": []})", "application/json"), 400, "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"models": ["1-2"]})", "application/json"), 400, "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"models": ["1/70000"]})", "application/json"), 400,
                 "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"names": ["Bad Name!"]})", "application/json"), 400, "bad_name");
    expect_error(t.post("/v1/proofs", R"({"claims_about": ["gadget:x"]})", "application/json"), 400,
                 "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"claims_about": ["dev-1"]})", "application/json"), 400,
                 "invalid_argument");
    expect_error(t.post("/v1/proofs", R"({"domain_of": ["org:acme"]})", "application/json"), 400,
                 "invalid_argument");
    json many = {{"names", json::array()}};
    for (int i = 0; i < 1001; ++i) many["names"].push_back("dev-" + std::to_string(i));
    expect_error(t.post("/v1/proofs", many.dump(), "application/json"), 413, "too_large");
    auto g = t.get("/v1/proofs");
    EXPECT_EQ(g.status, 405);
    EXPECT_EQ(g.allow, "POST");
  });
  // Garbage is never a bundle.
  EXPECT_FALSE(store::decode_bundle(as_bytes("not cbor")).ok());
  Bytes cut = to_bytes(as_bytes(a.body));
  cut.resize(cut.size() / 2);
  EXPECT_FALSE(store::decode_bundle(cut).ok());
}

TEST(ApiTest, NameStatusFollowsRevocationAndExpiry) {
  TestNode t;
  t.register_name(0, "org/cam-7", 100);
  // Names may contain '/': both the plain and the %2F form address it.
  EXPECT_EQ(t.get("/v1/names/org/cam-7/status").json()["status"], "active");
  EXPECT_EQ(t.get("/v1/names/org%2Fcam-7/status").json()["status"], "active");
  EXPECT_EQ(t.get("/v1/names/org%2fcam-7").json()["name"], "org/cam-7");
  auto r = t.submit_and_wait(t.tx(0, ledger::op::NameRevoke{"org/cam-7"}));
  ASSERT_EQ(r["outcome"], "ok") << r.dump();
  EXPECT_EQ(t.get("/v1/names/org/cam-7/status").json()["status"], "revoked");
  auto hist = t.get("/v1/names/org/cam-7").json()["history"];
  ASSERT_EQ(hist.size(), 2u);
  EXPECT_EQ(hist[1]["op"], "revoke");

  // Shortest validity: 5 blocks. Expired once the height reaches expires_at,
  // the rule the light client applies too.
  auto reg = t.register_name(1, "short-lived", 5);
  uint64_t expires_at = reg["height"].get<uint64_t>() + 5;
  auto anchor = light::TrustAnchor::from_genesis_json(t.get("/v1/genesis").body).value();
  bool saw_expired = false;
  for (int i = 0; i < 200 && !saw_expired; ++i) {
    auto a = t.get("/v1/names/short-lived/status?prove=true");
    auto j = a.json();
    uint64_t h = j["height"].get<uint64_t>();
    EXPECT_EQ(j["status"], h >= expires_at ? "expired" : "active") << a.body;
    auto v = light::verify_status_body(anchor, "short-lived", a.body, fresh_now());
    ASSERT_TRUE(v.ok()) << v.error().to_string();
    saw_expired = j["status"] == "expired";
    if (!saw_expired) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(saw_expired);
  EXPECT_EQ(t.get("/v1/names/short-lived").json()["status"], "expired");
}

TEST(ApiTest, ProofBeforeTheFirstBlockIs503) {
  Options o;
  o.start_node = false;  // genesis only: height 0, no signed header yet
  TestNode t(o);
  auto s = t.get("/v1/status").json();
  EXPECT_EQ(s["height"], 0);
  EXPECT_EQ(s["time"], t.genesis().genesis_time);
  EXPECT_EQ(s["block_hash"], std::string(64, '0'));
  expect_error(t.get("/v1/names/dev-1/status?prove=true"), 503, "not_found");
  expect_error(t.get("/v1/names/Bad/status?prove=true"), 400, "bad_name");
  expect_error(t.get("/v1/names/dev-1/status"), 404, "name_not_found");
  expect_error(t.get("/v1/blocks/latest"), 404, "not_found");
  expect_error(t.get("/v1/blocks/1"), 404, "not_found");
}

// --- blocks ---

TEST(ApiTest, BlocksLatestAndByHeight) {
  TestNode t;
  auto c = t.submit_and_wait(t.tx(0, ledger::op::Send{account(1), 1}));
  const uint64_t h = c["height"].get<uint64_t>();
  auto a = t.get("/v1/blocks/" + std::to_string(h));
  ASSERT_EQ(a.status, 200) << a.body;
  auto b = a.json();
  EXPECT_EQ(b["height"], h);
  EXPECT_TRUE(is_hex64(b["hash"]));
  auto hdr = b["header"];
  EXPECT_EQ(hdr["chain_id"], "trustmesh-test");
  EXPECT_EQ(hdr["height"], h);
  for (const char* k : {"prev_hash", "tx_root", "state_root", "validators_hash", "next_validators_hash"})
    EXPECT_TRUE(is_hex64(hdr[k])) << k;
  EXPECT_EQ(hdr["proposer"], Address::of(validator_key(0).public_key()).to_string());
  // The JSON header is the signed header.
  auto header = consensus::BlockHeader::decode(from_hex(b["header_cbor"].get<std::string>()).value()).value();
  auto commit = consensus::Commit::decode(from_hex(b["commit_cbor"].get<std::string>()).value()).value();
  EXPECT_EQ(to_hex(header.hash()), b["hash"]);
  EXPECT_EQ(to_hex(header.state_root), hdr["state_root"]);
  EXPECT_EQ(header.time, hdr["time"].get<uint64_t>());
  EXPECT_TRUE(consensus::verify_commit(t.node().current_validators().value(), header, commit).ok());
  EXPECT_EQ(b["commit"]["height"], h);
  EXPECT_EQ(b["commit"]["block"], b["hash"]);
  ASSERT_EQ(b["commit"]["signatures"].size(), 1u);
  EXPECT_EQ(b["commit"]["signatures"][0]["validator"], hdr["proposer"]);
  ASSERT_EQ(b["txs"].size(), 1u);
  EXPECT_EQ(b["txs"][0]["hash"], c["hash"]);
  // Hash chain: block h's prev_hash is block h-1's hash.
  if (h > 1) {
    EXPECT_EQ(hdr["prev_hash"], t.get("/v1/blocks/" + std::to_string(h - 1)).json()["hash"]);
  }

  auto latest = t.get("/v1/blocks/latest").json();
  EXPECT_GE(latest["height"].get<uint64_t>(), h);
  EXPECT_TRUE(latest["txs"].is_array());
  expect_error(t.get("/v1/blocks/0"), 404, "not_found");
  expect_error(t.get("/v1/blocks/99999999"), 404, "not_found");
}

// --- events ---

TEST(ApiTest, EventStreamDeliversBlocksAndCountsClients) {
  Options o;
  o.tuning.sse_keepalive_ms = 100;
  o.block_interval_ms = 300;
  TestNode t(o);
  std::string got;
  std::atomic<bool> counted{false};
  httplib::Client c("127.0.0.1", t.port());
  c.set_read_timeout(10);
  auto r = c.Get("/v1/events/blocks", [&](const char* data, size_t len) {
    got.append(data, len);
    if (t.node().metrics().sse_clients.load() == 1) counted = true;
    // Stop after one block event and one keepalive comment.
    return !(got.find("event: block\ndata: ") != std::string::npos &&
             got.find(": keepalive\n\n") != std::string::npos && got.rfind("\n\n") == got.size() - 2);
  });
  EXPECT_EQ(got.rfind(": ok\n\n", 0), 0u) << got;
  EXPECT_TRUE(counted);
  size_t at = got.find("event: block\ndata: ");
  ASSERT_NE(at, std::string::npos) << got;
  size_t start = at + std::strlen("event: block\ndata: ");
  auto ev = json::parse(got.substr(start, got.find('\n', start) - start));
  EXPECT_GE(ev["height"].get<uint64_t>(), 1u);
  EXPECT_TRUE(is_hex64(ev["hash"]));
  EXPECT_TRUE(is_hex64(ev["state_root"]));
  EXPECT_GE(ev["time"].get<uint64_t>(), t.genesis().genesis_time);
  EXPECT_EQ(ev["txs"], 0);
  // The event is the stored block.
  EXPECT_EQ(t.get("/v1/blocks/" + std::to_string(ev["height"].get<uint64_t>())).json()["hash"], ev["hash"]);
  // Disconnected: unsubscribed and no longer counted.
  for (int i = 0; i < 200 && t.node().metrics().sse_clients.load() != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(t.node().metrics().sse_clients.load(), 0u);
}

TEST(ApiTest, StopClosesEventStreamsAndIsIdempotent) {
  TestNode t;
  std::atomic<bool> opened{false};
  std::thread reader([&] {
    httplib::Client c("127.0.0.1", t.port());
    c.set_read_timeout(30);
    c.Get("/v1/events/blocks", [&](const char*, size_t) {
      opened = true;
      return true;  // until the server closes the stream
    });
  });
  for (int i = 0; i < 500 && !opened; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(opened);
  auto t0 = std::chrono::steady_clock::now();
  t.server().stop();
  t.server().stop();
  reader.join();  // returns because the stream was closed
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(t.node().metrics().sse_clients.load(), 0u);
  EXPECT_EQ(t.get("/v1/status").status, 0);  // nobody listens any more
}

// --- metrics, openapi ---

TEST(ApiTest, MetricsAndOpenApi) {
  TestNode t;
  t.wait_blocks(1);
  t.get("/v1/names/nobody/status");
  auto m = t.get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(m.body.find("\ntrustmesh_height "), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("route=\"name_status\""), std::string::npos) << m.body;

  auto a = t.get("/v1/openapi.json");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.content_type, "application/json");
  auto doc = a.json();
  ASSERT_TRUE(doc.is_object()) << "openapi.json does not parse";
  std::ifstream in(std::string(TM_SOURCE_DIR) + "/docs/openapi.json");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(a.body, ss.str()) << "the served document is not docs/openapi.json";
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.0", 0), 0u);
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"/v1/status", "get"},
      {"/v1/genesis", "get"},
      {"/v1/validators", "get"},
      {"/v1/net", "get"},
      {"/v1/txs", "post"},
      {"/v1/txs/{hash}", "get"},
      {"/v1/blocks/latest", "get"},
      {"/v1/blocks/{height}", "get"},
      {"/v1/names/{name}", "get"},
      {"/v1/names/{name}/status", "get"},
      {"/v1/accounts/{address}", "get"},
      {"/v1/events/blocks", "get"},
      {"/v1/openapi.json", "get"},
      {"/metrics", "get"},
      {"/v1/orgs/{id}", "get"},
      {"/v1/vendors/{vid}", "get"},
      {"/v1/models/{vid}/{pid}", "get"},
      {"/v1/releases/{sha256}", "get"},
      {"/v1/crls/{issuer}", "get"},
      {"/v1/crls/{issuer}/entries", "get"},
      {"/v1/ocsp", "post"},
      {"/v1/ocsp/{request}", "get"},
      {"/v1/models/{vid}/{pid}/versions/{n}", "get"},
      {"/v1/claims/{id}", "get"},
      {"/v1/claims", "get"},
      {"/v1/proofs", "post"},
      {"/v1/domains/{id}", "get"},
      {"/v1/admission", "post"},
      {"/v1/blobs/{sha256}", "get"},
      {"/v1/blobs/{sha256}", "put"}};
  std::set<std::string> paths;
  for (const auto& e : endpoints) paths.insert(e.first);
  EXPECT_EQ(doc["paths"].size(), paths.size());
  for (const auto& [path, method] : endpoints) {
    ASSERT_TRUE(doc["paths"].contains(path)) << path;
    ASSERT_TRUE(doc["paths"][path].contains(method)) << path << " " << method;
    EXPECT_TRUE(doc["paths"][path][method].contains("responses")) << path;
  }
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
}

// --- access domains and signed requests ---

// The authority the test client addresses (httplib sends Host: 127.0.0.1:<port>).
std::string authority_of(const TestNode& t) {
  return "127.0.0.1:" + std::to_string(t.port());
}

std::vector<std::pair<std::string, std::string>> signed_by(const KeyPair& key, const std::string& chain,
                                                           const std::string& authority,
                                                           const std::string& target, int64_t skew = 0,
                                                           const std::string& method = "GET") {
  uint64_t ts = static_cast<uint64_t>(static_cast<int64_t>(std::time(nullptr)) + skew);
  return {{"Authorization", *auth::sign_request(key, chain, authority, method, target, ts)}};
}

TEST(ApiTest, PrivateDomainDetailIsForMembersOnly) {
  TestNode t({.accounts = 4});
  const std::string chain = t.chain_id();
  const std::string here = authority_of(t);
  ASSERT_EQ(t.register_name(0, "dev-p", 1000)["outcome"], "ok");
  ASSERT_EQ(t.register_name(0, "dev-q", 1000)["outcome"], "ok");
  ASSERT_EQ(t.submit_and_wait(t.tx(0, ledger::op::DomainCreate{"plant", true}))["outcome"], "ok");
  ASSERT_EQ(t.submit_and_wait(t.tx(0, ledger::op::DomainAssign{"plant", "device:dev-p"}))["outcome"], "ok");

  // Anonymous and stranger: 403 saying which domain, which right, how to fix.
  auto a = t.get("/v1/names/dev-p");
  expect_error(a, 403, "access_denied");
  std::string why = a.json()["message"];
  EXPECT_NE(why.find("'plant'"), std::string::npos) << why;
  EXPECT_NE(why.find("read right"), std::string::npos) << why;
  EXPECT_NE(why.find("anonymous"), std::string::npos) << why;
  a = t.get("/v1/names/dev-p", signed_by(account_key(2), chain, here, "/v1/names/dev-p"));
  expect_error(a, 403, "access_denied");
  why = a.json()["message"];
  EXPECT_NE(why.find("trustmesh domain grant plant " + account(2).to_string()), std::string::npos) << why;
  EXPECT_EQ(a.body.find("config_hash"), std::string::npos);
  // What the chain proves stays public.
  a = t.get("/v1/names/dev-p/status");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json()["status"], "active");
  ASSERT_EQ(t.get("/v1/names/dev-p/status?prove=true").status, 200);
  // A name in no domain stays public.
  EXPECT_EQ(t.get("/v1/names/dev-q").status, 200);

  // The administrator (a member with read) gets everything.
  a = t.get("/v1/names/dev-p", signed_by(account_key(0), chain, here, "/v1/names/dev-p"));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(a.json().contains("config_hash"));
  // A member granted read gets it too; removing the grant takes it away.
  Address m = account(1);
  ASSERT_EQ(t.submit_and_wait(t.tx(0, ledger::op::DomainGrant{"plant", m, ledger::kRightRead}))["outcome"],
            "ok");
  EXPECT_EQ(t.get("/v1/names/dev-p", signed_by(account_key(1), chain, here, "/v1/names/dev-p")).status, 200);

  // GET /v1/domains/{id}: counts for anyone, members and subjects for readers.
  a = t.get("/v1/domains/plant");
  ASSERT_EQ(a.status, 200) << a.body;
  auto d = a.json();
  EXPECT_EQ(d["private"], true);
  EXPECT_EQ(d["member_count"], 2);
  EXPECT_EQ(d["subject_count"], 1);
  EXPECT_FALSE(d.contains("members"));
  EXPECT_FALSE(d.contains("subjects"));
  EXPECT_EQ(a.body.find("dev-p"), std::string::npos);
  d = t.get("/v1/domains/plant", signed_by(account_key(1), chain, here, "/v1/domains/plant")).json();
  EXPECT_EQ(d["caller_rights"], "read");
  ASSERT_EQ(d["subjects"], nlohmann::json::array({"device:dev-p"}));
  ASSERT_EQ(d["members"].size(), 2u);
  expect_error(t.get("/v1/domains/nowhere"), 404, "domain_not_found");
  expect_error(t.get("/v1/domains/No"), 400, "invalid_argument");

  // Signed wrongly: 401 with the reason, on any endpoint.
  expect_error(t.get("/v1/names/dev-p", signed_by(account_key(1), "other-chain", here, "/v1/names/dev-p")),
               401, "unauthenticated");
  expect_error(t.get("/v1/names/dev-p", signed_by(account_key(1), chain, here, "/v1/names/dev-p", -1000)),
               401, "unauthenticated");
  expect_error(t.get("/v1/names/dev-p", signed_by(account_key(1), chain, here, "/v1/names/dev-q")), 401,
               "unauthenticated");
  expect_error(t.get("/v1/status", {{"Authorization", "TM-Sig nonsense"}}), 401, "unauthenticated");
  // The signature covers the query as sent.
  EXPECT_EQ(t.get("/v1/names/dev-p/status?prove=true",
                  signed_by(account_key(1), chain, here, "/v1/names/dev-p/status?prove=true"))
                .status,
            200);
  expect_error(t.get("/v1/names/dev-p/status?prove=true",
                     signed_by(account_key(1), chain, here, "/v1/names/dev-p/status")),
               401, "unauthenticated");

  // Made public: everyone reads again.
  ASSERT_EQ(t.submit_and_wait(t.tx(0, ledger::op::DomainSet{"plant", false}))["outcome"], "ok");
  EXPECT_EQ(t.get("/v1/names/dev-p").status, 200);
  d = t.get("/v1/domains/plant").json();
  EXPECT_EQ(d["subjects"], nlohmann::json::array({"device:dev-p"}));
}

// A signature names the server it is for (its Host); the node takes only its
// own names, so a header signed for another server cannot be replayed here.
TEST(ApiTest, SignedRequestsAreBoundToTheNodesOwnAuthority) {
  TestNode t;
  const std::string chain = t.chain_id();
  const std::string port = std::to_string(t.port());
  ASSERT_EQ(t.submit_and_wait(t.tx(0, ledger::op::DomainCreate{"site", true}))["outcome"], "ok");
  auto with_host = [](std::vector<std::pair<std::string, std::string>> h, const std::string& host) {
    h.emplace_back("Host", host);
    return h;
  };

  // Signed for the Host it is sent with, under any of the loopback names: the caller is known.
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port}) {
    auto a = t.get("/v1/domains/site",
                   with_host(signed_by(account_key(0), chain, host, "/v1/domains/site"), host));
    ASSERT_EQ(a.status, 200) << host << ": " << a.body;
    EXPECT_TRUE(a.json().contains("caller_rights")) << a.body;
    EXPECT_TRUE(a.json().contains("members")) << a.body;
  }

  // Signed for another server (an edge server at a gateway) and replayed here
  // with its own Host: refused before the signature is looked at, saying
  // which name was signed for, which the node answers to, and the fix.
  const std::string edge = "edge.local:8080";
  auto a =
      t.get("/v1/domains/site", with_host(signed_by(account_key(0), chain, edge, "/v1/domains/site"), edge));
  expect_error(a, 401, "unauthenticated");
  std::string why = a.json()["message"];
  EXPECT_NE(why.find("'edge.local:8080'"), std::string::npos) << why;
  EXPECT_NE(why.find("127.0.0.1:" + port + ", localhost:" + port + " or [::1]:" + port), std::string::npos)
      << why;
  EXPECT_NE(why.find("--public-host edge.local:8080"), std::string::npos) << why;
  // ... or replayed with this node's Host: the signature does not cover it.
  a = t.get("/v1/domains/site", signed_by(account_key(0), chain, edge, "/v1/domains/site"));
  expect_error(a, 401, "unauthenticated");
  why = a.json()["message"];
  EXPECT_NE(why.find("does not verify"), std::string::npos) << why;
  EXPECT_NE(why.find("127.0.0.1:" + port), std::string::npos) << why;
  // Same host, another port: another server.
  expect_error(
      t.get("/v1/domains/site", signed_by(account_key(0), chain, "127.0.0.1:" + std::to_string(t.port() + 1),
                                          "/v1/domains/site")),
      401, "unauthenticated");

  // Unsigned requests do not care about Host.
  EXPECT_EQ(t.get("/v1/status", {{"Host", edge}}).status, 200);
  a = t.get("/v1/domains/site", {{"Host", edge}});
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_FALSE(a.json().contains("caller_rights"));
}

TEST(ApiTest, ConfiguredPublicHostsAreTheNamesSignedRequestsAreTakenFor) {
  Options o;
  o.api.public_hosts = {"Node.Example:443", "gw.local"};
  TestNode t(o);
  const std::string chain = t.chain_id();
  for (const std::string& host : std::vector<std::string>{"node.example:443", "gw.local", "gw.local:80"}) {
    auto a = t.get("/v1/status", {{"Host", host}, signed_by(account_key(0), chain, host, "/v1/status")[0]});
    EXPECT_EQ(a.status, 200) << host << ": " << a.body;
  }
  // The listen address is no longer implied.
  const std::string here = authority_of(t);
  auto a = t.get("/v1/status", signed_by(account_key(0), chain, here, "/v1/status"));
  expect_error(a, 401, "unauthenticated");
  std::string why = a.json()["message"];
  EXPECT_NE(why.find("only as node.example:443 or gw.local:80"), std::string::npos) << why;

  // A public host that is not host[:port] stops the server from starting.
  auto n = t.node().config();
  n.api.public_hosts = {"https://node.example"};
  auto s = ApiServer::start(t.node(), n.api);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find("public host"), std::string::npos) << s.error().message;
}

// --- refusals: every one answers {code, error, message} and changes nothing ---

TEST(ApiTest, RefusedTransactionsChangeNothing) {
  Options o;
  o.api.max_body_bytes = 256 * 1024;
  TestNode t(o);
  const uint64_t seq = t.api_seq(0);
  auto post_cbor = [&](const Bytes& b) { return t.post("/v1/txs", body_of(b), "application/cbor"); };
  auto signed_tx = [&](uint64_t s, uint64_t fee, const std::string& chain) {
    return ledger::make_tx(account_key(0), chain, s, fee, ledger::op::Send{account(1), 1}).value();
  };

  expect_state_unchanged(t, [&] {
    expect_error(t.post("/v1/txs", "{\"tx\": ", "application/json"), 400, "malformed");
    expect_error(t.post("/v1/txs", "[1, 2]", "application/json"), 400, "malformed");
    expect_error(t.post("/v1/txs", "{\"tx\": 5}", "application/json"), 400, "malformed");
    expect_error(t.post("/v1/txs", "{\"tx\": \"a1b\"}", "application/json"), 400, "malformed");
    expect_error(t.post("/v1/txs", "{\"tx\": \"zz\"}", "application/json"), 400, "malformed");
  });
  expect_state_unchanged(t, [&] {
    expect_error(post_cbor(Bytes{0xa1, 0x61}), 400, "malformed");  // truncated CBOR
    expect_error(post_cbor(Bytes{}), 400, "malformed");
    auto a = post_cbor(Bytes{0x18, 0x05});  // non-canonical integer
    EXPECT_EQ(a.status, 400) << a.body;
    a = post_cbor(Bytes{0x01});  // well-formed CBOR, not a tx
    EXPECT_EQ(a.status, 400) << a.body;
  });
  expect_state_unchanged(t, [&] {
    ledger::Tx bad = signed_tx(seq, 10, t.chain_id());
    bad.sig[7] ^= 0x01;
    expect_error(post_cbor(bad.encode()), 422, "bad_signature");
  });
  expect_state_unchanged(t, [&] {
    expect_error(post_cbor(signed_tx(seq + 5, 10, t.chain_id()).encode()), 422, "bad_sequence");
  });
  expect_state_unchanged(
      t, [&] { expect_error(post_cbor(signed_tx(seq, 1, t.chain_id()).encode()), 422, "fee_too_low"); });
  expect_state_unchanged(
      t, [&] { expect_error(post_cbor(signed_tx(seq, 10, "other-chain").encode()), 422, "wrong_chain"); });
  expect_state_unchanged(t, [&] {
    // An account with no funds cannot pay the fee.
    KeyPair poor = KeyPair::generate().value();
    auto tx = ledger::make_tx(poor, t.chain_id(), 0, 10, ledger::op::Send{account(1), 1}).value();
    auto a = post_cbor(tx.encode());
    EXPECT_EQ(a.status, 422) << a.body;
  });
  expect_state_unchanged(t, [&] {
    // Over max_tx_bytes (8192) but within the body limit.
    ledger::NameValue v;
    Bytes big(9000, 0x42);
    v.cert_hash = sha256(big);
    v.cert_der = big;
    auto tx = ledger::make_tx(account_key(0), t.chain_id(), seq, 10, ledger::op::NameUpdate{"some-name", v})
                  .value();
    expect_error(post_cbor(tx.encode()), 413, "tx_too_large");
  });
  expect_state_unchanged(t, [&] {
    std::string huge(300 * 1024, 'x');
    expect_error(t.post("/v1/txs", huge, "application/cbor"), 413, "too_large");
    expect_error(t.post("/v1/txs", json{{"tx", std::string(300 * 1024, 'a')}}.dump(), "application/json"),
                 413, "too_large");
  });
  expect_state_unchanged(t, [&] {
    Bytes good = signed_tx(seq, 10, t.chain_id()).encode();
    expect_error(t.post("/v1/txs", body_of(good), "text/plain"), 415, "unsupported");
    expect_error(t.post("/v1/txs", body_of(good), "application/octet-stream"), 415, "unsupported");
  });
  // Nothing was admitted: the account's sequence did not move.
  EXPECT_EQ(t.api_seq(0), seq);
  EXPECT_EQ(t.node().mempool().count(), 0u);
}

TEST(ApiTest, FullMempoolAnswers503AndAdmitsNothing) {
  Options o;
  o.mempool_max_txs = 2;
  o.block_interval_ms = 3000;
  TestNode t(o);
  ASSERT_TRUE(t.node().wait_for_height(1, 10000));
  t.wait_blocks(1);  // just after a block: the next is ~3 s away
  const uint64_t seq = t.api_seq(0);
  auto tx = [&](uint64_t s) {
    return body_of(ledger::make_tx(account_key(0), t.chain_id(), s, 10, ledger::op::Send{account(1), 1})
                       .value()
                       .encode());
  };
  EXPECT_EQ(t.post("/v1/txs", tx(seq), "application/cbor").status, 202);
  EXPECT_EQ(t.post("/v1/txs", tx(seq + 1), "application/cbor").status, 202);
  expect_error(t.post("/v1/txs", tx(seq + 2), "application/cbor"), 503, "mempool_full");
  EXPECT_EQ(t.node().mempool().count(), 2u);
  EXPECT_EQ(t.get("/v1/status").json()["mempool"]["txs"], 2);
}

TEST(ApiTest, BadPathsAndParametersAnswerWhatIsExpected) {
  TestNode t;
  t.wait_blocks(1);
  expect_state_unchanged(t, [&] {
    expect_error(t.get("/v1/names/Dev-1"), 400, "bad_name");
    expect_error(t.get("/v1/names/Dev-1/status"), 400, "bad_name");
    expect_error(t.get("/v1/names/-dev/status?prove=true"), 400, "bad_name");
    expect_error(t.get("/v1/names/" + std::string(256, 'a')), 400, "bad_name");
    expect_error(t.get("/v1/names/dev%2/status"), 400, "malformed");
    expect_error(t.get("/v1/names/dev-1/status?prove=maybe"), 400, "invalid_argument");
    expect_error(t.get("/v1/names/unknown-name"), 404, "name_not_found");
    expect_error(t.get("/v1/accounts/tm1notanaddress"), 400, "bad_address");
    std::string addr = account(0).to_string();
    addr.back() = addr.back() == 'q' ? 'p' : 'q';  // checksum broken
    expect_error(t.get("/v1/accounts/" + addr), 400, "bad_address");
    for (const char* h : {"abc", "-1", "1.5", "+3", "99999999999999999999999", "%20"})
      expect_error(t.get(std::string("/v1/blocks/") + h), 400, "invalid_argument");
    expect_error(t.get("/v1/txs/1234"), 400, "invalid_argument");
    expect_error(t.get("/v1/txs/" + std::string(64, 'g')), 400, "invalid_argument");
    expect_error(t.get("/v1/txs/" + std::string(64, 'a')), 404, "not_found");
    expect_error(t.get("/v1/nothing"), 404, "not_found");
    expect_error(t.get("/v2/status"), 404, "not_found");
    expect_error(t.get("/"), 404, "not_found");
    expect_error(t.get("/v1/blocks/1/extra"), 404, "not_found");
    auto a = t.del("/v1/status");
    expect_error(a, 405, "unsupported");
    EXPECT_EQ(a.allow, "GET, HEAD");
    a = t.get("/v1/txs");
    expect_error(a, 405, "unsupported");
    EXPECT_EQ(a.allow, "POST");
    expect_error(t.post("/v1/names/dev-1/status", "{}", "application/json"), 405, "unsupported");
    expect_error(t.post("/v1/events/blocks", "{}", "application/json"), 405, "unsupported");
  });
}

// --- HTTP protocol edges ---

TEST(ApiTest, ProtocolLimitsAndConnectionHandling) {
  Options o;
  o.api.max_header_bytes = 4096;
  o.api.request_timeout_ms = 400;
  TestNode t(o);
  t.wait_blocks(1);
  expect_state_unchanged(t, [&] {
    expect_error(t.get("/v1/status", {{"X-Big", std::string(8000, 'h')}}), 431, "too_large");
    // Garbage instead of HTTP: 400 and the connection is closed.
    std::string r = raw_exchange(t.port(), "NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(r.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << r;
    EXPECT_NE(r.find("\"error\":\"malformed\""), std::string::npos) << r;
    // A request that stops half-way: 408 after request_timeout_ms, then close.
    auto t0 = std::chrono::steady_clock::now();
    r = raw_exchange(t.port(), "POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", 3000);
    EXPECT_EQ(r.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << r;
    EXPECT_NE(r.find("Connection: close"), std::string::npos) << r;
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(350));
    r = raw_exchange(t.port(), "GET /v1/status HTTP/1.1\r\nHost: x\r\n", 3000);  // headers never end
    EXPECT_EQ(r.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << r;
  });
  // An idle keep-alive connection is closed silently after the timeout.
  std::string idle = raw_exchange(t.port(), "", 3000);
  EXPECT_EQ(idle, "");

  // Keep-alive: two pipelined requests on one connection, answered in order.
  std::string two =
      raw_exchange(t.port(),
                   "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
                   "GET /v1/names/nobody/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  size_t first = two.find("HTTP/1.1 200 OK\r\n");
  size_t second = two.find("HTTP/1.1 404 Not Found\r\n");
  EXPECT_EQ(first, 0u) << two;
  EXPECT_NE(second, std::string::npos) << two;
  EXPECT_NE(two.find("Connection: close", second), std::string::npos) << two;

  // Connection: close is honored (the server closes; raw_exchange returns before its wait).
  auto t0 = std::chrono::steady_clock::now();
  std::string closed =
      raw_exchange(t.port(), "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000);
  EXPECT_EQ(closed.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << closed;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));

  // HTTP/1.0 keep-alive (what `ab -k` sends) is answered with Connection: keep-alive.
  std::string ka = raw_exchange(t.port(), "GET /v1/status HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 200);
  EXPECT_NE(ka.find("Connection: keep-alive\r\n"), std::string::npos) << ka;
  // HTTP/1.0 without keep-alive is closed after the answer.
  std::string ten = raw_exchange(t.port(), "GET /v1/status HTTP/1.0\r\n\r\n", 5000);
  EXPECT_NE(ten.find("Connection: close\r\n"), std::string::npos) << ten;

  // HEAD: the headers of GET, no body.
  std::string head =
      raw_exchange(t.port(), "HEAD /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "");

  // Expect: 100-continue gets the interim answer before the body is sent.
  Bytes tx = t.tx(0, ledger::op::Send{account(1), 3});
  std::string req =
      "POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Type: application/cbor\r\nExpect: 100-continue\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(tx.size()) + "\r\n\r\n";
  std::string cont = raw_exchange(t.port(), req, 300);
  EXPECT_EQ(cont, "HTTP/1.1 100 Continue\r\n\r\n");
}

TEST(ApiTest, ConcurrentClientsWhileBlocksAreProduced) {
  TestNode t;
  t.register_name(0, "busy-device", 1000);
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client cli("127.0.0.1", t.port());
      cli.set_keep_alive(true);
      for (int i = 0; i < 150; ++i) {
        auto r = cli.Get(c % 2 ? "/v1/names/busy-device/status" : "/v1/names/busy-device/status?prove=true");
        if (r && r->status == 200) {
          ++ok;
        } else {
          ++bad;
        }
      }
    });
  }
  // Transactions keep blocks non-empty meanwhile.
  for (int i = 0; i < 5; ++i) t.submit_and_wait(t.tx(1, ledger::op::Send{account(2), 1}));
  for (auto& th : clients) th.join();
  EXPECT_EQ(ok.load(), 8 * 150);
  EXPECT_EQ(bad.load(), 0);
}

TEST(ApiTest, SharedIoContextModeServesToo) {
  Options o;
  o.tuning.reuse_port = false;
  o.api.threads = 3;
  TestNode t(o);
  t.register_name(0, "shared-mode", 100);
  EXPECT_EQ(t.get("/v1/names/shared-mode/status").json()["status"], "active");
  std::string got;
  httplib::Client c("127.0.0.1", t.port());
  c.Get("/v1/events/blocks", [&](const char* d, size_t n) {
    got.append(d, n);
    return got.find("event: block") == std::string::npos;
  });
  EXPECT_NE(got.find("event: block"), std::string::npos);
}

TEST(ApiTest, StartFailsCleanlyOnABadHost) {
  TestNode t;
  node::ApiConfig cfg;
  cfg.host = "not a host name";
  cfg.port = 0;
  auto s = ApiServer::start(t.node(), cfg);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  // The port of a running server cannot be bound again (without SO_REUSEPORT sharing).
  cfg.host = "127.0.0.1";
  cfg.port = t.port();
  auto again = ApiServer::start(t.node(), cfg, ApiServer::Tuning{false, 15000});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace trustmesh::api
