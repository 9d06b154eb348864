// End to end, as a user runs it: `trustmesh init`, a real `trustmesh node`
// process on 127.0.0.1, and the CLI registering a device name, updating it,
// transferring it, revoking it, and verifying it with the light client at
// each step; plus API error answers from the real process (each refused
// request leaves the state root unchanged).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "core/bytes.h"
#include "core/hash.h"
#include "core/keys.h"
#include "ledger/tx.h"
#include "process_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using nlohmann::json;

class NodeE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = temp_path("e2e");
    Exec init = run("init --data " + data_ + " --port " + std::to_string(free_port()) +
                    " --block-interval-ms 100 --json");
    ASSERT_EQ(init.status, 0) << init.out;
    chain_ = json::parse(init.out)["chain_id"];
    std::string err;
    auto n = NodeProcess::start(data_, &err);
    ASSERT_TRUE(n) << err;
    node_.emplace(std::move(*n));
    // The client commands read these (each also has --node / --keyring).
    ::setenv("TRUSTMESH_NODE", node_->url().c_str(), 1);
    ::setenv("TRUSTMESH_KEYRING", (data_ + "/keys").c_str(), 1);
  }
  void TearDown() override {
    if (node_) {
      int st = node_->signal_and_wait(SIGTERM);
      EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "node did not stop cleanly on SIGTERM";
    }
    std::filesystem::remove_all(data_);
  }
  Exec tm(const std::string& args) { return run(args); }
  json status_of(const std::string& name) {
    Exec r = tm("name status " + name + " --json");
    EXPECT_EQ(r.status, 0) << r.out;
    return last_json(r.out);
  }
  std::string state_root() { return http_get(node_->port(), "/v1/status").json()["state_root"]; }
  uint64_t height() { return http_get(node_->port(), "/v1/status").json()["height"]; }

  std::string data_, chain_;
  std::optional<NodeProcess> node_;
};

std::string hex_hash(const std::string& s) {
  return to_hex(sha256(as_bytes(s)));
}

