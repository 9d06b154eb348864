// The edge server's CoAP API (edge/coap_routes.h) over real UDP on
// 127.0.0.1: a device asks for a status with libcoap's client, checks the
// CBOR answer with the light client, and every bad request is refused with
// its code and a CBOR diagnostic.
#include "edge/coap_routes.h"

#include <gtest/gtest.h>

#include "core/cbor.h"
#include "core/request_auth.h"
#include "edge/coap_client.h"
#include "edge/coap_server.h"
#include "light/light_util.h"
#include "light/status_cbor.h"

namespace trustmesh::edge {
namespace {

using light::testing::LightChain;
using light::testing::TempDir;

TEST(EdgeCoapTest, AnswersVerifiableStatusAndRefusesBadRequests) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  ASSERT_TRUE(chain.revoke("dev-1"));
  TempDir dir;
  const light::TrustAnchor anchor = light::TrustAnchor::from_genesis_json(chain.genesis_json()).value();
  Domain d;
  d.names = {"dev-1", "dev-2", "dev-3", "site/lamp-7"};
  auto r = Replica::open(dir.path(), anchor, d).value();
  ASSERT_TRUE(r->ingest(chain.bundle({"dev-1", "dev-2"})).ok());
  const uint64_t now = chain.time() + 120;
  auto server = CoapServer::start("127.0.0.1", 0, [&](const CoapRequest& req) {
                  return answer_coap(*r, req, now);
                }).value();
  auto client = CoapClient::connect("127.0.0.1", server->port()).value();

  auto a = client->request("GET", "/v1/status/dev-1");
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  ASSERT_EQ(a->code, coap_code::kContent);
  EXPECT_EQ(a->content_format, coap_format::kCbor);
  light::Freshness fresh{now, 600, 30};
  auto v = light::verify_status_cbor(anchor, "dev-1", a->payload, fresh);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->status, "revoked");
  EXPECT_EQ(v->age_s, 120u);
  EXPECT_GT(a->payload.size(), 1024u) << "larger than one datagram: it came block-wise";

  a = client->request("GET", "/v1/status/dev-2");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->code, coap_code::kContent);
  EXPECT_EQ(light::verify_status_cbor(anchor, "dev-2", a->payload, fresh).value().status, "unregistered");

  // A name with '/' (more Uri-Path options), held once proven.
  ASSERT_TRUE(chain.register_name("site/lamp-7", 1000, 3));
  ASSERT_TRUE(r->ingest(chain.bundle({"site/lamp-7"})).ok());
  light::Freshness later{chain.time() + 120, 600, 30};
  a = client->request("GET", "/v1/status/site/lamp-7");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->code, coap_code::kContent) << coap_diagnostic(a->payload);
  EXPECT_EQ(light::verify_status_cbor(anchor, "site/lamp-7", a->payload, later).value().status, "active");

  a = client->request("GET", "/v1/edge");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->code, coap_code::kContent);
  auto stats = cbor::decode(a->payload).value();
  EXPECT_EQ(stats.find("held")->as_uint().value(), 3u);
  EXPECT_EQ(stats.find("tracked")->as_uint().value(), 12u)
      << "4 names, the roots of their claims and domains";

  struct Bad {
    std::string method, path;
    uint8_t code;
    std::string error;
  };
  for (const Bad& b : std::vector<Bad>{
           {"GET", "/v1/status/stranger", coap_code::kNotFound, "not_found"},
           {"GET", "/v1/status/dev-3", coap_code::kServiceUnavailable, "ledger_unavailable"},
           {"GET", "/v1/status/Bad%20Name", coap_code::kBadRequest, "bad_name"},
           {"GET", "/v1/status/dev-1?prove=false", coap_code::kBadRequest, "invalid_argument"},
           {"POST", "/v1/status/dev-1", coap_code::kMethodNotAllowed, "unsupported"},
           {"GET", "/v1/status/dev-1/x", coap_code::kNotFound, "not_found"},  // outside the domain
           {"GET", "/v1/nothing", coap_code::kNotFound, "not_found"},
           {"GET", "/.well-known/core", coap_code::kNotFound, "not_found"},
       }) {
    auto e = client->request(b.method, b.path);
    ASSERT_TRUE(e.ok()) << b.path;
    EXPECT_EQ(e->code, b.code) << b.method << " " << b.path;
    auto diag = cbor::decode(e->payload);
    ASSERT_TRUE(diag.ok()) << b.path;
    EXPECT_EQ(diag->find("error")->text_view(), b.error) << b.path << ": " << coap_diagnostic(e->payload);
  }
  // Garbage in the request payload of a GET changes nothing.
  auto g = client->request("GET", "/v1/status/dev-1", as_bytes("\xff\xfe not cbor"));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->code, coap_code::kContent);
  server->stop();
}

// Signed CoAP requests (kCoapOptionAuthorization with Uri-Host/Uri-Port):
// verified for this server's own authority, refused with 4.01 otherwise.
TEST(EdgeCoapTest, SignedRequestsAreVerifiedForThisServer) {
  LightChain chain;
  ASSERT_TRUE(chain.register_name("dev-1"));
  TempDir dir;
  const light::TrustAnchor anchor = light::TrustAnchor::from_genesis_json(chain.genesis_json()).value();
  Domain d;
  d.names = {"dev-1"};
  auto r = Replica::open(dir.path(), anchor, d).value();
  ASSERT_TRUE(r->ingest(chain.bundle({"dev-1"})).ok());
  const uint64_t now = chain.time() + 5;
  auth::AuthorityPolicy names;
  auto server = CoapServer::start("127.0.0.1", 0, [&](const CoapRequest& req) {
                  return answer_coap(CoapContext{*r, nullptr, &names}, req, now);
                }).value();
  names = auth::AuthorityPolicy::make({}, "127.0.0.1", server->port()).value();
  auto client = CoapClient::connect("127.0.0.1", server->port()).value();
  const KeyPair key = KeyPair::generate().value();
  const std::string path = "/v1/status/dev-1";

  auto sig = auth::sign_request(key, chain.chain_id(), client->authority(), "GET", path, now).value();
  auto a = client->request("GET", path, {}, 5s, std::nullopt, sig);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->code, coap_code::kContent) << coap_diagnostic(a->payload);

  for (const std::string& bad :
       {std::string("TM-Sig key=00, ts=1, sig=00"),
        auth::sign_request(key, chain.chain_id(), "gateway.example:5683", "GET", path, now).value(),
        auth::sign_request(key, chain.chain_id(), client->authority(), "GET", "/v1/edge", now).value(),
        auth::sign_request(key, "another-chain", client->authority(), "GET", path, now).value()}) {
    auto e = client->request("GET", path, {}, 5s, std::nullopt, bad);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->code, coap_code::kUnauthorized) << bad << ": " << coap_diagnostic(e->payload);
  }
  // No blob store on this server: a blob is 4.04, signed or not.
  auto b = client->request("GET", "/v1/blobs/" + std::string(64, 'a'));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->code, coap_code::kNotFound);
  server->stop();
}

}  // namespace
}  // namespace trustmesh::edge
