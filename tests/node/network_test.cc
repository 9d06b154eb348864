// Several in-process nodes linked by the real p2p layer (TLS 1.3 on
// 127.0.0.1): 4 validators agree on every block, a full node follows, a node
// started late catches up by block sync, a restarted validator resumes from
// its signature log, and a transaction submitted to one node commits on all.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "ledger/schema.h"
#include "ledger/validators.h"
#include "node/node.h"
#include "node/wire.h"
#include "node_util.h"
#include "p2p/host.h"
#include "store/block_store.h"

namespace trustmesh::node {
namespace {

using testing::TestDir;

constexpr uint64_t kWaitMs = 60000;

// One member of the in-process network: its directory and its node.
struct Member {
  std::unique_ptr<TestDir> dir;
  std::unique_ptr<Node> node;
};

class Network {
 public:
  // `validators` validators (members 0..validators-1) and `full` full nodes.
  Network(int validators, int full) : validators_(validators) {
    for (int i = 0; i < validators + full; ++i) {
      Member m;
      m.dir = std::make_unique<TestDir>(3, validators, testing::test_params(), i < validators ? i : -1);
      members_.push_back(std::move(m));
    }
  }
  ~Network() {
    for (Member& m : members_) {
      if (m.node) m.node->stop();
    }
  }

  NodeConfig config(size_t i) const {
    NodeConfig c = members_[i].dir->config();
    c.block_interval_ms = 50;
    c.timeout_propose_ms = 400;
    c.timeout_prevote_ms = 200;
    c.timeout_precommit_ms = 200;
    c.timeout_propose_delta_ms = c.timeout_prevote_delta_ms = c.timeout_precommit_delta_ms = 100;
    c.gossip_interval_ms = 100;
    c.p2p.host = "127.0.0.1";
    c.p2p.port = 0;
    // Everyone seeds the first node that is running; peer exchange does the rest.
    for (size_t j = 0; j < members_.size(); ++j) {
      if (j != i && members_[j].node && members_[j].node->node_id()) {
        c.p2p.seeds.push_back(members_[j].node->node_id()->to_string() +
                              "@127.0.0.1:" + std::to_string(members_[j].node->p2p_port()));
        break;
      }
    }
    return c;
  }

  void start(size_t i) {
    auto n = Node::open(config(i));
    ASSERT_TRUE(n.ok()) << n.error().to_string();
    members_[i].node = std::move(n).value();
    ASSERT_TRUE(members_[i].node->start().ok());
  }
  void stop(size_t i) {
    members_[i].node->stop();
    members_[i].node.reset();
  }
  Node& node(size_t i) { return *members_[i].node; }
  // Gives member i (before it starts) the key of validator `v`.
  void give_validator_key(size_t i, int v) {
    std::ofstream(members_[i].dir->path() + "/validator.pem") << testing::validator_key(v).to_pem().value();
  }
  size_t size() const { return members_.size(); }

  bool wait_all(uint64_t h) {
    for (Member& m : members_) {
      if (m.node && !m.node->wait_for_height(h, kWaitMs)) return false;
    }
    return true;
  }

  // Every running node has the same block hash at heights 1..h.
  void expect_same_chain(uint64_t h) {
    std::vector<Hash32> want;
    bool first = true;
    for (Member& m : members_) {
      if (!m.node) continue;
      auto view = m.node->view();
      ASSERT_GE(view->height(), h);
      for (uint64_t k = 1; k <= h; ++k) {
        auto hc = store::read_header_commit(*view, k);
        ASSERT_TRUE(hc.ok() && hc->has_value());
        Hash32 hash = consensus::BlockHeader::decode(hc->value().first).value().hash();
        if (first) {
          want.push_back(hash);
        } else {
          EXPECT_EQ(hash, want[k - 1]) << "height " << k;
        }
      }
      first = false;
    }
  }

