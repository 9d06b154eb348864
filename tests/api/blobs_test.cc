// The off-chain store over HTTP against a real node: uploads are taken only
// when a ledger record (release, name config, claim report) carries their hash
// and size, refused content is never stored, downloads stream the stored
// bytes with their hash, and bad input gets a clear error.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>

#include "api_util.h"
#include "core/hash.h"
#include "core/x509_issue.h"
#include "ledger/compliance.h"
#include "ledger/compliance_access.h"
#include "node/node.h"

namespace trustmesh::api {
namespace {

using namespace testing;
using nlohmann::json;
namespace op = ledger::op;

std::string content(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7);
  return s;
}

std::string hex_of(const std::string& s) {
  return to_hex(sha256(as_bytes(s)));
}

HttpAnswer put(TestNode& t, const std::string& path, const std::string& body) {
  httplib::Client c("127.0.0.1", t.port());
  c.set_read_timeout(20);
  c.set_write_timeout(20);
  auto r = c.Put(path.c_str(), body, "application/octet-stream");
  HttpAnswer a;
  if (!r) return a;
  a.status = r->status;
  a.body = r->body;
  a.content_type = r->get_header_value("Content-Type");
  a.allow = r->get_header_value("Allow");
  return a;
}

void ok(TestNode& t, int who, ledger::Operation o) {
  auto r = t.submit_and_wait(t.tx(who, std::move(o)));
  ASSERT_EQ(r.value("outcome", ""), "ok") << r.dump();
}

// Account 1 registers org "acme" (vendor 4660, assigned by trustee account 0),
// model 4660/1, and publishes a release of `image`.
void publish_release(TestNode& t, const std::string& image, uint64_t version = 1) {
  if (version == 1) {
    auto root = x509::issue({.cn = "Acme Root", .org = "acme", .ca = true}, std::nullopt);
    ASSERT_TRUE(root.ok()) << root.error().to_string();
    auto sig = x509::sign_with(root->key.get(), ledger::org_root_message(t.chain_id(), "acme", account(1)));
    ASSERT_TRUE(sig.ok());
    ok(t, 1,
       op::OrgRegister{
           .id = "acme", .kind = "manufacturer", .name = "Acme", .roots = {root->der}, .root_sigs = {*sig}});
    ok(t, 0, op::GovPropose{.vendor_ids = {{4660, "acme"}}});
    ok(t, 1, op::ModelRegister{.org = "acme", .vid = 4660, .pid = 1, .name = "Door lock"});
  }
  ok(t, 1,
     op::ReleasePublish{.org = "acme",
                        .vid = 4660,
                        .pid = 1,
                        .version = version,
                        .version_string = std::to_string(version) + ".0",
                        .kind = "firmware",
                        .sha256 = sha256(as_bytes(image)),
                        .size = image.size()});
}

bool stored(TestNode& t, const std::string& hex) {
  return std::filesystem::exists(t.dir() + "/blobs/" + hex.substr(0, 2) + "/" + hex);
}

// Every file under the node's blob directory (temp files included).
size_t blob_files(TestNode& t) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(t.dir() + "/blobs"))
    n += e.is_regular_file();
  return n;
}

