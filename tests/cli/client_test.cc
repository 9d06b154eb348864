// The client commands without a real node: the keyring (modes 0600/0700,
// no overwrite, key names, import/export round trip), certificate hashes
// (checked against `openssl x509 -outform DER | sha256sum`), salt files, and
// the exit statuses 1-5 against a closed port and a small fake node
// (cpp-httplib server in this process). End-to-end tests against a real node
// are in node_e2e_test.cc.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "cli/http_client.h"
#include "cli/keyring.h"
#include "cli/name_value.h"
#include "cli/private_files.h"
#include "core/hash.h"
#include "process_util.h"

namespace trustmesh::cli {
namespace {

namespace fs = std::filesystem;
using testproc::run;

unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// stdout only (stderr dropped), for commands whose output is data.
testproc::Exec run_stdout(const std::string& args) {
  std::string cmd = testproc::binary() + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  testproc::Exec e;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) e.out.append(buf, n);
  int st = pclose(p);
  e.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return e;
}

std::string shell(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testproc::temp_path("client");
    fs::create_directories(dir_);
    ring_ = dir_ + "/home/.trustmesh/keys";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string kr() const { return " --keyring " + ring_; }

  std::string dir_;
  std::string ring_;
};

TEST_F(ClientTest, NewKeyIsPrivateAndNeverOverwritten) {
  auto r = run("keys new alice" + kr());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "tm1")) << r.out;
  EXPECT_EQ(mode_of(ring_), 0700u);
  EXPECT_EQ(mode_of(dir_ + "/home/.trustmesh"), 0700u);  // created parents too
  EXPECT_EQ(mode_of(ring_ + "/alice.pem"), 0600u);
  std::string before = *read_small_file(ring_ + "/alice.pem");

  auto again = run("keys new alice --alg ed25519" + kr());
  EXPECT_EQ(again.status, 1) << again.out;
  EXPECT_TRUE(contains(again.out, "already exists")) << again.out;
  EXPECT_EQ(*read_small_file(ring_ + "/alice.pem"), before);

  auto ed = run("keys new bob --alg ed25519 --json" + kr());
  ASSERT_EQ(ed.status, 0) << ed.out;
  auto j = nlohmann::json::parse(ed.out);
  EXPECT_EQ(j["alg"], "ed25519");
  EXPECT_EQ(j["name"], "bob");

  auto list = run_stdout("keys list --json" + kr());
  ASSERT_EQ(list.status, 0);
  auto all = nlohmann::json::parse(list.out);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["name"], "alice");
  EXPECT_EQ(all[1]["address"], j["address"]);

  auto show = run("keys show alice" + kr());
  ASSERT_EQ(show.status, 0) << show.out;
  EXPECT_TRUE(contains(show.out, "p256")) << show.out;
  EXPECT_TRUE(contains(show.out, "public key  01")) << show.out;  // 0x01 = P-256 encoded form
}

TEST_F(ClientTest, BadKeyNamesAreRefused) {
  for (const std::string& name :
       std::vector<std::string>{"Alice", "a.b", "../x", "a/b", std::string(65, 'a'), "white\\ space"}) {
    auto r = run("keys new " + name + kr());
    EXPECT_EQ(r.status, 1) << name << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "bad key name")) << r.out;
  }
  EXPECT_EQ(run("keys new " + std::string(64, 'a') + kr()).status, 0);
  EXPECT_FALSE(fs::exists(dir_ + "/home/.trustmesh/x.pem"));
  EXPECT_TRUE(check_key_name("dev_1-x").ok());
  EXPECT_FALSE(check_key_name("").ok());
}

