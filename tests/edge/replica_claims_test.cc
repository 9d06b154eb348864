// The claims about an edge server's devices, models and orgs, and the access
// domains of its devices, in its light replica (ledger/proof_keys.h links):
// keys reached only through held values are kept, nothing else is, what the
// server hands out verifies and is complete (light::proven_claims refuses a
// claim left out), it survives a restart and a peer gets it page by page,
// and a device moved to another domain takes its old domain record with it.
#include <gtest/gtest.h>

#include "edge/access.h"
#include "edge/answers.h"
#include "edge/coap_routes.h"
#include "edge/replica.h"
#include "ledger/domains.h"
#include "ledger/schema.h"
#include "light/light_util.h"
#include "light/proven_claims.h"

namespace trustmesh::edge {
namespace {

using light::testing::LightChain;
using light::testing::TempDir;

light::TrustAnchor anchor_of(const LightChain& c) {
  return light::TrustAnchor::from_genesis_json(c.genesis_json()).value();
}

Domain site() {
  Domain d;
  d.names = {"dev-1", "dev-2"};
  d.orgs = {"acme"};
  return d;
}

// The bundles an honest node answers for the whole of site().
void pull(LightChain& chain, Replica& r) {
  for (const store::ProofBundle& b :
       {chain.bundle({"dev-1", "dev-2"}), chain.linked_bundle({{ledger::schema::org_key("acme")}}),
        chain.claims_bundle({"device:dev-1", "device:dev-2", "org:acme"}),
        chain.domains_bundle({"device:dev-1", "device:dev-2"})}) {
    auto in = r.ingest(b);
    ASSERT_TRUE(in.ok()) << in.error().to_string();
  }
}

// What a device does with the server's answer about `subject`.
Result<light::ProvenClaims> ask(const LightChain& chain, const Replica& r, const std::string& subject) {
  TM_ASSIGN_OR_RETURN(store::ProofBundle b, claims_bundle(r, subject));
  TM_ASSIGN_OR_RETURN(light::VerifiedBundle vb, light::verify_bundle(anchor_of(chain), std::move(b)));
  return light::proven_claims(vb, subject);
}

class ReplicaClaims : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.register_name("dev-1"));
    ASSERT_TRUE(chain_.register_name("dev-2", 1000, 2));
    ASSERT_TRUE(chain_.register_org("acme"));
    stolen_ = chain_.issue_claim("acme", "device_status", "device:dev-1", {{"status", "stolen"}});
    ASSERT_NE(stolen_, 0u);
    ASSERT_TRUE(chain_.register_org("lab"));
    ASSERT_NE(chain_.issue_claim("lab", "endorsement", "org:acme"), 0u);
  }
  LightChain chain_;
  TempDir dir_;
  uint64_t stolen_ = 0;
};

