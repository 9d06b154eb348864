// Edge identity servers end to end with real processes: a 4-validator
// testnet (`trustmesh node` x4), two `trustmesh edge serve` processes (a
// gateway and a maintenance server) and devices asking them with the light
// client (`trustmesh verify`). The gateway keeps answering, verified and
// dated, with every ledger node stopped; a revocation reaches it, while it
// is cut off, from the maintenance server (a one-shot `trustmesh edge sync`
// visit, and the --peer exchange).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/hash.h"
#include "testnet_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kWaitMs = 60000;

class EdgeE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    net_ = Testnet::create("edge", 4, 0, false, &err);
    ASSERT_TRUE(net_) << err;
    ASSERT_TRUE(net_->start_all(&err)) << err;
    ASSERT_TRUE(net_->wait_all(1, kWaitMs));
    dir_ = temp_path("edge-e2e");
    std::filesystem::create_directories(dir_);
    genesis_ = dir_ + "/genesis.json";
    HttpResult g = http_get(net_->api_port(0), "/v1/genesis");
    ASSERT_EQ(g.status, 200);
    std::ofstream(genesis_) << g.body;  // the anchor, handed to the sites out of band
    std::ofstream(dir_ + "/devices.txt") << "# the gateway's devices\ndev-1\ndev-2\n\ndev-3\n";
  }
  void TearDown() override {
    edges_.clear();
    net_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string node_url(size_t i) const { return "http://127.0.0.1:" + std::to_string(net_->api_port(i)); }
  std::string keyring() const { return net_->desc()["keyring"].get<std::string>(); }

  Exec cli(const std::string& args) {
    return run(args + " --keyring " + keyring() + " --node " + node_url(0));
  }

  // Starts `trustmesh edge serve` for the three devices; returns its URL.
  std::string start_edge(const std::string& tag, const std::vector<std::string>& sources) {
    std::vector<std::string> args = {
        "edge",           "serve",        "--genesis",           genesis_,   "--data",
        dir_ + "/" + tag, "--names-file", dir_ + "/devices.txt", "--listen", "127.0.0.1:0",
        "--coap",         "127.0.0.1:0",  "--interval-ms",       "200"};
    args.insert(args.end(), sources.begin(), sources.end());
    std::string err;
    auto p = ServiceProcess::start(args, dir_ + "/" + tag + ".log", &err);
    EXPECT_TRUE(p) << err;
    if (!p) return "";
    std::string url = p->ready()["http"];
    coap_[tag] = p->ready()["coap"];
    edges_[tag].emplace(std::move(*p));
    return url;
  }
  void stop_edge(const std::string& tag) {
    ASSERT_TRUE(edges_[tag]);
    int st = edges_[tag]->signal_and_wait(SIGTERM);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "edge " << tag << " did not stop cleanly: " << st;
    edges_.erase(tag);
  }

  // What a device gets from `url`: the light client's verdict as JSON (or the error text).
  json verify(const std::string& url, const std::string& name, int max_age = 3600) {
    Exec r = run("verify " + name + " --node " + url + " --anchor " + genesis_ + " --max-age " +
                 std::to_string(max_age) + " --json");
    json j = last_json(r.out);
    if (r.status != 0 || !j.is_object()) return json{{"error", r.out}};
    return j;
  }
  // The verified claims about `subject` from edge server `url` (http:// or
  // coap://), as `trustmesh edge claims --json` prints them (or the error text).
  json claims(const std::string& url, const std::string& subject) {
    Exec r = run("edge claims " + url + " " + subject + " --genesis " + genesis_ + " --max-age 0 --json");
    json j = last_json(r.out);
    if (r.status != 0 || !j.is_object()) return json{{"error", r.out}};
    return j;
  }
  // Waits until `url` proves `n` claims about `subject`.
  bool wait_claims(const std::string& url, const std::string& subject, size_t n) {
    for (int i = 0; i < 300; ++i) {
      json j = claims(url, subject);
      if (j.contains("claims") && j["claims"].size() == n) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  // Waits until the device's verified status of `name` from `url` is `status`.
  bool wait_status(const std::string& url, const std::string& name, const std::string& status) {
    for (int i = 0; i < 300; ++i) {
      if (verify(url, name).value("status", "") == status) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  std::unique_ptr<Testnet> net_;
  std::string dir_, genesis_;
  std::map<std::string, std::optional<ServiceProcess>> edges_;
  std::map<std::string, std::string> coap_;  // tag -> coap://HOST:PORT
};

TEST_F(EdgeE2E, CutOffGatewayAnswersVerifiedAndLearnsRevocationsFromMaintenance) {
  // dev-3's configuration goes to the off-chain store; its hash is on the chain.
  const std::string config = "ssid=plant-7\nmode=sensor\n";
  std::ofstream(dir_ + "/dev-3.cfg") << config;
  const std::string config_hash = to_hex(sha256(as_bytes(config)));
  for (const char* d : {"dev-1", "dev-2", "dev-3"}) {
    std::string extra = std::string(d) == "dev-3" ? " --config-hash " + config_hash : "";
    Exec r =
        cli(std::string("name register ") + d + " --key dev --cert-hash " + std::string(64, 'c') + extra);
    ASSERT_EQ(r.status, 0) << r.out;
  }
  Exec put = run("blob put " + dir_ + "/dev-3.cfg --name dev-3 --node " + node_url(0));
  ASSERT_EQ(put.status, 0) << put.out;
  // acme, an organisation that will report dev-3 stolen.
  Exec key = run("keys new acme --json --keyring " + keyring());
  ASSERT_EQ(key.status, 0) << key.out;
  Exec root = run("cert issue --cn 'acme root' --ca --out " + dir_ + "/acme-root");
  ASSERT_EQ(root.status, 0) << root.out;
  for (const std::string& step :
       {"send --to " + last_json(key.out)["address"].get<std::string>() + " --amount 1000000 --key dev",
        "org register acme --kind manufacturer --root " + dir_ + "/acme-root.pem --root-key " + dir_ +
            "/acme-root.key --key acme"}) {
    Exec r = cli(step);
    ASSERT_EQ(r.status, 0) << step << "\n" << r.out;
  }
  std::vector<std::string> all_nodes;
  for (size_t i = 0; i < 4; ++i) {
    all_nodes.push_back("--node");
    all_nodes.push_back(node_url(i));
  }
  std::string gateway = start_edge("gateway", all_nodes);
  std::string maint = start_edge("maintenance", all_nodes);
  ASSERT_FALSE(gateway.empty());
  ASSERT_FALSE(maint.empty());
  ASSERT_TRUE(wait_status(gateway, "dev-1", "active"));
  ASSERT_TRUE(wait_status(maint, "dev-1", "active"));
  ASSERT_TRUE(wait_claims(gateway, "device:dev-3", 0)) << claims(gateway, "device:dev-3").dump();
  json st = json::parse(run("edge status " + gateway + " --json").out, nullptr, false);
  ASSERT_TRUE(st.is_object());
  EXPECT_EQ(st["held"], 9) << "3 names, and for each its claim count and domain place (proven absent)";
  EXPECT_EQ(st["tracked"], 9);
  // dev-3's configuration: dev-3 is in no access domain (proven so by the
  // replica), so the gateway fetches it from the node and serves it to anyone.
  Exec got = run("blob get " + config_hash + " -o " + dir_ + "/got.cfg --node " + gateway);
  ASSERT_EQ(got.status, 0) << got.out;
  EXPECT_EQ(read_all(dir_ + "/got.cfg"), config);
  // A name outside the domain is not answered (404), and the device says so.
  EXPECT_TRUE(verify(gateway, "dev-9").contains("error"));

  // The gateway loses its uplink: restarted with no ledger node and no peer.
  stop_edge("gateway");
  gateway = start_edge("gateway", {});
  ASSERT_FALSE(gateway.empty());
  EXPECT_EQ(verify(gateway, "dev-1").value("status", ""), "active") << "it answers from its replica";

  // dev-1 is revoked on the ledger and acme reports dev-3 stolen; the
  // maintenance server sees both, the cut-off gateway cannot.
  Exec rv = cli("name revoke dev-1 --key dev --yes");
  ASSERT_EQ(rv.status, 0) << rv.out;
  Exec stolen =
      cli("claim issue --issuer acme --type device_status --subject device:dev-3 --data status=stolen "
          "--key acme --json");
  ASSERT_EQ(stolen.status, 0) << stolen.out;
  ASSERT_TRUE(wait_status(maint, "dev-1", "revoked"));
  ASSERT_TRUE(wait_claims(maint, "device:dev-3", 1)) << claims(maint, "device:dev-3").dump();
  EXPECT_EQ(verify(gateway, "dev-1").value("status", ""), "active");
  json before = claims(gateway, "device:dev-3");
  ASSERT_TRUE(before.contains("claims")) << before.dump();
  EXPECT_EQ(before["claims"].size(), 0u);

  // A maintenance visit: one sync, and the gateway refuses dev-1.
  Exec sync = run("edge sync --from " + maint + " --to " + gateway + " --json");
  ASSERT_EQ(sync.status, 0) << sync.out;
  EXPECT_GE(last_json(sync.out).value("updated", 0), 1) << sync.out;
  EXPECT_EQ(verify(gateway, "dev-1").value("status", ""), "revoked");
  EXPECT_EQ(verify(gateway, "dev-2").value("status", ""), "active");
  json after = claims(gateway, "device:dev-3");
  ASSERT_TRUE(after.contains("claims")) << after.dump();
  EXPECT_EQ(after["claims"].size(), 1u) << "the report came with the visit";

  // The peer exchange does the same by itself: dev-2 revoked, the gateway
  // restarted with only the maintenance server as --peer.
  rv = cli("name revoke dev-2 --key dev --yes");
  ASSERT_EQ(rv.status, 0) << rv.out;
  ASSERT_TRUE(wait_status(maint, "dev-2", "revoked"));
  stop_edge("gateway");
  gateway = start_edge("gateway", {"--peer", maint});
  ASSERT_TRUE(wait_status(gateway, "dev-2", "revoked"));

  // Every ledger node stops. Devices still get verified answers, with their age.
  for (size_t i = 0; i < 4; ++i) net_->stop(i, SIGTERM);
  std::this_thread::sleep_for(2s);
  for (const std::string& url : {gateway, maint}) {
    json v = verify(url, "dev-1");
    ASSERT_EQ(v.value("status", ""), "revoked") << v.dump();
    EXPECT_TRUE(v["verified"].get<bool>());
    EXPECT_GE(v["age_s"].get<uint64_t>(), 2u) << "the answer says how old it is";
    EXPECT_EQ(verify(url, "dev-3").value("status", ""), "active");
  }
  // Over CoAP (CBOR), as a constrained device asks: verified and dated too.
  Exec ask = run("edge ask " + coap_["gateway"] + " dev-1 --genesis " + genesis_ + " --json");
  ASSERT_EQ(ask.status, 0) << ask.out;
  json a = last_json(ask.out);
  EXPECT_EQ(a["status"], "revoked");
  EXPECT_GE(a["age_s"].get<uint64_t>(), 2u);
  ask = run("edge ask " + coap_["maintenance"] + " dev-3 --genesis " + genesis_ + " --json");
  ASSERT_EQ(ask.status, 0) << ask.out;
  EXPECT_EQ(last_json(ask.out)["status"], "active");
  // ... but it is reported stolen: the claims about it, proven complete, over CoAP.
  json about = claims(coap_["gateway"], "device:dev-3");
  ASSERT_TRUE(about.contains("claims")) << about.dump();
  ASSERT_EQ(about["claims"].size(), 1u) << about.dump();
  EXPECT_EQ(about["claims"][0]["type"], "device_status");
  EXPECT_EQ(about["claims"][0]["issuer"], "acme");
  EXPECT_EQ(about["claims"][0]["data"]["status"], "stolen");
  EXPECT_TRUE(claims(coap_["gateway"], "device:dev-9").contains("error")) << "not in its domain";
  // A name outside the domain, and a bad one, are refused with the reason.
  ask = run("edge ask " + coap_["gateway"] + " dev-9 --genesis " + genesis_);
  EXPECT_NE(ask.status, 0);
  EXPECT_NE(ask.out.find("4.04"), std::string::npos) << ask.out;
  EXPECT_NE(ask.out.find("not in this edge server's domain"), std::string::npos) << ask.out;
  ask = run("edge ask " + coap_["gateway"] + " dev-1 --genesis " + genesis_ + " --max-age 1");
  EXPECT_NE(ask.status, 0) << "a device that insists on fresh answers refuses an old one";
  got = run("blob get " + std::string(64, 'e') + " -o " + dir_ + "/none --node " + gateway);
  EXPECT_NE(got.status, 0) << "a blob it never held, with no node to fetch from";
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/none"));
  // A device that insists on answers under a second old refuses them.
  EXPECT_TRUE(verify(gateway, "dev-3", 1).contains("error"));
  // The maintenance server reports that it cannot reach the ledger.
  json ms = json::parse(run("edge status " + maint + " --json").out, nullptr, false);
  ASSERT_TRUE(ms.is_object());
  EXPECT_TRUE(ms["sync"].contains("node_error")) << ms.dump();
}

TEST_F(EdgeE2E, RefusesBadStartsAndBadInput) {
  // No domain; a replica made for another chain.
  Exec r = run("edge serve --genesis " + genesis_ + " --data " + dir_ + "/x --listen 127.0.0.1:0");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("domain is empty"), std::string::npos) << r.out;
  std::string url = start_edge("site", {"--node", node_url(0)});
  ASSERT_FALSE(url.empty());
  stop_edge("site");
  json other = json::parse(read_all(genesis_));
  other["chain_id"] = "another-chain";
  std::ofstream(dir_ + "/other.json") << other.dump();
  r = run("edge serve --genesis " + dir_ + "/other.json --data " + dir_ +
          "/site --name dev-1 --listen 127.0.0.1:0");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("another chain"), std::string::npos) << r.out;
  r = run("edge serve --genesis " + genesis_ + " --data " + dir_ +
          "/y --name 'Bad Name' --listen 127.0.0.1:0");
  EXPECT_NE(r.status, 0);
  r = run("edge sync --from http://127.0.0.1:1 --to http://127.0.0.1:1");
  EXPECT_EQ(r.status, 3) << r.out;  // unreachable
}

}  // namespace
}  // namespace trustmesh
