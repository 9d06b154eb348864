// The edge server's light replica and HTTP API against a real test chain
// (tests/light/light_util: RocksDB state, headers signed by 4 validators):
// only verified bundles are kept, per key the height only grows, the replica
// survives a restart, and what it serves is checked by the light client
// exactly as a node's answer would be.
#include "edge/replica.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <ctime>

#include "edge/answers.h"
#include "edge/http_server.h"
#include "ledger/schema.h"
#include "light/bundle_verify.h"
#include "light/light_util.h"
#include "light/status_cbor.h"
#include "light/status_json.h"

namespace trustmesh::edge {
namespace {

using light::testing::LightChain;
using light::testing::TempDir;
using nlohmann::json;

light::TrustAnchor anchor_of(const LightChain& c) {
  return light::TrustAnchor::from_genesis_json(c.genesis_json()).value();
}

light::Freshness any_age(uint64_t now) {
  light::Freshness f;
  f.now = now;
  f.max_age_s = uint64_t{1} << 40;
  return f;
}

Domain two_devices() {
  Domain d;
  d.names = {"dev-1", "dev-2"};
  return d;
}

std::string status_of(const Replica& r, const std::string& name) {
  auto held = r.lookup(ledger::schema::name_key(name)).value();
  if (!held) return "none";
  return status_answer(*held, name, 0).value().status;
}

TEST(ReplicaTest, KeepsVerifiedEntriesAndOnlyNewerOnes) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  ASSERT_TRUE(chain.register_name("dev-2", 1000, 2));
  TempDir dir;
  auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
  EXPECT_EQ(r->stats().tracked, 6u) << "each name, and the roots of its claims and its domain";
  EXPECT_EQ(r->stats().held, 0u);

  store::ProofBundle old = chain.bundle({"dev-1", "dev-2", "stranger"});
  auto in = r->ingest(old);
  ASSERT_TRUE(in.ok()) << in.error().to_string();
  EXPECT_EQ(in->updated, 2u);
  EXPECT_EQ(in->ignored, 1u) << "a name outside the domain is not kept";
  EXPECT_EQ(status_of(*r, "dev-1"), "active");
  EXPECT_FALSE(r->tracks(ledger::schema::name_key("stranger")));

  ASSERT_TRUE(chain.revoke("dev-1"));
  auto newer = r->ingest(chain.bundle({"dev-1"}));
  ASSERT_TRUE(newer.ok());
  EXPECT_EQ(newer->updated, 1u);
  EXPECT_EQ(status_of(*r, "dev-1"), "revoked");

  // The old (genuine) bundle again: nothing rolls back.
  auto again = r->ingest(old);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->updated, 0u);
  EXPECT_EQ(again->unchanged, 2u);
  EXPECT_EQ(status_of(*r, "dev-1"), "revoked");
  ReplicaStats st = r->stats();
  EXPECT_EQ(st.held, 2u);
  EXPECT_EQ(st.newest_height, chain.height());
  EXPECT_LT(st.oldest_height, st.newest_height);
  EXPECT_EQ(st.headers, 2u) << "dev-1 and dev-2 are proven under two headers";

  // since(): what a peer holding everything up to the old height lacks.
  auto news = r->since(st.oldest_height).value().bundle;
  ASSERT_EQ(news.entries.size(), 1u);
  EXPECT_EQ(news.entries[0].key, ledger::schema::name_key("dev-1"));
  ASSERT_EQ(news.headers.size(), 1u);
  EXPECT_TRUE(r->since(st.newest_height).value().bundle.entries.empty());

  // Once dev-2 is proven at the newest height too, the old header goes.
  ASSERT_TRUE(r->ingest(chain.bundle({"dev-2"})).ok());
  EXPECT_EQ(r->stats().headers, 1u);
}

// With a refresh bound, an unchanged record is not rewritten every round; a
// change (a revocation) is taken at once.
TEST(ReplicaTest, RefreshBoundKeepsUnchangedRecordsAndTakesChangesAtOnce) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  ASSERT_TRUE(chain.register_name("dev-2", 1000, 2));
  TempDir dir;
  auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
  r->set_refresh(60);
  ASSERT_TRUE(r->ingest(chain.bundle({"dev-1", "dev-2"})).ok());
  const uint64_t first = chain.height();
  chain.empty_blocks(2);  // 12 s later: within the bound
  auto in = r->ingest(chain.bundle({"dev-1", "dev-2"}));
  ASSERT_TRUE(in.ok()) << in.error().to_string();
  EXPECT_EQ(in->updated, 0u);
  EXPECT_EQ(in->unchanged, 2u);
  EXPECT_EQ(r->lookup(ledger::schema::name_key("dev-2")).value()->entry.height, first);

  ASSERT_TRUE(chain.revoke("dev-1"));
  in = r->ingest(chain.bundle({"dev-1", "dev-2"}));
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->updated, 1u) << "the revocation, at once";
  EXPECT_EQ(status_of(*r, "dev-1"), "revoked");
  EXPECT_EQ(r->lookup(ledger::schema::name_key("dev-2")).value()->entry.height, first);

  chain.empty_blocks(10);  // past the bound: refreshed
  in = r->ingest(chain.bundle({"dev-1", "dev-2"}));
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->updated, 2u);
  EXPECT_EQ(r->lookup(ledger::schema::name_key("dev-2")).value()->entry.height, chain.height());
}