TEST_F(NodeE2E, GovernanceChangesTheValidatorSetThroughTheCli) {
  json vs = http_get(node_->port(), "/v1/validators").json();
  ASSERT_EQ(vs["validators"].size(), 1u) << vs.dump();
  std::string old_key = vs["validators"][0]["pub_key"];
  std::string new_key = to_hex(KeyPair::generate().value().public_key().encoded());
  // Bad input exits 1 before anything is sent.
  Exec nothing = tm("gov propose --key dev");
  EXPECT_EQ(nothing.status, 1) << nothing.out;
  EXPECT_NE(nothing.out.find("nothing to propose"), std::string::npos) << nothing.out;
  EXPECT_EQ(tm("gov propose --validator zz:1 --key dev").status, 1);
  EXPECT_EQ(tm("gov propose --validator " + new_key + ":x --key dev").status, 1);
  // Weight the running validator up so it alone keeps more than 2/3, and add one.
  Exec prop = tm("gov propose --validator " + old_key + ":10 --validator " + new_key + ":1 --key dev --json");
  ASSERT_EQ(prop.status, 0) << prop.out;
  uint64_t at = last_json(prop.out)["height"];
  for (int i = 0; i < 100 && height() < at + 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_GE(height(), at + 3) << "the chain keeps going: the old validator holds 10 of 11";
  vs = http_get(node_->port(), "/v1/validators").json();
  EXPECT_EQ(vs["validators"].size(), 2u) << vs.dump();
  EXPECT_EQ(vs["total_power"], 11);
  EXPECT_TRUE(vs["pending"].empty());
  auto header = [&](uint64_t h) {
    return http_get(node_->port(), "/v1/blocks/" + std::to_string(h)).json()["header"];
  };
  EXPECT_EQ(header(at + 1)["validators_hash"], header(at)["validators_hash"]);
  EXPECT_NE(header(at + 2)["validators_hash"], header(at + 1)["validators_hash"]);
  EXPECT_EQ(header(at + 2)["validators_hash"], header(at + 1)["next_validators_hash"]);
}

TEST_F(NodeE2E, DeviceNameLifecycleThroughTheCli) {
  const std::string h1 = hex_hash("cert-1"), h2 = hex_hash("cert-2");
  Exec keys = tm("keys new bob --json");
  ASSERT_EQ(keys.status, 0) << keys.out;
  std::string bob = last_json(keys.out)["address"];

  Exec reg = tm("name register dev-1 --key dev --cert-hash " + h1 + " --validity 1000 --json");
  ASSERT_EQ(reg.status, 0) << reg.out;
  json st = status_of("dev-1");
  EXPECT_EQ(st["status"], "active");
  EXPECT_EQ(st["cert_hash"], h1);

  Exec verify = tm("verify dev-1 --anchor " + data_ + "/genesis.json --json");
  ASSERT_EQ(verify.status, 0) << verify.out;
  EXPECT_EQ(last_json(verify.out)["status"], "active") << verify.out;

  Exec upd = tm("name update dev-1 --key dev --cert-hash " + h2 + " --json");
  ASSERT_EQ(upd.status, 0) << upd.out;
  EXPECT_EQ(status_of("dev-1")["cert_hash"], h2);

  // Fund bob so he can pay fees as the new owner.
  KeyPair dev = KeyPair::from_pem(read_all(data_ + "/keys/dev.pem")).value();
  uint64_t seq =
      http_get(node_->port(), "/v1/accounts/" + Address::of(dev.public_key()).to_string()).json()["seq"];
  auto send =
      ledger::make_tx(dev, chain_, seq, 10, ledger::op::Send{Address::parse(bob).value(), 1'000'000}).value();
  Bytes enc = send.encode();
  ASSERT_EQ(
      http_post(node_->port(), "/v1/txs", std::string(enc.begin(), enc.end()), "application/cbor").status,
      202);
  Exec tx = tm("tx status " + to_hex(send.hash()) + " --json");
  EXPECT_EQ(tx.status, 0) << tx.out;

  Exec xfer = tm("name transfer dev-1 --to " + bob + " --key dev --json");
  ASSERT_EQ(xfer.status, 0) << xfer.out;
  EXPECT_EQ(status_of("dev-1")["owner"], bob);

  // The old owner can no longer update it: committed, but the operation fails.
  Exec stolen = tm("name update dev-1 --key dev --cert-hash " + h1 + " --json");
  EXPECT_EQ(stolen.status, 5) << stolen.out;
  EXPECT_NE(stolen.out.find("not_owner"), std::string::npos) << stolen.out;

  Exec rev = tm("name revoke dev-1 --key bob --yes --json");
  ASSERT_EQ(rev.status, 0) << rev.out;
  EXPECT_EQ(status_of("dev-1")["status"], "revoked");
  Exec verify2 = tm("verify dev-1 --anchor " + data_ + "/genesis.json --json");
  EXPECT_EQ(last_json(verify2.out)["status"], "revoked") << verify2.out;

  Exec show = tm("name history dev-1 --json");
  ASSERT_EQ(show.status, 0) << show.out;
  EXPECT_NE(show.out.find("revoke"), std::string::npos);
  EXPECT_EQ(tm("status --json").status, 0);
}

TEST_F(NodeE2E, ApiRefusesBadInputAndChangesNothing) {
  uint16_t p = node_->port();
  // Wait for a quiet chain position: compare roots across refused requests.
  std::string root = state_root();
  EXPECT_EQ(http_get(p, "/v1/names/no-such-device").status, 404);
  EXPECT_EQ(http_get(p, "/v1/names/No%20Such/status").status, 400);
  EXPECT_EQ(http_get(p, "/v1/blocks/notanumber").status, 400);
  EXPECT_EQ(http_get(p, "/v1/blocks/999999999").status, 404);
  EXPECT_EQ(http_get(p, "/v1/txs/zz").status, 400);
  EXPECT_EQ(http_get(p, "/v1/accounts/tm1notanaddress").status, 400);
  EXPECT_EQ(http_get(p, "/v1/nothing-here").status, 404);
  EXPECT_EQ(http_post(p, "/v1/txs", "{not json", "application/json").status, 400);
  EXPECT_EQ(http_post(p, "/v1/txs", std::string("\xa1\x01", 2), "application/cbor").status, 400);
  EXPECT_EQ(http_post(p, "/v1/txs", std::string(2 << 20, 'x'), "application/cbor").status, 413);
  KeyPair dev = KeyPair::from_pem(read_all(data_ + "/keys/dev.pem")).value();
  auto tx = ledger::make_tx(dev, chain_, 0, 10, ledger::op::Send{Address::of(dev.public_key()), 1}).value();
  tx.sig[5] ^= 1;
  Bytes enc = tx.encode();
  auto bad_sig = http_post(p, "/v1/txs", std::string(enc.begin(), enc.end()), "application/cbor");
  EXPECT_EQ(bad_sig.status, 422);
  EXPECT_EQ(bad_sig.json()["error"], "bad_signature") << bad_sig.body;
  // Nothing reached a block: the mempool is empty and, while no tx commits,
  // the state root stays the same (empty blocks do not change state).
  EXPECT_EQ(http_get(p, "/v1/status").json()["mempool"]["txs"], 0);
  EXPECT_EQ(state_root(), root);
}

}  // namespace
}  // namespace trustmesh
