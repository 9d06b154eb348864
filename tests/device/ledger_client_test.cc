// LedgerClient against real HTTP servers in this process that play ledger
// nodes (quorum mode reads plain answers): n-of-N agreement, disagreement,
// and the hard-fail / soft-fail policies with a bounded cache when every
// node is down.
#include "device/ledger_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/address.h"

namespace trustmesh::device {
namespace {

class FakeNode {
 public:
  explicit FakeNode(std::string cert_hash) : cert_hash_(std::move(cert_hash)) {
    server_.Get(R"(/v1/names/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      nlohmann::json j{{"name", req.matches[1].str()}, {"status", "active"}, {"owner", owner_},
                       {"cert_hash", cert_hash_},      {"expires_at", 100},  {"height", 5}};
      res.set_content(j.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FakeNode() { stop(); }
  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string cert_hash_;
  std::string owner_ =
      Address::of(KeyPair::from_seed(KeyAlg::kP256, Bytes(32, 1)).value().public_key()).to_string();
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

LedgerOptions quorum_of(std::vector<std::string> nodes, size_t n, bool soft, uint64_t* now) {
  LedgerOptions o;
  o.nodes = std::move(nodes);
  o.mode = LookupMode::kQuorum;
  o.quorum = n;
  o.soft_fail = soft;
  o.soft_fail_max_stale_s = 100;
  o.cache_entries = 2;
  o.timeout_ms = 500;
  o.now = [now] { return *now; };
  return o;
}

TEST(LedgerClient, QuorumAgreementAndDisagreement) {
  FakeNode a(std::string(64, 'a')), b(std::string(64, 'a')), liar(std::string(64, 'b'));
  uint64_t now = 1000;
  auto c = LedgerClient::open(quorum_of({a.url(), b.url(), liar.url()}, 2, false, &now)).value();
  auto f = c->lookup("dev-1");
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  EXPECT_EQ(f->source, "2 of 3 nodes agree");
  EXPECT_EQ(to_hex(f->cert_hash), std::string(64, 'a'));
  auto strict = LedgerClient::open(quorum_of({a.url(), b.url(), liar.url()}, 3, false, &now)).value();
  EXPECT_EQ(strict->lookup("dev-1").error().code, ErrorCode::kVerificationFailure);
  EXPECT_EQ(c->lookup("Bad Name").error().code, ErrorCode::kBadName);
  EXPECT_FALSE(LedgerClient::open(quorum_of({a.url()}, 2, false, &now)).ok());
}

TEST(LedgerClient, HardFailRefusesSoftFailUsesBoundedCache) {
  auto a = std::make_unique<FakeNode>(std::string(64, 'a'));
  uint64_t now = 1000;
  auto hard = LedgerClient::open(quorum_of({a->url()}, 1, false, &now)).value();
  auto soft = LedgerClient::open(quorum_of({a->url()}, 1, true, &now)).value();
  for (const char* n : {"dev-1", "dev-2", "dev-3"}) {  // the cache keeps 2: dev-1 is evicted
    ASSERT_TRUE(hard->lookup(n).ok());
    ASSERT_TRUE(soft->lookup(n).ok());
  }
  a->stop();
  EXPECT_EQ(hard->lookup("dev-3").error().code, ErrorCode::kLedgerUnavailable);
  auto cached = soft->lookup("dev-3");
  ASSERT_TRUE(cached.ok()) << cached.error().to_string();
  EXPECT_TRUE(cached->from_cache);
  EXPECT_EQ(soft->lookup("dev-1").error().code, ErrorCode::kLedgerUnavailable);  // evicted
  now += 101;                                                                    // older than max stale
  EXPECT_EQ(soft->lookup("dev-3").error().code, ErrorCode::kLedgerUnavailable);
}

TEST(LedgerClient, MembershipRefreshReplacesTheNodes) {
  uint64_t now = 1000;
  auto dead = std::make_unique<FakeNode>(std::string(64, 'a'));
  std::string dead_url = dead->url();
  dead->stop();
  auto c = LedgerClient::open(quorum_of({dead_url}, 1, false, &now)).value();
  EXPECT_EQ(c->lookup("dev-1").error().code, ErrorCode::kLedgerUnavailable);
  FakeNode live(std::string(64, 'a'));
  ASSERT_TRUE(c->set_membership({live.url()}, std::nullopt).ok());
  EXPECT_EQ(c->nodes(), std::vector<std::string>{live.url()});
  EXPECT_TRUE(c->lookup("dev-1").ok());
  EXPECT_FALSE(c->set_membership({}, std::nullopt).ok());  // refused; the old list stays
  EXPECT_TRUE(c->lookup("dev-1").ok());
}

}  // namespace
}  // namespace trustmesh::device
