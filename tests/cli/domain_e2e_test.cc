// Access domains end to end (issue 9) with a real `trustmesh node` process and
// the CLI: a private domain's device configuration (GET /v1/names/{name} via
// `trustmesh name show`, and the file itself, GET /v1/blobs/{sha256} via
// `trustmesh blob get`) is refused to a stranger with the reason and given
// to a member once granted read; the status stays public; `domain show`
// lists members and subjects only to a reader; bad arguments fail before
// anything is sent.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/hash.h"
#include "process_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using json = nlohmann::json;

class DomainE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("domain");
    std::filesystem::create_directories(dir_);
    std::string err;
    auto n = start_dev_node(dir_ + "/node", &err);
    ASSERT_TRUE(n) << err;
    node_.emplace(std::move(*n));
  }
  void TearDown() override {
    node_.reset();
    std::filesystem::remove_all(dir_);
  }
  Exec ok(const std::string& args) {
    Exec r = run(args);
    EXPECT_EQ(r.status, 0) << args << "\n" << r.out;
    return r;
  }
  std::string new_key(const std::string& name) {
    Exec r = ok("keys new " + name + " --json");
    return last_json(r.out).value("address", "");
  }
  std::string dir_;
  std::optional<NodeProcess> node_;
};

TEST_F(DomainE2E, StrangerIsRefusedTheConfigurationAndAMemberGetsIt) {
  // The device's configuration: its hash on the chain, the file in the node's off-chain store.
  const std::string config_text = "door=7\nunlock_code_policy=badge+pin\n";
  std::ofstream(dir_ + "/lock-7.cfg") << config_text;
  const std::string config = to_hex(sha256(as_bytes(config_text)));
  ok("name register lock-7 --key dev --cert-hash " + std::string(64, 'a') + " --config-hash " + config +
     " --json");
  ok("domain create plant-3 --private --key dev --json");
  ok("domain assign plant-3 device:lock-7 --key dev --json");
  ok("blob put " + dir_ + "/lock-7.cfg --name lock-7 --json");
  const std::string stranger = new_key("stranger");
  const std::string reader = new_key("reader");
  ASSERT_FALSE(stranger.empty());

  // Anonymous and stranger: refused, saying which domain and right and how to get it.
  Exec anon = run("name show lock-7 --json");
  EXPECT_NE(anon.status, 0);
  EXPECT_NE(anon.out.find("access_denied"), std::string::npos) << anon.out;
  EXPECT_NE(anon.out.find("plant-3"), std::string::npos) << anon.out;
  EXPECT_EQ(anon.out.find(config), std::string::npos) << anon.out;
  Exec denied = run("name show lock-7 --key stranger --json");
  EXPECT_NE(denied.status, 0);
  EXPECT_NE(denied.out.find("read right"), std::string::npos) << denied.out;
  EXPECT_NE(denied.out.find("trustmesh domain grant plant-3 " + stranger), std::string::npos) << denied.out;
  EXPECT_EQ(denied.out.find(config), std::string::npos) << denied.out;
  // The configuration file itself: refused to both, nothing written.
  for (const std::string who : {"", " --key stranger"}) {
    Exec got = run("blob get " + config + " -o " + dir_ + "/got.cfg" + who);
    EXPECT_NE(got.status, 0) << got.out;
    EXPECT_NE(got.out.find("access_denied"), std::string::npos) << got.out;
    EXPECT_NE(got.out.find("plant-3"), std::string::npos) << got.out;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/got.cfg"));
  }
  // The status (what the chain proves) is public.
  Exec status = ok("name status lock-7 --json");
  EXPECT_EQ(last_json(status.out).value("status", ""), "active") << status.out;

  // Only administrators grant; the stranger, funded so only the rights can stop
  // it, cannot grant itself (exit 5, the ledger's reason).
  ok("send --to " + stranger + " --amount 100000 --key dev --json");
  Exec self = run("domain grant plant-3 " + stranger + " --rights read --key stranger --json");
  EXPECT_EQ(self.status, 5) << self.out;
  EXPECT_NE(self.out.find("missing_right"), std::string::npos) << self.out;

  // A member granted read gets the configuration.
  ok("domain grant plant-3 " + reader + " --rights read --key dev --json");
  Exec member = ok("name show lock-7 --key reader --json");
  EXPECT_EQ(last_json(member.out).value("config_hash", ""), config) << member.out;
  ok("blob get " + config + " -o " + dir_ + "/got.cfg --key reader");
  EXPECT_EQ(read_all(dir_ + "/got.cfg"), config_text);

  // domain show: redacted for the stranger, listed for the member.
  Exec redacted = ok("domain show plant-3 --key stranger --json");
  json r = last_json(redacted.out);
  EXPECT_EQ(r.value("private", false), true);
  EXPECT_EQ(r.value("subject_count", 0), 1);
  EXPECT_FALSE(r.contains("subjects")) << redacted.out;
  Exec listed = ok("domain show plant-3 --key reader --json");
  json l = last_json(listed.out);
  EXPECT_EQ(l["subjects"], json::array({"device:lock-7"})) << listed.out;
  EXPECT_EQ(l.value("caller_rights", ""), "read");

  // Made public, anyone reads it.
  ok("domain set plant-3 --public --key dev --json");
  EXPECT_EQ(last_json(ok("name show lock-7 --json").out).value("config_hash", ""), config);
  ok("blob get " + config + " -o " + dir_ + "/public.cfg");
  EXPECT_EQ(read_all(dir_ + "/public.cfg"), config_text);
}