TEST_F(ReplicaClaims, KeepsTheClaimsAboutItsDomainAndHandsThemOutProvenAndComplete) {
  auto r = Replica::open(dir_.path(), anchor_of(chain_), site()).value();
  pull(chain_, *r);
  const ReplicaStats st = r->stats();
  EXPECT_EQ(st.held, st.tracked) << "everything the domain leads to is held";

  auto dev1 = ask(chain_, *r, "device:dev-1");
  ASSERT_TRUE(dev1.ok()) << dev1.error().to_string();
  ASSERT_EQ(dev1->claims.size(), 1u);
  EXPECT_EQ(dev1->claims[0].claim.id, stolen_);
  EXPECT_EQ(dev1->claims[0].claim.type, "device_status");
  EXPECT_EQ(dev1->claims[0].claim.data.at("status"), "stolen");
  EXPECT_EQ(dev1->claims[0].header_time, chain_.time());
  auto dev2 = ask(chain_, *r, "device:dev-2");
  ASSERT_TRUE(dev2.ok()) << dev2.error().to_string();
  EXPECT_TRUE(dev2->claims.empty()) << "proven: no claim about dev-2";
  EXPECT_EQ(ask(chain_, *r, "org:acme").value().claims.size(), 1u);

  // Outside the domain: not kept, and a bad subject is refused.
  EXPECT_EQ(claims_bundle(*r, "device:stranger").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(claims_bundle(*r, "gadget:x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(claims_bundle(*r, "org:" + std::string(300, 'a')).error().code, ErrorCode::kInvalidArgument)
      << "a subject no state key can hold is refused, not asserted on";

  // The same over CoAP.
  CoapRequest req{.method = "GET", .path = "/v1/claims/device:dev-1"};
  CoapReply rep = answer_coap(*r, req, chain_.time());
  ASSERT_EQ(rep.code, coap_code::kContent) << coap_diagnostic(rep.payload);
  auto vb = light::verify_bundle(anchor_of(chain_), store::decode_bundle(rep.payload).value());
  ASSERT_TRUE(vb.ok()) << vb.error().to_string();
  EXPECT_EQ(light::proven_claims(*vb, "device:dev-1").value().claims.size(), 1u);
  req.path = "/v1/claims/device:stranger";
  EXPECT_EQ(answer_coap(*r, req, chain_.time()).code, coap_code::kNotFound);

  // A server that leaves the claim out is caught: the count names it.
  store::ProofBundle b = claims_bundle(*r, "device:dev-1").value();
  ASSERT_EQ(b.entries.size(), 3u) << "count, index entry, claim";
  b.entries.pop_back();
  auto partial = light::verify_bundle(anchor_of(chain_), b);
  ASSERT_TRUE(partial.ok()) << "each entry left is genuine";
  auto caught = light::proven_claims(*partial, "device:dev-1");
  ASSERT_FALSE(caught.ok());
  EXPECT_NE(caught.error().message.find("missing"), std::string::npos) << caught.error().message;
  // Nor can it pass off a claim about another subject.
  EXPECT_FALSE(light::proven_claims(
                   light::verify_bundle(anchor_of(chain_), claims_bundle(*r, "org:acme").value()).value(),
                   "device:dev-1")
                   .ok());
}

// A device name so long that "device:<name>" exceeds a subject's 255 bytes
// can have no claims and no domain: the replica tracks only its record.
TEST(ReplicaClaimsLimits, ALongNameTracksOnlyItsRecord) {
  LightChain chain;
  TempDir dir;
  Domain d;
  d.names = {std::string(250, 'n'), "dev-1"};
  auto r = Replica::open(dir.path(), anchor_of(chain), d);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)->stats().tracked, 4u) << "the long name's record, and dev-1's three keys";
  EXPECT_EQ(proof_ask_count(d), 6u);
  size_t asked = 0;
  for (size_t i = 0; i < proof_ask_count(d); ++i) asked += proof_ask(d, i).field != nullptr ? 1 : 0;
  EXPECT_EQ(asked, 4u) << "what is asked of a node is exactly what is tracked";
  // It is in no domain (none can hold it): an access decision about it is
  // made, not asserted on.
  EXPECT_TRUE(check_configuration_read(**r, {d.names[0]}, std::nullopt, AccessClock{}).ok());
}

TEST_F(ReplicaClaims, TakesOnlyClaimsItsHeldValuesLeadTo) {
  auto r = Replica::open(dir_.path(), anchor_of(chain_), site()).value();
  // A claim record or index entry alone (genuine, but nothing held leads to
  // it yet) is not kept; the stranger's claims never are.
  store::ProofBundle all = chain_.claims_bundle({"device:dev-1"});
  ASSERT_EQ(all.entries.size(), 3u);
  store::ProofBundle claim_only = all;
  claim_only.entries.erase(claim_only.entries.begin(), claim_only.entries.begin() + 2);
  EXPECT_EQ(r->ingest(claim_only).value().ignored, 1u);
  ASSERT_TRUE(chain_.register_name("stranger", 1000, 3));
  ASSERT_NE(chain_.issue_claim("acme", "device_status", "device:stranger", {{"status", "in_use"}}), 0u);
  EXPECT_EQ(r->ingest(chain_.claims_bundle({"device:stranger"})).value().ignored, 3u);
  EXPECT_EQ(r->stats().held, 0u);

  // In any order within one bundle, the links are followed.
  std::reverse(all.entries.begin(), all.entries.end());
  EXPECT_EQ(r->ingest(all).value().updated, 3u);

  // A new claim: the count grows and the next pull brings index and claim.
  EXPECT_EQ(claims_bundle(*r, "device:dev-1").value().entries.size(), 3u);
  ASSERT_NE(chain_.issue_claim("acme", "device_status", "device:dev-1", {{"status", "destroyed"}}), 0u);
  pull(chain_, *r);
  auto now = ask(chain_, *r, "device:dev-1");
  ASSERT_TRUE(now.ok()) << now.error().to_string();
  ASSERT_EQ(now->claims.size(), 2u);
  EXPECT_EQ(now->claims[1].claim.data.at("status"), "destroyed");
}

TEST_F(ReplicaClaims, SurvivesARestartAndReachesAPeerPageByPage) {
  {
    auto r = Replica::open(dir_.path(), anchor_of(chain_), site()).value();
    pull(chain_, *r);
  }
  auto r = Replica::open(dir_.path(), anchor_of(chain_), site()).value();
  EXPECT_EQ(r->stats().held, r->stats().tracked);
  EXPECT_EQ(ask(chain_, *r, "device:dev-1").value().claims.size(), 1u) << "reloaded with its links";

  // A peer that takes the pages in order tracks every entry when it comes.
  TempDir peer_dir;
  auto peer = Replica::open(peer_dir.path(), anchor_of(chain_), site()).value();
  size_t pages = 0;
  for (size_t offset = 0;;) {
    Replica::Page page = r->since(0, offset, 2).value();
    ++pages;
    auto in = peer->ingest(page.bundle);
    ASSERT_TRUE(in.ok()) << in.error().to_string();
    EXPECT_EQ(in->ignored, 0u) << "page " << pages << ": parents come before what they lead to";
    if (page.next == 0) break;
    offset = page.next;
  }
  EXPECT_GT(pages, 3u);
  EXPECT_EQ(peer->stats().held, r->stats().held);
  EXPECT_EQ(ask(chain_, *peer, "device:dev-1").value().claims.size(), 1u);
}

TEST_F(ReplicaClaims, KeepsTheDomainOfEachDeviceAndDropsAnOldOne) {
  ledger::op::DomainCreate a{.id = "plant-a", .private_ = true};
  ledger::op::DomainCreate b{.id = "plant-b"};
  ASSERT_EQ(chain_.block({chain_.tx(a), chain_.tx(b)}).at(1).outcome, ledger::TxOutcome::kOk);
  ledger::op::DomainAssign in_a{.id = "plant-a", .subject = "device:dev-1"};
  ASSERT_EQ(chain_.block({chain_.tx(in_a)}).at(0).outcome, ledger::TxOutcome::kOk);

  auto r = Replica::open(dir_.path(), anchor_of(chain_), site()).value();
  // Not synced yet: a reader is told so, never "no domain".
  EXPECT_EQ(r->value(ledger::schema::domain_subject_key("device:dev-1")).error().code,
            ErrorCode::kLedgerUnavailable);
  EXPECT_EQ(r->value(ledger::schema::domain_key("plant-a")).error().code, ErrorCode::kNotFound)
      << "not tracked until a held place leads to it";
  pull(chain_, *r);
  auto record = r->value(ledger::schema::domain_key("plant-a"));
  ASSERT_TRUE(record.ok()) << record.error().to_string();
  ASSERT_TRUE(record->has_value());
  auto d = ledger::AccessDomain::from_cbor(cbor::decode(**record).value()).value();
  EXPECT_TRUE(d.private_);
  EXPECT_FALSE(r->value(ledger::schema::domain_subject_key("device:dev-2")).value().has_value())
      << "dev-2 is proven to be in no domain";

  // dev-1 moves to plant-b: plant-a's record is no longer kept.
  ledger::op::DomainAssign in_b{.id = "plant-b", .subject = "device:dev-1"};
  auto moved = chain_.block({chain_.tx(in_b)}).at(0);
  ASSERT_EQ(moved.outcome, ledger::TxOutcome::kOk) << moved.message;
  pull(chain_, *r);
  EXPECT_EQ(r->value(ledger::schema::domain_key("plant-a")).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(r->value(ledger::schema::domain_key("plant-b")).value().has_value());
  EXPECT_EQ(r->stats().held, r->stats().tracked);
  EXPECT_FALSE(r->lookup(ledger::schema::domain_key("plant-a")).value().has_value())
      << "deleted from RocksDB";
  r.reset();
  auto again = Replica::open(dir_.path(), anchor_of(chain_), site()).value();
  EXPECT_EQ(again->stats().held, again->stats().tracked) << "the old record is gone from the disk too";
  EXPECT_TRUE(again->value(ledger::schema::domain_key("plant-b")).value().has_value());
}

}  // namespace
}  // namespace trustmesh::edge