 private:
  int validators_;
  std::vector<Member> members_;
};

TEST(NetworkTest, FourValidatorsAndAFullNodeAgree) {
  Network net(4, 1);
  for (size_t i = 0; i < net.size(); ++i) net.start(i);
  ASSERT_TRUE(net.wait_all(6));
  net.expect_same_chain(6);
  // Commits carry more than 2/3 of the four validators.
  auto view = net.node(4).view();
  auto hc = store::read_header_commit(*view, 5);
  auto commit = consensus::Commit::decode(hc->value().second).value();
  EXPECT_GE(commit.sigs.size(), 3u);
  EXPECT_GE(net.node(0).peers().size(), 3u) << "peer exchange should link everyone";
}

TEST(NetworkTest, TxSubmittedToTheFullNodeCommitsEverywhere) {
  Network net(4, 1);
  for (size_t i = 0; i < net.size(); ++i) net.start(i);
  ASSERT_TRUE(net.wait_all(2));
  Bytes tx = testing::signed_tx(1, 0, testing::send_to(2, 5), 10, "trustmesh-test");
  auto hash = net.node(4).submit_tx(tx);
  ASSERT_TRUE(hash.ok()) << hash.error().to_string();
  bool found = false;
  for (int i = 0; i < 400 && !found; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto loc = store::find_tx(*net.node(0).view(), *hash);
    found = loc.ok() && loc->has_value();
  }
  EXPECT_TRUE(found) << "a tx gossiped from the full node must reach the proposers";
  uint64_t h = net.node(0).view()->height();
  ASSERT_TRUE(net.wait_all(h));
  net.expect_same_chain(h);
}

TEST(NetworkTest, LateNodeCatchesUpByBlockSync) {
  Network net(4, 1);
  for (size_t i = 0; i < 4; ++i) net.start(i);
  ASSERT_TRUE(net.wait_all(15));
  net.start(4);  // the full node starts from genesis
  uint64_t h = net.node(0).view()->height();
  ASSERT_TRUE(net.node(4).wait_for_height(h + 2, kWaitMs));
  ASSERT_TRUE(net.wait_all(h + 2));  // a validator may itself be a block behind
  net.expect_same_chain(h + 2);
}

TEST(NetworkTest, RestartedValidatorRejoinsFromItsSignatureLog) {
  Network net(4, 0);
  for (size_t i = 0; i < net.size(); ++i) net.start(i);
  ASSERT_TRUE(net.wait_all(4));
  std::string wal = net.config(2).path("consensus/sign.wal");
  net.stop(2);
  EXPECT_GT(std::filesystem::file_size(wal), 0u) << "a validator logs what it signs";
  ASSERT_TRUE(net.node(0).wait_for_height(net.node(0).view()->height() + 3, kWaitMs))
      << "three of four validators keep committing";
  net.start(2);
  uint64_t h = net.node(0).view()->height();
  ASSERT_TRUE(net.wait_all(h + 3));
  net.expect_same_chain(h + 3);
  // The restarted validator signs again: proposers rotate, so within ten
  // blocks it proposes (and signs) some of them.
  ASSERT_TRUE(net.wait_all(h + 10));
  bool signed_again = false;
  Address me = Address::of(testing::validator_key(2).public_key());
  auto view = net.node(0).view();
  for (uint64_t k = h + 1; k <= view->height() && !signed_again; ++k) {
    auto hc = store::read_header_commit(*view, k);
    signed_again = consensus::BlockHeader::decode(hc->value().first).value().proposer == me;
  }
  EXPECT_TRUE(signed_again);
}

consensus::BlockHeader header_at(Node& n, uint64_t h) {
  auto hc = store::read_header_commit(*n.view(), h);
  return consensus::BlockHeader::decode(hc->value().first).value();
}

TEST(NetworkTest, GovernanceAddsAValidatorTwoBlocksLater) {
  Network net(4, 1);
  net.give_validator_key(4, 4);  // a key that is not in the genesis set
  for (size_t i = 0; i < net.size(); ++i) net.start(i);
  ASSERT_TRUE(net.wait_all(2));
  ledger::ValidatorChange add{testing::validator_key(4).public_key(), 1};
  Bytes tx = testing::signed_tx(0, 0, ledger::op::GovPropose{{}, {add}}, 10, "trustmesh-test");
  auto hash = net.node(0).submit_tx(tx);
  ASSERT_TRUE(hash.ok()) << hash.error().to_string();
  std::optional<uint64_t> applied;
  for (int i = 0; i < 400 && !applied; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto loc = store::find_tx(*net.node(0).view(), *hash);
    if (loc.ok() && loc->has_value()) applied = (*loc)->height;
  }
  ASSERT_TRUE(applied) << "the governance tx must commit";
  const uint64_t h = *applied;
  ASSERT_TRUE(net.wait_all(h + 12));
  // Block h+1 still has the old signers but names the new set as next; h+2 is signed by it.
  consensus::BlockHeader h1 = header_at(net.node(0), h + 1), h2 = header_at(net.node(0), h + 2);
  EXPECT_EQ(h1.validators_hash, header_at(net.node(0), h).validators_hash);
  EXPECT_NE(h1.next_validators_hash, h1.validators_hash);
  EXPECT_EQ(h2.validators_hash, h1.next_validators_hash);
  EXPECT_EQ(net.node(4).current_validators().value().validators().size(), 5u);
  EXPECT_TRUE(net.node(4).is_validator());
  // The new validator takes part: its signature appears in commits after h+2.
  Address v4 = Address::of(testing::validator_key(4).public_key());
  bool signed_by_new = false;
  for (uint64_t k = h + 2; k <= h + 12 && !signed_by_new; ++k) {
    auto hc = store::read_header_commit(*net.node(0).view(), k);
    consensus::Commit commit = consensus::Commit::decode(hc->value().second).value();
    for (const auto& sig : commit.sigs) signed_by_new |= sig.validator == v4;
  }
  EXPECT_TRUE(signed_by_new);
  net.expect_same_chain(h + 12);
}

TEST(NetworkTest, EquivocationBecomesEvidenceOnTheLedger) {
  Network net(4, 0);
  for (size_t i = 0; i < net.size(); ++i) net.start(i);
  ASSERT_TRUE(net.wait_all(2));
  // A peer that relays two different prevotes signed by validator 3 for a
  // coming height (the node buffers them until it gets there).
  p2p::HostConfig hc;
  hc.chain_id = "trustmesh-test";
  hc.seeds = {net.node(0).node_id()->to_string() + "@127.0.0.1:" + std::to_string(net.node(0).p2p_port())};
  auto host = p2p::Host::start(hc, [](const p2p::NodeId&, uint8_t, Bytes) {});
  ASSERT_TRUE(host.ok()) << host.error().to_string();
  for (int i = 0; i < 100 && (*host)->peer_count() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ((*host)->peer_count(), 1u);
  const uint64_t target = net.node(0).view()->height() + 2;
  Hash32 a{}, b{};
  a[0] = 0xaa;
  b[0] = 0xbb;
  const KeyPair& k3 = testing::validator_key(3);
  for (const Hash32& block : {a, b}) {
    auto v =
        consensus::make_vote(k3, "trustmesh-test", consensus::VoteType::kPrevote, target, 0, block).value();
    (*host)->broadcast(wire::kChannelConsensus, wire::encode(wire::Msg{v}));
  }
  // The evidence tx is committed and recorded; validator 3 leaves the set.
  Bytes key = ledger::schema::evidence_key(Address::of(k3.public_key()), target, 0, 1);
  bool recorded = false;
  for (int i = 0; i < 400 && !recorded; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto got = ViewReader(net.node(1).view()).get(key);
    recorded = got.ok() && got->has_value();
  }
  EXPECT_TRUE(recorded) << "evidence of the equivocation must be on the ledger";
  EXPECT_GE(net.node(0).metrics().evidence_submitted.load(), 1u);
  uint64_t h = net.node(0).view()->height();
  ASSERT_TRUE(net.wait_all(h + 3));
  EXPECT_FALSE(net.node(0).current_validators().value().index_of(Address::of(k3.public_key())).has_value());
  (*host)->stop();
}

}  // namespace
}  // namespace trustmesh::node