TEST(ReplicaTest, RefusesAnythingUnverifiedAndChangesNothing) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  TempDir dir;
  auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
  ASSERT_TRUE(r->ingest(chain.bundle({"dev-1"})).ok());
  ASSERT_TRUE(chain.revoke("dev-1"));
  const store::ProofBundle good = chain.bundle({"dev-1", "dev-2"});

  auto refused = [&](auto&& mutate) {
    store::ProofBundle b = good;
    mutate(b);
    return !r->ingest(b).ok();
  };
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.entries[0].value->back() ^= 1; }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.entries[1].value = b.entries[0].value; }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.entries[0].proof.clear(); }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.headers[0].commit.back() ^= 1; }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.headers.clear(); }));
  EXPECT_TRUE(refused([](store::ProofBundle& b) { b.chain_id = "other"; }));
  // A bundle signed by another validator set (a forked or fake chain).
  light::testing::ChainOptions other;
  other.key_tag = "impostor";
  LightChain fake(other);
  ASSERT_TRUE(fake.register_name("dev-1"));
  ASSERT_TRUE(fake.revoke("dev-1"));
  EXPECT_FALSE(r->ingest(fake.bundle({"dev-1"})).ok());

  EXPECT_EQ(status_of(*r, "dev-1"), "active") << "a refused bundle changed the replica";
  EXPECT_EQ(r->stats().held, 1u);
}

TEST(ReplicaTest, SurvivesARestartAndRefusesAnotherChain) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  ASSERT_TRUE(chain.revoke("dev-1"));
  TempDir dir;
  {
    auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
    ASSERT_TRUE(r->ingest(chain.bundle({"dev-1", "dev-2"})).ok());
  }
  auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
  EXPECT_EQ(r->stats().held, 2u);
  EXPECT_EQ(status_of(*r, "dev-1"), "revoked");
  EXPECT_EQ(status_of(*r, "dev-2"), "unregistered");

  light::testing::ChainOptions other;
  other.chain_id = "another-chain";
  LightChain another(other);
  r.reset();
  auto refused = Replica::open(dir.path(), anchor_of(another), two_devices());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("another chain"), std::string::npos) << refused.error().message;

  Domain bad;
  bad.names = {"Not A Name"};
  EXPECT_FALSE(Replica::open(dir.path() + "/x", anchor_of(chain), bad).ok());
  bad.names.clear();
  bad.models = {"12-34"};
  EXPECT_FALSE(Replica::open(dir.path() + "/y", anchor_of(chain), bad).ok());
}

TEST(ReplicaTest, ADomainThatShrinksAndGrowsBackNeverServesEntriesWithoutHeaders) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  ASSERT_TRUE(chain.register_name("dev-2", 1000, 2));
  TempDir dir;
  {
    auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
    ASSERT_TRUE(r->ingest(chain.bundle({"dev-1", "dev-2"})).ok());
  }
  chain.empty_blocks(1);
  Domain one;
  one.names = {"dev-1"};
  {
    auto r = Replica::open(dir.path(), anchor_of(chain), one).value();
    ASSERT_TRUE(r->ingest(chain.bundle({"dev-1"})).ok());  // prunes the header dev-2's entry was under
    EXPECT_EQ(r->stats().headers, 1u);
  }
  chain.empty_blocks(1);
  auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
  EXPECT_EQ(r->stats().held, 1u) << "dev-2's orphaned entry is dropped, not served";
  EXPECT_FALSE(r->lookup(ledger::schema::name_key("dev-2")).value().has_value());
  auto in = r->ingest(chain.bundle({"dev-1"}));
  ASSERT_TRUE(in.ok()) << in.error().to_string();
  auto all = r->since(0);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(light::verify_bundle(anchor_of(chain), all->bundle).ok()) << "what it hands peers verifies";
  ASSERT_TRUE(r->ingest(chain.bundle({"dev-2"})).ok());
  EXPECT_EQ(status_of(*r, "dev-2"), "active");
}