TEST_F(ClientTest, ExportImportRoundTrip) {
  auto created = run_stdout("keys new alice --json" + kr());
  ASSERT_EQ(created.status, 0);
  std::string address = nlohmann::json::parse(created.out)["address"];

  auto pem = run_stdout("keys export alice" + kr());
  ASSERT_EQ(pem.status, 0);
  EXPECT_TRUE(contains(pem.out, "BEGIN PRIVATE KEY")) << pem.out;
  std::ofstream(dir_ + "/alice-export.pem") << pem.out;
  auto imported = run_stdout("keys import alice2 " + dir_ + "/alice-export.pem --json" + kr());
  ASSERT_EQ(imported.status, 0) << imported.out;
  EXPECT_EQ(nlohmann::json::parse(imported.out)["address"], address);
  EXPECT_EQ(mode_of(ring_ + "/alice2.pem"), 0600u);

  auto pub = run_stdout("keys export alice --public" + kr());
  ASSERT_EQ(pub.status, 0);
  EXPECT_TRUE(contains(pub.out, "BEGIN PUBLIC KEY")) << pub.out;
  std::ofstream(dir_ + "/alice.pub.pem") << pub.out;
  auto refused = run("keys import alice3 " + dir_ + "/alice.pub.pem" + kr());
  EXPECT_EQ(refused.status, 1) << refused.out;
  EXPECT_FALSE(fs::exists(ring_ + "/alice3.pem"));

  // Keys made by openssl: Ed25519 PKCS#8 and P-256 SEC1 ("EC PRIVATE KEY").
  shell("openssl genpkey -algorithm ed25519 -out " + dir_ + "/ed.pem 2>/dev/null");
  shell("openssl ecparam -name prime256v1 -genkey -noout -out " + dir_ + "/ec.pem 2>/dev/null");
  auto ed = run("keys import ed " + dir_ + "/ed.pem" + kr());
  EXPECT_EQ(ed.status, 0) << ed.out;
  auto ec = run("keys import ec " + dir_ + "/ec.pem" + kr());
  EXPECT_EQ(ec.status, 0) << ec.out;
  auto again = run("keys import ec " + dir_ + "/ec.pem" + kr());
  EXPECT_EQ(again.status, 1) << again.out;
}

TEST_F(ClientTest, CertHashIsSha256OfTheDer) {
  std::string pem = dir_ + "/c.pem", der = dir_ + "/c.der";
  shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=dev -keyout " + dir_ +
        "/k -out " + pem + " -days 1 2>/dev/null");
  shell("openssl x509 -in " + pem + " -outform DER -out " + der);
  std::string expected = shell("openssl x509 -in " + pem + " -outform DER | sha256sum").substr(0, 64);
  ASSERT_EQ(expected.size(), 64u);

  auto from_pem = read_certificate_der(pem);
  ASSERT_TRUE(from_pem.ok()) << from_pem.error().to_string();
  EXPECT_EQ(to_hex(sha256(*from_pem)), expected);
  auto from_der = read_certificate_der(der);
  ASSERT_TRUE(from_der.ok()) << from_der.error().to_string();
  EXPECT_EQ(*from_der, *from_pem);

  ValueOptions o;
  o.cert = pem;
  auto v = build_name_value(o);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(to_hex(v->cert_hash), expected);
  EXPECT_FALSE(v->cert_der.has_value());
  o.include_cert = true;
  o.config_hash = std::string(64, 'a');
  v = build_name_value(o);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->cert_der, *from_pem);
  EXPECT_TRUE(v->config_hash.has_value());

  ValueOptions by_hash;
  by_hash.cert_hash = expected;
  v = build_name_value(by_hash);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(to_hex(v->cert_hash), expected);
  by_hash.include_cert = true;  // nothing to include
  EXPECT_FALSE(build_name_value(by_hash).ok());
  EXPECT_FALSE(build_name_value(ValueOptions{}).ok());
  by_hash = ValueOptions{};
  by_hash.cert_hash = "abcd";
  EXPECT_FALSE(build_name_value(by_hash).ok());

  // Not a certificate: a key file, garbage.
  auto key = read_certificate_der(dir_ + "/k");
  EXPECT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kMalformed);
  std::ofstream(dir_ + "/junk") << "junk";
  EXPECT_FALSE(read_certificate_der(dir_ + "/junk").ok());
}

