// Crash safety of a real node process: while a client streams transactions,
// the node is killed with SIGKILL 20 times at seeded random moments. After
// each restart every transaction the API had reported as committed must still
// be committed at the same height, and at the end `trustmesh audit` must
// re-execute the block store from genesis to exactly the node's state root.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "core/bytes.h"
#include "core/keys.h"
#include "ledger/tx.h"
#include "process_util.h"

namespace trustmesh {
namespace {

using namespace testproc;

TEST(NodeCrash, SigkillTwentyTimesLosesNoCommittedTx) {
  std::string data = temp_path("crash");
  uint16_t port = free_port();
  Exec init =
      run("init --data " + data + " --port " + std::to_string(port) + " --block-interval-ms 40 --json");
  ASSERT_EQ(init.status, 0) << init.out;
  std::string chain = nlohmann::json::parse(init.out)["chain_id"];
  KeyPair dev = KeyPair::from_pem(read_all(data + "/keys/dev.pem")).value();
  std::string dev_addr = Address::of(dev.public_key()).to_string();
  Address sink = Address::of(KeyPair::generate().value().public_key());

  std::mt19937_64 rng(20261123);
  std::map<std::string, uint64_t> committed;  // tx hash -> height the API reported
  for (int round = 0; round < 20; ++round) {
    std::string err;
    auto node = NodeProcess::start(data, &err);
    ASSERT_TRUE(node) << err;
    // Everything reported committed before is still there, at the same height.
    for (const auto& [hash, height] : committed) {
      auto r = http_get(node->port(), "/v1/txs/" + hash);
      ASSERT_EQ(r.status, 200) << "round " << round << ": committed tx " << hash << " lost: " << r.body;
      auto j = r.json();
      ASSERT_EQ(j["status"], "committed") << r.body;
      ASSERT_EQ(j["height"].get<uint64_t>(), height) << r.body;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(150 + rng() % 500);
    std::vector<std::string> inflight;
    while (std::chrono::steady_clock::now() < deadline) {
      auto acct = http_get(node->port(), "/v1/accounts/" + dev_addr).json();
      ASSERT_TRUE(acct.contains("seq")) << acct.dump();
      uint64_t seq = acct["seq"].get<uint64_t>();
      inflight.clear();
      for (int i = 0; i < 4; ++i) {
        auto tx = ledger::make_tx(dev, chain, seq + i, 10, ledger::op::Send{sink, 1}).value();
        Bytes enc = tx.encode();
        // Both submission forms: JSON {"tx": hex} and raw CBOR.
        auto r = i % 2 ? http_post(node->port(), "/v1/txs", nlohmann::json{{"tx", to_hex(enc)}}.dump(),
                                   "application/json")
                       : http_post(node->port(), "/v1/txs", std::string(enc.begin(), enc.end()),
                                   "application/cbor");
        if (r.status == 202 || r.status == 200) inflight.push_back(to_hex(tx.hash()));
      }
      // Poll until they commit (or the kill comes first).
      for (int poll = 0; poll < 50 && !inflight.empty() && std::chrono::steady_clock::now() < deadline;
           ++poll) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        for (auto it = inflight.begin(); it != inflight.end();) {
          auto j = http_get(node->port(), "/v1/txs/" + *it).json();
          if (j.is_object() && j.value("status", "") == "committed") {
            committed[*it] = j["height"].get<uint64_t>();
            it = inflight.erase(it);
          } else {
            ++it;
          }
        }
      }
    }
    int st = node->signal_and_wait(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  }
  // How many commit in the short windows depends on the machine's load (a
  // timing, not a property); what matters is that none of them is lost.
  EXPECT_GT(committed.size(), 0u) << "the client should have seen transactions commit";

  // A clean stop, then the audit: replaying the block store gives the state root.
  auto node = NodeProcess::start(data);
  ASSERT_TRUE(node);
  int st = node->signal_and_wait(SIGTERM);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "node did not stop cleanly on SIGTERM";
  Exec audit = run("audit --data " + data + " --json");
  ASSERT_EQ(audit.status, 0) << audit.out;
  auto report = nlohmann::json::parse(audit.out.substr(audit.out.find('{')));
  EXPECT_TRUE(report["ok"].get<bool>());
  EXPECT_GE(report["height"].get<uint64_t>(), 1u);
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace trustmesh
