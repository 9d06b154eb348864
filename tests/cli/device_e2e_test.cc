// Devices end to end with real processes on 127.0.0.1: a `trustmesh node`,
// two `trustmesh device run` agents, and the `trustmesh dm` commands as the
// owner runs them. Set-up, IoTAKE handshake with an encrypted message,
// revocation seen within one block, transfer, key update, configuration, an
// expired name, a lying ledger node, bad and replayed DM messages, and
// hard-fail with the ledger stopped.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/keyring.h"
#include "device/certificate.h"
#include "device/envelope.h"
#include "device/seal.h"
#include "device/service.h"
#include "process_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using nlohmann::json;

// A `trustmesh device run` process; its stdout (JSON lines) goes to a log file.
class DeviceProc {
 public:
  DeviceProc(const std::string& dir, const std::string& name, const std::string& ledger_args) {
    state = dir + "/" + name + ".json";
    log = dir + "/" + name + ".log";
    std::string cmd =
        "exec " + binary() + " device run --state " + state + " " + ledger_args + " > " + log + " 2>&1";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test (it would hold its pipes)
      ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 400 && dm.empty(); ++i) {
      std::istringstream lines(read_all(log));
      for (std::string line; std::getline(lines, line);) {
        json j = json::parse(line, nullptr, false);
        if (j.is_object() && j.value("event", "") == "ready") {
          dm = j["dm"];
          iotake = j["iotake"];
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  ~DeviceProc() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st;
      ::waitpid(pid_, &st, 0);
    }
  }
  std::string id() const { return json::parse(read_all(state))["identity"]["id"]; }

  std::string state, log, dm, iotake;

 private:
  pid_t pid_ = -1;
};

// Whether the log file at `path` comes to contain `needle` within 10 s: a
// peer process writes its line after the other side of a handshake returns.
bool log_shows(const std::string& path, const std::string& needle) {
  for (int i = 0; i < 200; ++i) {
    if (read_all(path).find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class DeviceE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("dev");
    std::filesystem::create_directories(dir_);
    data_ = dir_ + "/node";
    std::string err;
    auto n = start_dev_node(data_, &err);
    ASSERT_TRUE(n) << err;
    node_.emplace(std::move(*n));
    ledger_ = "--ledger " + node_->url() + " --anchor " + data_ + "/genesis.json";
    a_.emplace(dir_, "a", ledger_);
    b_.emplace(dir_, "b", ledger_);
    ASSERT_FALSE(a_->dm.empty()) << read_all(a_->log);
    ASSERT_FALSE(b_->dm.empty()) << read_all(b_->log);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    node_.reset();
    std::filesystem::remove_all(dir_);
  }

  void setup_both() {
    Exec sa = run("dm setup --device " + a_->dm + " --key dev --json");
    ASSERT_EQ(sa.status, 0) << sa.out;
    Exec sb = run("dm setup --device " + b_->dm + " --key dev --json");
    ASSERT_EQ(sb.status, 0) << sb.out;
  }
  Exec connect(const std::string& state, const DeviceProc& to, const std::string& extra = "") {
    return run("device connect --state " + state + " --to " + to.iotake + " --message hi --json " +
               (extra.empty() ? ledger_ : extra));
  }
  std::string copy_state(const DeviceProc& d, const std::string& name) {
    std::string p = dir_ + "/" + name;
    std::filesystem::copy_file(d.state, p);
    return p;
  }

  std::string dir_, data_, ledger_;
  std::optional<NodeProcess> node_;
  std::optional<DeviceProc> a_, b_;
};

TEST_F(DeviceE2E, SetupThenHandshakeAndEncryptedMessage) {
  setup_both();
  Exec show = run("device show --json --state " + a_->state);
  ASSERT_EQ(show.status, 0) << show.out;
  EXPECT_EQ(json::parse(show.out)["state"], "working");
  Exec c = connect(a_->state, *b_);
  ASSERT_EQ(c.status, 0) << c.out;
  json j = json::parse(c.out.substr(c.out.rfind('{')));
  EXPECT_EQ(j["peer"], b_->id());
  EXPECT_EQ(j["reply"], "ack: hi");
  EXPECT_NE(j["ledger"].get<std::string>().find("proof from"), std::string::npos);
  EXPECT_TRUE(log_shows(b_->log, "\"received\":\"hi\"")) << read_all(b_->log);
  // The paper's model: n of N nodes (here 1 of 1) instead of a proof.
  Exec q = connect(a_->state, *b_, "--ledger " + node_->url() + " --lookup quorum");
  EXPECT_EQ(q.status, 0) << q.out;
  EXPECT_NE(q.out.find("1 of 1 nodes agree"), std::string::npos) << q.out;
}

TEST_F(DeviceE2E, RevokedDeviceFailsVerificationFromTheNextBlock) {
  setup_both();
  std::string a_before = copy_state(*a_, "a-before.json");
  Exec r = run("dm revoke --device " + a_->dm + " --key dev --yes --json");
  ASSERT_EQ(r.status, 0) << r.out;
  // No waiting: the revoke was committed in the block the command waited for.
  Exec to_a = connect(b_->state, *a_);
  EXPECT_EQ(to_a.status, 1) << to_a.out;
  EXPECT_NE(to_a.out.find("verification_failure"), std::string::npos) << to_a.out;
  EXPECT_NE(to_a.out.find("revoked"), std::string::npos) << to_a.out;
  // The revoked device with its old state still tries: the peer refuses it.
  Exec from_a = connect(a_before, *b_);
  EXPECT_NE(from_a.status, 0) << from_a.out;
  EXPECT_TRUE(log_shows(b_->log, "verification_failure")) << read_all(b_->log);
  EXPECT_EQ(json::parse(run("device show --json --state " + a_->state).out)["state"], "revoked");
}

TEST_F(DeviceE2E, TransferOldDmRefusedNewDmObeyed) {
  setup_both();
  Exec bob = run("keys new bob --json");
  ASSERT_EQ(bob.status, 0) << bob.out;
  std::string bob_addr = json::parse(bob.out)["address"];
  ASSERT_EQ(run("send --to " + bob_addr + " --amount 1000000 --key dev").status, 0);
  ASSERT_EQ(run("name transfer " + a_->id() + " --to " + bob_addr + " --key dev").status, 0);
  Exec adopt = run("dm adopt --device " + a_->dm + " --key bob --json");
  ASSERT_EQ(adopt.status, 0) << adopt.out;
  Exec old = run("dm rekey --device " + a_->dm + " --key dev");
  EXPECT_EQ(old.status, 1) << old.out;
  EXPECT_NE(old.out.find("not_master"), std::string::npos) << old.out;
  std::ofstream(dir_ + "/c.conf") << "interval=5\n";
  Exec conf =
      run("dm config --device " + a_->dm + " --key bob --file " + dir_ + "/c.conf --encrypt --seed --json");
  EXPECT_EQ(conf.status, 0) << conf.out;
  json shown = json::parse(run("device show --json --state " + a_->state).out);
  EXPECT_EQ(shown["master"], bob_addr);
  EXPECT_EQ(shown["config"], "interval=5\n");
}

TEST_F(DeviceE2E, KeyUpdateOldCertificateFailsNewSucceeds) {
  setup_both();
  std::string a_old = copy_state(*a_, "a-old.json");
  Exec rk = run("dm rekey --device " + a_->dm + " --key dev --json");
  ASSERT_EQ(rk.status, 0) << rk.out;
  Exec stale = connect(a_old, *b_);
  EXPECT_NE(stale.status, 0) << stale.out;
  EXPECT_TRUE(log_shows(b_->log, "certificate hash mismatch")) << read_all(b_->log);
  Exec fresh = connect(a_->state, *b_);
  EXPECT_EQ(fresh.status, 0) << fresh.out;
  // And B still reaches A under its new certificate.
  Exec back = connect(b_->state, *a_);
  EXPECT_EQ(back.status, 0) << back.out;
}

TEST_F(DeviceE2E, ExpiredNameIsRefused) {
  Exec sa = run("dm setup --device " + a_->dm + " --key dev --validity 10 --json");
  ASSERT_EQ(sa.status, 0) << sa.out;
  ASSERT_EQ(run("dm setup --device " + b_->dm + " --key dev --json").status, 0);
  // Active until block registered_at + 10; then refused. Poll: blocks are
  // slower on a loaded machine.
  Exec c;
  for (int i = 0; i < 120; ++i) {
    c = connect(b_->state, *a_);
    if (c.out.find("expired") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(c.status, 1) << c.out;
  EXPECT_NE(c.out.find("verification_failure"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("expired"), std::string::npos) << c.out;
}

TEST_F(DeviceE2E, BadAndReplayedDmMessagesChangeNothing) {
  setup_both();
  KeyPair dev = cli::Keyring(data_ + "/keys").load("dev").value();
  device::Endpoint ep = device::parse_endpoint(a_->dm).value();
  std::string id = a_->id();
  uint64_t last = json::parse(run("device show --json --state " + a_->state).out)["last_nonce"];
  auto command = [&](const std::string& type, uint64_t nonce, cbor::MapEntries body, const KeyPair& k) {
    device::Envelope e;
    e.type = type;
    e.device = id;
    e.nonce = nonce;
    e.body = cbor::Value::map(std::move(body));
    EXPECT_TRUE(e.sign(k).ok());
    return e;
  };
  auto code = [&](const device::Envelope& e) {
    auto reply = device::exchange(ep, e);
    EXPECT_TRUE(reply.ok());
    Status s = device::reply_status(*reply);
    return s.ok() ? ErrorCode::kOk : s.error().code;
  };
  std::string before = read_all(a_->state);
  // Replayed init; stale nonce; bad signature; unknown device; a stranger's command.
  device::Envelope init = command("init", last + 1, {}, dev);
  init.device = "";
  ASSERT_TRUE(init.sign(dev).ok());
  EXPECT_EQ(code(init), ErrorCode::kWrongState);
  EXPECT_EQ(code(command("config", last, {}, dev)), ErrorCode::kStaleNonce);
  device::Envelope forged = command("config", last + 10, {}, dev);
  forged.sig[3] ^= 1;
  EXPECT_EQ(code(forged), ErrorCode::kBadSignature);
  device::Envelope unknown = command("config", last + 11, {}, dev);
  unknown.device = device::new_uuid();
  ASSERT_TRUE(unknown.sign(dev).ok());
  EXPECT_EQ(code(unknown), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(command("rekey", last + 12, {}, KeyPair::generate().value())), ErrorCode::kNotMaster);
  // A tampered sealed configuration (its hash is not even on the ledger).
  PublicKey dev_key =
      device::read_certificate(
          *from_hex(json::parse(read_all(a_->state))["identity"]["cert_der"].get<std::string>()))
          ->key;
  Bytes box = device::seal(dev_key, as_bytes("x=1"), device::config_box_aad(id)).value();
  box[60] ^= 1;
  EXPECT_EQ(code(command("config", last + 13, {{cbor::Value::text("box"), cbor::Value::bytes(box)}}, dev)),
            ErrorCode::kDecryptFailed);
  // A configuration whose hash the ledger does not record, then its replay.
  device::Envelope plain =
      command("config", last + 14, {{cbor::Value::text("config"), cbor::Value::bytes(as_bytes("y"))}}, dev);
  EXPECT_EQ(code(plain), ErrorCode::kVerificationFailure);
  EXPECT_EQ(code(plain), ErrorCode::kStaleNonce);
  // Garbage on the DM port gets an error reply and the device keeps working.
  {
    auto s = device::tcp_connect(ep, 5000).value();
    ASSERT_TRUE(device::write_frame(s, as_bytes("\xa1\x01")).ok());
    auto reply = device::Envelope::decode(device::read_frame(s, device::kMaxEnvelope).value());
    ASSERT_TRUE(reply.ok());
    EXPECT_FALSE(device::reply_status(*reply).ok());
  }
  json after = json::parse(read_all(a_->state));
  EXPECT_EQ(after["state"], "working");
  EXPECT_EQ(after["identity"], json::parse(before)["identity"]);
  EXPECT_EQ(after["config"], "");
  // An unregistered device is unknown to the ledger.
  DeviceProc c(dir_, "c", ledger_);
  Exec init_c = run("dm status --device " + c.dm);
  EXPECT_EQ(init_c.status, 0) << init_c.out;
  EXPECT_EQ(connect(a_->state, c).status, 1);  // c has no identity: the handshake cannot complete
}

// A node that lies: it forwards to the real node and changes the answers.
TEST_F(DeviceE2E, LyingNodeIsCaughtByProofAndByDisagreement) {
  setup_both();
  httplib::Server liar;
  std::string real = node_->url();
  liar.Get(R"(/v1/names/(.*))", [&](const httplib::Request& req, httplib::Response& res) {
    httplib::Client up(real);
    std::string path = req.path;
    if (!req.params.empty()) path += "?prove=true";
    auto r = up.Get(path);
    json j = json::parse(r->body);
    j["cert_hash"] = std::string(64, 'a');  // a certificate of the liar's choosing
    if (j.contains("proof")) j["proof"]["value"] = j["proof"]["value"].get<std::string>().substr(2);
    res.set_content(j.dump(), "application/json");
  });
  int port = liar.bind_to_any_port("127.0.0.1");
  std::thread t([&] { liar.listen_after_bind(); });
  std::string liar_url = "http://127.0.0.1:" + std::to_string(port);
  std::string anchor = " --anchor " + data_ + "/genesis.json";
  Exec only_liar = connect(a_->state, *b_, "--ledger " + liar_url + anchor);
  EXPECT_EQ(only_liar.status, 1) << only_liar.out;
  EXPECT_NE(only_liar.out.find("does not verify"), std::string::npos) << only_liar.out;
  Exec both = connect(a_->state, *b_, "--ledger " + liar_url + " --ledger " + real + anchor);
  EXPECT_EQ(both.status, 0) << both.out;  // the proof from the honest node decides
  Exec quorum =
      connect(a_->state, *b_, "--lookup quorum --quorum 2 --ledger " + liar_url + " --ledger " + real);
  EXPECT_EQ(quorum.status, 1) << quorum.out;
  EXPECT_NE(quorum.out.find("disagree"), std::string::npos) << quorum.out;
  liar.stop();
  t.join();
}

TEST_F(DeviceE2E, MembershipListIsRefreshedWhileRunning) {
  setup_both();
  // A third device whose membership file first lists only a dead node.
  std::string members = dir_ + "/members.json";
  std::string dead = "http://127.0.0.1:" + std::to_string(free_port());
  std::ofstream(members) << json{{"ledger", {dead}}, {"anchor", data_ + "/genesis.json"}}.dump();
  DeviceProc c(dir_, "c", "--members " + members + " --refresh 1");
  ASSERT_FALSE(c.dm.empty()) << read_all(c.log);
  // c cannot check its own registration, nor a peer: no listed node answers.
  ASSERT_EQ(run("dm setup --device " + c.dm + " --key dev --json").status, 1);
  EXPECT_NE(connect(a_->state, c).status, 0);
  EXPECT_TRUE(log_shows(c.log, "ledger_unavailable")) << read_all(c.log);
  // Replace the file atomically, so the device never reads half of it.
  std::ofstream(members + ".new") << json{{"ledger", {dead, node_->url()}}}.dump();
  std::filesystem::rename(members + ".new", members);
  // The device logs a membership event at start too: wait for the one that
  // lists the live node.
  const std::string live = "\"" + node_->url() + "\"";
  ASSERT_TRUE(log_shows(c.log, live)) << read_all(c.log);
  // Its name is on the ledger (the DM registered it); now c can check a too.
  Exec conn = connect(a_->state, c);
  EXPECT_EQ(conn.status, 0) << conn.out << read_all(c.log);
}

TEST_F(DeviceE2E, HardFailWhenNoLedgerNodeAnswers) {
  setup_both();
  ASSERT_EQ(connect(a_->state, *b_).status, 0);
  node_.reset();  // SIGKILL: every ledger node is gone
  Exec c = connect(a_->state, *b_);
  EXPECT_EQ(c.status, 1) << c.out;
  EXPECT_NE(c.out.find("ledger_unavailable"), std::string::npos) << c.out;
}

}  // namespace
}  // namespace trustmesh