TEST_F(ClientTest, PrivateFilesAndSalts) {
  ASSERT_TRUE(make_private_dir(dir_ + "/p/q").ok());
  EXPECT_EQ(mode_of(dir_ + "/p/q"), 0700u);
  ASSERT_TRUE(write_private_file(dir_ + "/p/q/f", "secret").ok());
  EXPECT_EQ(mode_of(dir_ + "/p/q/f"), 0600u);
  Status again = write_private_file(dir_ + "/p/q/f", "other");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(*read_small_file(dir_ + "/p/q/f"), "secret");
  EXPECT_EQ(read_small_file(dir_ + "/p/q/f", 3).error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(read_small_file(dir_ + "/nope").error().code, ErrorCode::kNotFound);

  EXPECT_EQ(file_name_escape("site/dev:1"), "site%2Fdev%3A1");
  EXPECT_NE(file_name_escape("a/b"), file_name_escape("a%2Fb"));
  EXPECT_EQ(path_segment("a/b:c.d"), "a%2Fb%3Ac.d");
  EXPECT_EQ(path_segment(".."), "%2E%2E");

  Keyring ring(ring_);
  EXPECT_EQ(ring.anchors_dir(), dir_ + "/home/.trustmesh/anchors");
  EXPECT_EQ(Keyring(ring_ + "/").anchors_dir(), dir_ + "/home/.trustmesh/anchors");
  auto key = KeyPair::generate();
  ASSERT_TRUE(key.ok());
  SaltRecord rec{"site/dev:1", Address::of(key->public_key()), Bytes(32, 7)};
  ASSERT_TRUE(ring.save_salt(rec).ok());
  EXPECT_EQ(ring.salt_path("site/dev:1"), ring_ + "/site%2Fdev%3A1.salt");
  EXPECT_EQ(mode_of(ring.salt_path("site/dev:1")), 0600u);
  EXPECT_FALSE(ring.save_salt(rec).ok());  // never overwritten
  auto back = ring.load_salt("site/dev:1");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->salt, rec.salt);
  EXPECT_EQ((*back)->owner, rec.owner);
  ring.remove_salt("site/dev:1");
  auto gone = ring.load_salt("site/dev:1");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_FALSE(SaltRecord::from_json("{\"name\": \"x\"}").ok());
}

TEST_F(ClientTest, ClosedPortExitsThreeWithAClearMessage) {
  ASSERT_EQ(run("keys new alice" + kr()).status, 0);
  std::string node = " --node http://127.0.0.1:" + std::to_string(testproc::free_port());
  std::ofstream(dir_ + "/c.pem") << "x";
  for (const std::string& cmd :
       std::vector<std::string>{"status", "account --key alice" + kr(), "tx status " + std::string(64, 'a'),
                                "name show dev-1", "name status dev-1", "name history dev-1",
                                "name register dev-1 --key alice --cert-hash " + std::string(64, 'b') + kr(),
                                "name renew dev-1 --validity 10 --key alice" + kr(), "verify dev-1" + kr()}) {
    auto r = run(cmd + node);
    EXPECT_EQ(r.status, 3) << cmd << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "error: ")) << r.out;
    EXPECT_TRUE(contains(r.out, "cannot reach the node at http://127.0.0.1:")) << r.out;
    EXPECT_TRUE(contains(r.out, "make run")) << r.out;
  }
  // The registration failed before choosing a salt: nothing to resume.
  EXPECT_FALSE(fs::exists(ring_ + "/dev-1.salt"));
}

TEST_F(ClientTest, BadInputExitsOneBeforeTheNodeAndUsageTwo) {
  ASSERT_EQ(run("keys new alice" + kr()).status, 0);
  std::string node = " --node http://127.0.0.1:" + std::to_string(testproc::free_port());
  // Refused locally (exit 1), so the closed port is never reached (that would be 3).
  for (const std::string& cmd : std::vector<std::string>{
           "name show Bad-Name", "tx status 1234", "account tm1xyz", "account --key nobody" + kr(),
           "name register dev-1 --key alice --cert " + dir_ + "/missing.pem" + kr(),
           "name transfer dev-1 --to tm1nope --key alice" + kr(),
           "name revoke dev-1 --key alice" + kr() + " < /dev/null"}) {
    auto r = run(cmd + node);
    EXPECT_EQ(r.status, 1) << cmd << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "error: ")) << r.out;
  }
  auto revoke = run("name revoke dev-1 --key alice" + kr() + node + " < /dev/null");
  EXPECT_TRUE(contains(revoke.out, "--yes")) << revoke.out;
  auto url = run("status --node ftp://x");
  EXPECT_EQ(url.status, 1) << url.out;

  for (std::string cmd :
       {"name register", "name register dev-1", "keys new", "keys", "tx",
        "name register dev-1 --key a --cert x --cert-hash y", "status --bogus", "account tm1x --key alice"}) {
    auto r = run(cmd);
    EXPECT_EQ(r.status, 2) << cmd << ": " << r.out;
  }
}