TEST(ReplicaTest, AnswersVerifyAsANodesWouldWithTheirAge) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  TempDir dir;
  auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
  ASSERT_TRUE(r->ingest(chain.bundle({"dev-1", "dev-2"})).ok());
  const light::TrustAnchor anchor = anchor_of(chain);
  const uint64_t now = chain.time() + 3600;  // an hour cut off

  auto held = r->lookup(ledger::schema::name_key("dev-1")).value().value();
  auto body = status_json(held, "dev-1", now).value();
  json j = json::parse(body);
  EXPECT_EQ(j["header_age_s"], 3600);
  EXPECT_EQ(j["served_by"], "edge");
  auto v = light::verify_status_body(anchor, "dev-1", body, any_age(now));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->status, "active");
  EXPECT_EQ(v->age_s, 3600u);
  // A device that wants answers under 10 minutes old refuses it, and says why.
  light::Freshness strict{now, 600, 30};
  EXPECT_FALSE(light::verify_status_body(anchor, "dev-1", body, strict).ok());

  auto cbor_answer = light::encode_status_answer(status_answer(held, "dev-1", now).value());
  auto vc = light::verify_status_cbor(anchor, "dev-1", cbor_answer, any_age(now));
  ASSERT_TRUE(vc.ok()) << vc.error().to_string();
  EXPECT_EQ(vc->status, "active");
  EXPECT_FALSE(light::verify_status_cbor(anchor, "dev-2", cbor_answer, any_age(now)).ok())
      << "an answer for another name";
  light::StatusAnswer lie = status_answer(held, "dev-1", now).value();
  lie.status = "revoked";
  EXPECT_FALSE(
      light::verify_status_cbor(anchor, "dev-1", light::encode_status_answer(lie), any_age(now)).ok());
  EXPECT_FALSE(light::verify_status_cbor(anchor, "dev-1", as_bytes("garbage"), any_age(now)).ok());

  auto none = r->lookup(ledger::schema::name_key("dev-2")).value().value();
  auto vn = light::verify_status_cbor(
      anchor, "dev-2", light::encode_status_answer(status_answer(none, "dev-2", now).value()), any_age(now));
  ASSERT_TRUE(vn.ok()) << vn.error().to_string();
  EXPECT_EQ(vn->status, "unregistered");
}

TEST(EdgeHttpTest, ServesProvenStatusAndTakesPushedBundles) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  TempDir dir;
  auto r = Replica::open(dir.path(), anchor_of(chain), two_devices()).value();
  HttpOptions ho;
  ho.genesis_json = chain.genesis_json();
  auto server = HttpServer::start(*r, nullptr, ho).value();
  httplib::Client c("127.0.0.1", server->port());

  auto a = c.Get("/v1/names/dev-1/status");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 503) << "nothing held yet: " << a->body;
  EXPECT_EQ(json::parse(a->body)["error"], "ledger_unavailable");

  // A push of a genuine bundle fills it.
  Bytes bundle = store::encode_bundle(chain.bundle({"dev-1", "dev-2"}));
  a = c.Post("/v1/edge/bundle", std::string(bundle.begin(), bundle.end()), "application/cbor");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->status, 200) << a->body;
  EXPECT_EQ(json::parse(a->body)["updated"], 2);

  a = c.Get("/v1/names/dev-1/status?prove=true");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->status, 200) << a->body;
  const light::TrustAnchor anchor = light::TrustAnchor::from_genesis_json(c.Get("/v1/genesis")->body).value();
  auto v =
      light::verify_status_body(anchor, "dev-1", a->body, any_age(static_cast<uint64_t>(std::time(nullptr))));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->status, "active");

  a = c.Get("/v1/edge");
  ASSERT_TRUE(a);
  json st = json::parse(a->body);
  EXPECT_EQ(st["held"], 2);
  EXPECT_EQ(st["tracked"], 6) << "2 names, the roots of their claims and domains";
  EXPECT_EQ(st["chain_id"], chain.chain_id());

  a = c.Get("/v1/edge/bundle?since=0");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->status, 200);
  auto back = store::decode_bundle(as_bytes(a->body));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->entries.size(), 2u);

  // Bad input: each refused with a reason, the replica unchanged.
  auto expect_error = [&](const httplib::Result& res, int status, const std::string& error) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << res->body;
    json e = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(e.is_object()) << res->body;
    EXPECT_EQ(e["error"], error) << res->body;
    EXPECT_FALSE(e["message"].get<std::string>().empty());
  };
  expect_error(c.Get("/v1/names/stranger/status"), 404, "not_found");
  expect_error(c.Get("/v1/names/site%2Fstranger/status"), 404, "not_found");  // a name with '/' is routed
  expect_error(c.Get("/v1/names/Bad%20Name/status"), 400, "bad_name");
  expect_error(c.Post("/v1/edge/bundle", "not cbor", "application/cbor"), 400, "malformed");
  Bytes tampered = bundle;
  tampered[tampered.size() - 3] ^= 1;
  auto t = c.Post("/v1/edge/bundle", std::string(tampered.begin(), tampered.end()), "application/cbor");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, 400) << t->body;
  expect_error(c.Get("/v1/edge/bundle?since=x"), 400, "invalid_argument");
  expect_error(c.Get("/v1/edge/bundle?until=3"), 400, "invalid_argument");
  expect_error(c.Get("/v1/nothing"), 404, "not_found");
  EXPECT_EQ(r->stats().held, 2u);
  server->stop();
}

}  // namespace
}  // namespace trustmesh::edge
