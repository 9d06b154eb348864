// Integration tests of the BFT network with real processes: 4 validators and
// 1 full node (separate `trustmesh node` processes, each with its own RocksDB)
// on 127.0.0.1, linked over TLS 1.3. Each test ends by checking that every
// running node holds the same block hashes at every height and the same state
// root.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "testnet_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using namespace std::chrono_literals;

constexpr int kWaitMs = 60000;

std::unique_ptr<Testnet> started(const std::string& tag, bool proxies = false) {
  std::string err;
  auto net = Testnet::create(tag, 4, 1, proxies, &err);
  EXPECT_TRUE(net) << err;
  if (!net) return nullptr;
  EXPECT_TRUE(net->start_all(&err)) << err;
  return net;
}

void expect_agreement(const Testnet& net) {
  uint64_t h = net.min_height();
  ASSERT_GE(h, 1u);
  EXPECT_EQ(net.disagreement(h), "");
}

// The chain grows on every running node by `blocks` within the wait.
void expect_progress(const Testnet& net, uint64_t blocks) {
  uint64_t from = 0;
  for (size_t i = 0; i < net.size(); ++i) {
    if (net.running(i)) from = std::max(from, net.height(i).value_or(0));
  }
  EXPECT_TRUE(net.wait_all(from + blocks, kWaitMs)) << "the chain did not grow by " << blocks << " blocks";
}

TEST(Testnet, FourValidatorsAndAFullNodeAgree) {
  auto net = started("tn-agree");
  ASSERT_TRUE(net);
  net->start_load();
  ASSERT_TRUE(net->wait_all(8, kWaitMs));
  auto committed = net->stop_load();
  EXPECT_GT(committed.size(), 0u) << "transactions submitted to any node must commit";
  // The full node serves what the validators committed.
  auto full = http_get(net->api_port(4), "/v1/status").json();
  EXPECT_GE(full["height"].get<uint64_t>(), 8u);
  for (const std::string& tx : committed) {
    auto r = http_get(net->api_port(4), "/v1/txs/" + tx);
    EXPECT_EQ(r.status, 200) << tx;
  }
  expect_agreement(*net);
}

TEST(Testnet, OneValidatorDownKeepsCommittingTwoDownHaltsAndResumes) {
  auto net = started("tn-halt");
  ASSERT_TRUE(net);
  ASSERT_TRUE(net->wait_all(3, kWaitMs));

  net->stop(3, SIGTERM);  // 3 of 4 remain: more than 2/3
  expect_progress(*net, 4);

  net->stop(2, SIGTERM);            // 2 of 4: no quorum, the chain must halt
  std::this_thread::sleep_for(2s);  // let in-flight rounds end
  uint64_t halted = net->height(0).value_or(0);
  std::this_thread::sleep_for(4s);
  for (size_t i : {0, 1, 4}) {
    EXPECT_LE(net->height(i).value_or(0), halted) << "node" << i << " committed without a quorum";
  }
  expect_agreement(*net);

  std::string err;
  ASSERT_TRUE(net->start(2, &err)) << err;
  ASSERT_TRUE(net->start(3, &err)) << err;
  EXPECT_TRUE(net->wait_all(halted + 3, kWaitMs)) << "the chain did not resume";
  expect_agreement(*net);
}

TEST(Testnet, SigkillEachNodeInTurnUnderLoad) {
  auto net = started("tn-kill");
  ASSERT_TRUE(net);
  ASSERT_TRUE(net->wait_all(2, kWaitMs));
  net->start_load();
  for (size_t i = 0; i < net->size(); ++i) {
    std::this_thread::sleep_for(1s);
    int st = net->stop(i, SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    expect_progress(*net, 2);
    std::string err;
    ASSERT_TRUE(net->start(i, &err)) << err;
  }
  auto committed = net->stop_load();
  EXPECT_GT(committed.size(), 0u);
  // Everyone, including the last node restarted, catches up and agrees.
  uint64_t top = 0;
  for (size_t i = 0; i < net->size(); ++i) top = std::max(top, net->height(i).value_or(0));
  ASSERT_TRUE(net->wait_all(top + 1, kWaitMs));
  expect_agreement(*net);
  for (const std::string& tx : committed) {
    for (size_t i = 0; i < net->size(); ++i) {
      EXPECT_EQ(http_get(net->api_port(i), "/v1/txs/" + tx).status, 200) << "node" << i << " lost " << tx;
    }
  }
}

TEST(Testnet, PartitionHaltsMinorityAndHeals) {
  auto net = started("tn-part", /*proxies=*/true);
  ASSERT_TRUE(net);
  ASSERT_TRUE(net->wait_all(3, kWaitMs));

  // Validator 0 alone on one side: the other three validators keep going.
  net->partition({{0}, {1, 2, 3, 4}});
  std::this_thread::sleep_for(1s);
  uint64_t cut = net->height(0).value_or(0);
  EXPECT_TRUE(net->wait_height(1, cut + 4, kWaitMs)) << "the majority side stopped committing";
  EXPECT_LE(net->height(0).value_or(0), cut + 1) << "an isolated validator committed alone";

  // Two and two: nobody has a quorum.
  net->partition({{0, 1}, {2, 3, 4}});
  std::this_thread::sleep_for(2s);
  uint64_t h1 = net->height(1).value_or(0), h2 = net->height(2).value_or(0);
  std::this_thread::sleep_for(4s);
  EXPECT_LE(net->height(1).value_or(0), h1);
  EXPECT_LE(net->height(2).value_or(0), h2);

  net->heal();
  uint64_t top = std::max(h1, h2);
  EXPECT_TRUE(net->wait_all(top + 3, kWaitMs)) << "the network did not recover after healing";
  expect_agreement(*net);
}

}  // namespace
}  // namespace trustmesh