TEST(BlobApi, ReleaseImageIsTakenOnlyWhenItMatchesAndIsServedBack) {
  TestNode t;
  // Larger than the 1 MiB JSON body limit: the upload must stream, not buffer.
  const std::string fw = content(3 * 1024 * 1024 + 17, 'a');
  const std::string h = hex_of(fw);
  publish_release(t, fw);

  // A firmware image with the wrong hash: same size, other bytes. Refused, nothing kept.
  std::string evil = fw;
  evil[12345] ^= 1;
  auto bad = put(t, "/v1/blobs/" + h, evil);
  expect_error(bad, 422, "verification_failure");
  EXPECT_NE(bad.json()["message"].get<std::string>().find("nothing was stored"), std::string::npos);
  EXPECT_FALSE(stored(t, h));
  EXPECT_EQ(blob_files(t), 0u);
  // The wrong size is refused from the header, before the body is read.
  expect_error(put(t, "/v1/blobs/" + h, fw.substr(1)), 422, "verification_failure");
  EXPECT_EQ(blob_files(t), 0u);
  expect_error(t.get("/v1/blobs/" + h), 404, "not_found");

  auto a = put(t, "/v1/blobs/" + h, fw);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(a.json(), (json{{"sha256", h}, {"size", fw.size()}, {"matched", "release"}, {"stored", "new"}}));
  EXPECT_TRUE(stored(t, h));
  auto again = put(t, "/v1/blobs/" + h, fw);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["stored"], "already");
  // ... and a wrong copy is still refused when the right one is there.
  expect_error(put(t, "/v1/blobs/" + h, evil), 422, "verification_failure");
  EXPECT_EQ(blob_files(t), 1u);

  httplib::Client c("127.0.0.1", t.port());
  auto g = c.Get(("/v1/blobs/" + h).c_str());
  ASSERT_TRUE(g);
  ASSERT_EQ(g->status, 200);
  EXPECT_EQ(g->body.size(), fw.size());
  EXPECT_TRUE(g->body == fw);
  EXPECT_EQ(g->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(g->get_header_value("Content-Length"), std::to_string(fw.size()));
  EXPECT_EQ(g->get_header_value("X-Content-SHA256"), h);
  auto head = c.Head(("/v1/blobs/" + h).c_str());
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(fw.size()));
  EXPECT_TRUE(head->body.empty());
  // Keep-alive survives a streamed answer: the same connection asks again.
  auto status = c.Get("/v1/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);

  auto m = t.get("/metrics");
  EXPECT_NE(m.body.find("route=\"blob\""), std::string::npos);
}

TEST(BlobApi, ContentNoRecordCarriesIsRefused) {
  TestNode t;
  const std::string doc = "a file nobody published";
  auto a = put(t, "/v1/blobs/" + hex_of(doc), doc);
  expect_error(a, 409, "not_found");
  EXPECT_NE(a.json()["message"].get<std::string>().find("trustmesh release publish"), std::string::npos)
      << a.body;
  EXPECT_FALSE(stored(t, hex_of(doc)));
  EXPECT_EQ(blob_files(t), 0u);
}

TEST(BlobApi, ConfigurationByNameAndReportByClaim) {
  TestNode t;
  t.register_name(2, "site/lamp-7", 1000);  // config_hash = sha256("config of site/lamp-7")
  const std::string conf = "config of site/lamp-7";
  const std::string h = hex_of(conf);
  // Without ?name= nothing carries it; with the wrong name neither.
  expect_error(put(t, "/v1/blobs/" + h, conf), 409, "not_found");
  expect_error(put(t, "/v1/blobs/" + h + "?name=nobody", conf), 404, "name_not_found");
  auto other = put(t, "/v1/blobs/" + hex_of("other") + "?name=site%2Flamp-7", "other");
  expect_error(other, 409, "not_found");
  EXPECT_NE(other.json()["message"].get<std::string>().find("carries config hash " + h), std::string::npos);
  auto a = put(t, "/v1/blobs/" + h + "?name=site%2Flamp-7", conf);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(a.json()["matched"], "config");
  EXPECT_EQ(t.get("/v1/blobs/" + h).body, conf);

  // A lab's test report: a claim whose data carries report_sha256 and report_size.
  const std::string fw = content(5000, 'f');
  publish_release(t, fw);
  const std::string report = "test report: all 112 cases pass";
  const std::string rh = hex_of(report);
  ok(t, 1,
     op::ClaimIssue{.issuer = "acme",
                    .type = "endorsement",
                    .subject = "release:" + hex_of(fw),
                    .data = {{"report_sha256", rh}, {"report_size", std::to_string(report.size())}}});
  uint64_t id = *ledger::ComplianceReader(node::ViewReader(t.node().view())).next_claim_id() - 1;
  const std::string q = "?claim=" + std::to_string(id);
  expect_error(put(t, "/v1/blobs/" + rh + q, report + "!"), 422, "verification_failure");  // size
  expect_error(put(t, "/v1/blobs/" + rh + "?claim=" + std::to_string(id + 100), report), 404,
               "claim_not_found");
  expect_error(put(t, "/v1/blobs/" + h + q, conf), 409, "not_found");  // not this claim's report
  auto r = put(t, "/v1/blobs/" + rh + q, report);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["matched"], "report");
}