TEST_F(ClientTest, HelpHasExamples) {
  for (std::string cmd :
       {"keys", "keys new", "keys list", "keys show", "keys export", "keys import", "name", "name register",
        "name update", "name transfer", "name renew", "name revoke", "name show", "name history",
        "name status", "tx status", "status", "account", "verify"}) {
    auto r = run(cmd + " --help");
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_TRUE(contains(r.out, "Example: trustmesh " + cmd.substr(0, cmd.find(' '))))
        << cmd << ": " << r.out;
  }
  auto reg = run("name register --help");
  EXPECT_TRUE(contains(reg.out, "Example: trustmesh name register dev-42 --key alice --cert dev.pem"));
  EXPECT_TRUE(contains(reg.out, "--timeout"));
  EXPECT_TRUE(contains(reg.out, "--json"));
  EXPECT_TRUE(contains(reg.out, "--node"));
}

// A fake node: just enough of docs/API.md, HTTP API to drive exit codes 1, 4 and 5.
class FakeNode {
 public:
  FakeNode() {
    svr_.Get("/v1/status", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"chain_id": "fake", "height": 5, "time": 1})", "application/json");
    });
    svr_.Get(R"(/v1/txs/(\w+))", [](const httplib::Request& req, httplib::Response& res) {
      std::string h = req.matches[1];
      if (h == std::string(64, 'a')) {
        res.set_content(R"({"hash": ")" + h + R"(", "status": "pending"})", "application/json");
      } else {
        res.set_content(R"({"hash": ")" + h +
                            R"(", "status": "committed", "height": 4, "index": 0, "outcome": "failed",
                            "code": 402, "error": "not_owner", "message": "not yours", "burned": 10})",
                        "application/json");
      }
    });
    svr_.Get("/v1/names/gone", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(
          R"({"code": 401, "error": "name_not_found", "message": "name 'gone' is not registered"})",
          "application/json");
    });
    svr_.Get("/v1/names/html", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("<html>nothing here</html>", "text/html");
    });
    port_ = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeNode() {
    svr_.stop();
    thread_.join();
  }
  std::string url() const { return " --node http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server svr_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(ClientTest, ExitCodesAgainstAFakeNode) {
  FakeNode fake;
  auto status = run_stdout("status --json" + fake.url());
  ASSERT_EQ(status.status, 0) << status.out;
  EXPECT_EQ(nlohmann::json::parse(status.out)["chain_id"], "fake");

  auto failed = run("tx status " + std::string(64, 'b') + fake.url());
  EXPECT_EQ(failed.status, 5) << failed.out;
  EXPECT_TRUE(contains(failed.out, "not_owner (402)")) << failed.out;

  auto pending = run("tx status " + std::string(64, 'a') + fake.url());
  EXPECT_EQ(pending.status, 0) << pending.out;
  EXPECT_TRUE(contains(pending.out, "pending")) << pending.out;
  auto waited = run("tx status " + std::string(64, 'a') + " --wait --timeout 1" + fake.url());
  EXPECT_EQ(waited.status, 4) << waited.out;
  EXPECT_TRUE(contains(waited.out, "timed out after 1 s")) << waited.out;

  auto gone = run("name show gone" + fake.url());
  EXPECT_EQ(gone.status, 1) << gone.out;
  EXPECT_TRUE(contains(gone.out, "error: name_not_found (401): name 'gone' is not registered")) << gone.out;
  auto html = run("name show html" + fake.url());
  EXPECT_EQ(html.status, 1) << html.out;
  EXPECT_TRUE(contains(html.out, "is this a trustmesh node?")) << html.out;
}

}  // namespace
}  // namespace trustmesh::cli