// An edge server at the plant holds the private configuration for the
// plant's members: it fetches it with its own member key and serves it only
// to callers its replica's domain records say may read it, even with the
// ledger node stopped.
TEST_F(DomainE2E, EdgeServerServesAPrivateConfigurationOnlyToMembers) {
  const std::string config_text = "door=9\nbadge_reader=on\n";
  std::ofstream(dir_ + "/lock-9.cfg") << config_text;
  const std::string config = to_hex(sha256(as_bytes(config_text)));
  ok("name register lock-9 --key dev --cert-hash " + std::string(64, 'b') + " --config-hash " + config +
     " --json");
  ok("domain create plant-4 --private --key dev --json");
  ok("domain assign plant-4 device:lock-9 --key dev --json");
  ok("blob put " + dir_ + "/lock-9.cfg --name lock-9 --json");
  const std::string gateway = new_key("gateway");
  const std::string reader = new_key("reader");
  new_key("stranger");
  ok("domain grant plant-4 " + gateway + " --rights read --key dev --json");
  ok("domain grant plant-4 " + reader + " --rights read --key dev --json");

  const std::string genesis = dir_ + "/genesis.json";
  std::ofstream(genesis) << http_get(node_->port(), "/v1/genesis").body;
  std::string err;
  auto edge = ServiceProcess::start({"edge", "serve", "--genesis", genesis, "--data", dir_ + "/edge",
                                     "--node", node_->url(), "--name", "lock-9", "--listen", "127.0.0.1:0",
                                     "--coap", "127.0.0.1:0", "--key", "gateway", "--interval-ms", "200"},
                                    dir_ + "/edge.log", &err);
  ASSERT_TRUE(edge) << err;
  const std::string url = edge->ready()["http"];
  const std::string get = "blob get " + config + " --node " + url + " -o " + dir_ + "/got.cfg";

  // A member gets it through the edge server (once its replica holds the domain).
  Exec member;
  for (int i = 0; i < 100; ++i) {
    member = run(get + " --key reader");
    if (member.status == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(member.status, 0) << member.out;
  EXPECT_EQ(read_all(dir_ + "/got.cfg"), config_text);
  std::filesystem::remove(dir_ + "/got.cfg");
  // Anonymous and stranger callers are refused by the edge server, with the reason.
  for (const std::string who : {"", " --key stranger"}) {
    Exec got = run(get + who);
    EXPECT_NE(got.status, 0) << got.out;
    EXPECT_NE(got.out.find("access_denied"), std::string::npos) << got.out;
    EXPECT_NE(got.out.find("plant-4"), std::string::npos) << got.out;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/got.cfg"));
  }
  // A signed request for another server, or one that does not verify, is 401.
  httplib::Client c(url);
  auto other = c.Get("/v1/edge", {{"Host", "10.9.9.9:80"}, {"Authorization", "TM-Sig key=00, ts=1, sig=00"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 401) << other->body;
  EXPECT_NE(other->body.find("--public-host"), std::string::npos) << other->body;
  auto junk = c.Get("/v1/edge", {{"Authorization", "TM-Sig key=00, ts=1, sig=00"}});
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->status, 401) << junk->body;

  // Someone registers lamp-1 in no domain, naming lock-9's configuration
  // as its own (hashes are public). An edge server that keeps lamp-1 and
  // holds the gateway's key still refuses it: the node says the file
  // configures lock-9, which is not in that server's domain.
  ok("name register lamp-1 --key dev --cert-hash " + std::string(64, 'c') + " --config-hash " + config +
     " --json");
  auto edge2 = ServiceProcess::start(
      {"edge", "serve", "--genesis", genesis, "--data", dir_ + "/edge2", "--node", node_->url(), "--name",
       "lamp-1", "--listen", "127.0.0.1:0", "--key", "gateway", "--interval-ms", "200"},
      dir_ + "/edge2.log", &err);
  ASSERT_TRUE(edge2) << err;
  const std::string lamp_get = "blob get " + config + " --node " + edge2->ready()["http"].get<std::string>() +
                               " -o " + dir_ + "/lamp.cfg";
  Exec lamp;
  for (int i = 0; i < 100; ++i) {  // until its replica holds lamp-1 (503 before)
    lamp = run(lamp_get);
    if (lamp.out.find("access_denied") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(lamp.status, 0) << lamp.out;
  EXPECT_NE(lamp.out.find("lock-9"), std::string::npos) << lamp.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/lamp.cfg"));

  // With the node stopped, the edge server still decides from its replica,
  // over HTTP and over CoAP (the lock itself asking, signed with a reader's key).
  node_.reset();
  Exec cut_off = run(get + " --key reader");
  ASSERT_EQ(cut_off.status, 0) << cut_off.out;
  EXPECT_EQ(read_all(dir_ + "/got.cfg"), config_text);
  EXPECT_NE(run(get + "2 --key stranger").status, 0);
  const std::string coap = edge->ready()["coap"];
  const std::string fetch = "edge blob " + coap + " " + config + " -o " + dir_ + "/coap.cfg";
  Exec over_coap = run(fetch + " --key reader --json");
  ASSERT_EQ(over_coap.status, 0) << over_coap.out;
  EXPECT_EQ(read_all(dir_ + "/coap.cfg"), config_text);
  std::filesystem::remove(dir_ + "/coap.cfg");
  for (const std::string who : {"", " --key stranger"}) {
    Exec refused = run(fetch + who);
    EXPECT_NE(refused.status, 0) << refused.out;
    EXPECT_NE(refused.out.find("4.03"), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("plant-4"), std::string::npos) << refused.out;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/coap.cfg"));
  }
}

TEST_F(DomainE2E, BadArgumentsFailBeforeAnythingIsSent) {
  EXPECT_EQ(run("domain create P --key dev").status, 1);
  EXPECT_EQ(run("domain grant plant-3 notanaddress --rights read --key dev").status, 1);
  Exec rights = run("domain grant plant-3 " + new_key("x") + " --rights write --key dev");
  EXPECT_EQ(rights.status, 1);
  EXPECT_NE(rights.out.find("read, update, administer"), std::string::npos) << rights.out;
  EXPECT_EQ(run("domain assign plant-3 org:acme --key dev").status, 1);
  EXPECT_EQ(run("domain set plant-3 --key dev").status, 1);
  Exec help = run("domain grant --help");
  EXPECT_NE(help.out.find("Example:"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace trustmesh