TEST(BlobApi, BadInputIsRefusedClearly) {
  Options o;
  o.api.max_blob_bytes = 4096;
  TestNode t(o);
  const std::string fw = content(5000, 'b');  // over this node's 4096-byte limit
  const std::string h = hex_of(fw);
  publish_release(t, fw);
  expect_error(put(t, "/v1/blobs/" + h, fw), 413, "too_large");
  EXPECT_EQ(blob_files(t), 0u);

  for (const std::string& target :
       std::vector<std::string>{"/v1/blobs/abc", "/v1/blobs/" + std::string(64, 'g'), "/v1/blobs/" + h + "00",
                                "/v1/blobs/" + h + "/x"}) {
    auto a = put(t, target, "x");
    expect_error(a, 400, "invalid_argument");
    EXPECT_NE(a.json()["message"].get<std::string>().find("64 hex"), std::string::npos) << target << a.body;
  }
  expect_error(t.get("/v1/blobs/xyz"), 400, "invalid_argument");
  auto unknown = put(t, "/v1/blobs/" + h + "?size=5000", fw);
  expect_error(unknown, 400, "invalid_argument");
  EXPECT_NE(unknown.json()["message"].get<std::string>().find("unknown query parameter 'size'"),
            std::string::npos);
  auto both = put(t, "/v1/blobs/" + h + "?name=a&claim=1", fw);
  expect_error(both, 400, "invalid_argument");
  EXPECT_NE(both.json()["message"].get<std::string>().find("not both"), std::string::npos);
  expect_error(put(t, "/v1/blobs/" + h + "?claim=one", fw), 400, "invalid_argument");
  expect_error(put(t, "/v1/blobs/" + h + "?name=", fw), 400, "invalid_argument");
  expect_error(put(t, "/v1/blobs/" + h + "?name=a&name=b", fw), 400, "invalid_argument");

  auto post = t.post("/v1/blobs/" + h, fw, "application/octet-stream");
  expect_error(post, 405, "unsupported");
  EXPECT_EQ(post.allow, "GET, HEAD, PUT");

  // No Content-Length (a chunked body): 411, before any of it is read.
  std::string chunked =
      raw_exchange(t.port(), "PUT /v1/blobs/" + h +
                                 " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 411 Length Required\r\n", 0), 0u) << chunked;
  EXPECT_NE(chunked.find("Content-Length header"), std::string::npos) << chunked;
  EXPECT_EQ(blob_files(t), 0u);
}

}  // namespace
}  // namespace trustmesh::api

namespace trustmesh::api {
namespace {

// A private domain's configuration stays private: anonymous and stranger
// reads are refused, and another name carrying the same hash cannot open it
// (a failed upload under that name attaches nothing; only verified content
// is tagged, and every tagged device must allow the read).
TEST(BlobApi, PrivateConfigurationCannotBeOpenedThroughAnotherName) {
  TestNode t({.accounts = 3});
  ASSERT_EQ(t.register_name(0, "dev-p", 1000)["outcome"], "ok");
  const std::string conf = "config of dev-p";  // the harness registers this config hash
  const std::string h = hex_of(conf);
  ok(t, 0, op::DomainCreate{"plant", true});
  ok(t, 0, op::DomainAssign{"plant", "device:dev-p"});
  auto a = put(t, "/v1/blobs/" + h + "?name=dev-p", conf);
  ASSERT_EQ(a.status, 201) << a.body;
  expect_error(t.get("/v1/blobs/" + h), 403, "access_denied");

  // A stranger names its own public device with the same configuration hash
  // and "uploads" junk under it: refused, and the configuration stays closed.
  ASSERT_EQ(t.register_name(1, "evil", 1000)["outcome"], "ok");
  ledger::NameValue v;
  v.cert_hash = sha256(as_bytes("evil cert"));
  v.config_hash = sha256(as_bytes(conf));
  ok(t, 1, op::NameUpdate{"evil", v});
  auto junk = put(t, "/v1/blobs/" + h + "?name=evil", "x");
  EXPECT_EQ(junk.status, 422) << junk.body;
  auto denied = t.get("/v1/blobs/" + h);
  expect_error(denied, 403, "access_denied");
  EXPECT_NE(denied.json()["message"].get<std::string>().find("plant"), std::string::npos) << denied.body;
  EXPECT_EQ(denied.body.find(conf), std::string::npos) << "nothing of it leaks in the refusal";

  // Made public, anyone reads it.
  ok(t, 0, op::DomainSet{"plant", false});
  auto got = t.get("/v1/blobs/" + h);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, conf);
}

}  // namespace
}  // namespace trustmesh::api
