// The node in-process: block production by the single validator, blocks and
// commits in the block store, the header chain, restart from disk, and the
// checks made when opening a data directory.
#include "node/node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/hash.h"
#include "ledger/schema.h"
#include "node_util.h"

namespace trustmesh::node {
namespace {

using namespace testing;

std::unique_ptr<Node> open_node(const NodeConfig& c) {
  auto n = Node::open(c);
  EXPECT_TRUE(n.ok()) << n.error().to_string();
  return n.ok() ? std::move(*n) : nullptr;
}

// Decoded header and commit of a stored height.
std::pair<consensus::BlockHeader, consensus::Commit> header_at(const Node& n, uint64_t h) {
  auto v = n.view();
  auto hc = store::read_header_commit(*v, h);
  EXPECT_TRUE(hc.ok() && hc->has_value()) << "no block " << h;
  return {consensus::BlockHeader::decode(hc->value().first).value(),
          consensus::Commit::decode(hc->value().second).value()};
}

TEST(NodeTest, ProducesSignedHashLinkedBlocks) {
  TestDir dir;
  auto node = open_node(dir.config());
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->start().ok());
  ASSERT_TRUE(node->wait_for_height(5, 20000));
  node->stop();

  auto view = node->view();
  Hash32 prev{};
  for (uint64_t h = 1; h <= view->height(); ++h) {
    auto [header, commit] = header_at(*node, h);
    EXPECT_EQ(header.height, h);
    EXPECT_EQ(header.chain_id, "trustmesh-test");
    EXPECT_EQ(header.prev_hash, prev);
    EXPECT_EQ(header.validators_hash, node->current_validators().value().hash());
    EXPECT_EQ(header.state_root, node->view()->height() == h ? view->root() : header.state_root);
    EXPECT_GE(header.time, dir.genesis().genesis_time);
    Status ok = consensus::verify_commit(node->current_validators().value(), header, commit);
    EXPECT_TRUE(ok.ok()) << ok.error().to_string();
    prev = header.hash();
  }
}

TEST(NodeTest, CommitsSubmittedTxsAndIndexesThem) {
  TestDir dir;
  auto node = open_node(dir.config());
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->start().ok());
  std::vector<Hash32> hashes;
  for (uint64_t s = 0; s < 5; ++s) {
    auto h = node->submit_tx(signed_tx(0, s, send_to(1, 100)));
    ASSERT_TRUE(h.ok()) << h.error().to_string();
    hashes.push_back(*h);
  }
  // A resubmission is refused: as a duplicate while pending, as a replay once committed.
  auto again = node->submit_tx(signed_tx(0, 4, send_to(1, 100)));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.error().code == ErrorCode::kDuplicateTx || again.error().code == ErrorCode::kBadSequence)
      << again.error().to_string();
  for (int i = 0; i < 200 && node->mempool().count() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(node->mempool().count(), 0u);
  node->stop();

  auto view = node->view();
  for (const Hash32& h : hashes) {
    auto loc = store::find_tx(*view, h);
    ASSERT_TRUE(loc.ok() && loc->has_value());
    auto stored = store::read_block(*view, loc->value().height);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    auto block = consensus::Block::decode(stored->value().block);
    ASSERT_TRUE(block.ok());
    ASSERT_LT(loc->value().index, block->txs.size());
    EXPECT_EQ(sha256(block->txs[loc->value().index]), h);
  }
  auto acct = view->get(ledger::schema::account_key(Address::of(account_key(1).public_key())));
  ASSERT_TRUE(acct.ok() && acct->has_value());
  auto a = ledger::Account::from_cbor(cbor::decode(**acct).value()).value();
  EXPECT_EQ(a.balance, 1'000'000'000u + 500);
  // A replay of a committed tx is refused (its sequence is used).
  auto replay = node->submit_tx(signed_tx(0, 0, send_to(1, 100)));
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, ErrorCode::kBadSequence);
}

TEST(NodeTest, RestartsFromDiskWithTheSameChain) {
  TestDir dir;
  uint64_t height = 0;
  Hash32 root{}, hash{};
  {
    auto node = open_node(dir.config());
    ASSERT_TRUE(node);
    ASSERT_TRUE(node->start().ok());
    ASSERT_TRUE(node->submit_tx(signed_tx(0, 0, send_to(1, 100))).ok());
    ASSERT_TRUE(node->wait_for_height(4, 20000));
    node->stop();
    height = node->view()->height();
    root = node->view()->root();
    hash = header_at(*node, height).first.hash();
  }
  auto node = open_node(dir.config());
  ASSERT_TRUE(node);
  EXPECT_EQ(node->view()->height(), height);
  EXPECT_EQ(node->view()->root(), root);
  ASSERT_TRUE(node->start().ok());
  ASSERT_TRUE(node->wait_for_height(height + 2, 20000));
  node->stop();
  EXPECT_EQ(header_at(*node, height + 1).first.prev_hash, hash);
}

TEST(NodeTest, ViewsStayConsistentWhileBlocksCommit) {
  TestDir dir;
  auto node = open_node(dir.config());
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->start().ok());
  ASSERT_TRUE(node->wait_for_height(1, 20000));
  auto old = node->view();
  ASSERT_TRUE(node->wait_for_height(old->height() + 3, 20000));
  // The old view still reads its own height: its header's root is its root.
  auto hc = store::read_header_commit(*old, old->height());
  ASSERT_TRUE(hc.ok() && hc->has_value());
  EXPECT_EQ(consensus::BlockHeader::decode(hc->value().first)->state_root, old->root());
  auto next = store::read_header_commit(*old, old->height() + 1);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());  // not visible in the old snapshot
  old.reset();
  node->stop();
}

TEST(NodeTest, OpenRefusesBadDirectories) {
  {
    TestDir dir(2, 1);
    // Genesis without validators.
    ledger::Genesis g = dir.genesis();
    g.validators.clear();
    std::ofstream(dir.path() + "/genesis.json") << g.to_json();
    auto n = Node::open(dir.config());
    ASSERT_FALSE(n.ok());
    EXPECT_NE(n.error().message.find("no validators"), std::string::npos);
  }
  {
    TestDir dir(2, 1);
    NodeConfig c = dir.config();
    c.genesis = "missing.json";
    auto n = Node::open(c);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().code, ErrorCode::kIo);
  }
  {
    // A data directory of one chain opened with another chain's genesis.
    TestDir dir(2, 1);
    { ASSERT_TRUE(open_node(dir.config())); }
    ledger::Genesis g = dir.genesis();
    g.chain_id = "other-chain";
    std::ofstream(dir.path() + "/genesis.json") << g.to_json();
    auto n = Node::open(dir.config());
    ASSERT_FALSE(n.ok());
  }
}

TEST(NodeTest, MetricsReportHeightAndTxs) {
  TestDir dir;
  auto node = open_node(dir.config());
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->start().ok());
  ASSERT_TRUE(node->submit_tx(signed_tx(0, 0, send_to(1, 1))).ok());
  for (int i = 0; i < 200 && node->metrics().txs_committed.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  node->stop();
  std::string text = node->metrics().render();
  EXPECT_NE(text.find("trustmesh_height " + std::to_string(node->view()->height())), std::string::npos);
  EXPECT_NE(text.find("trustmesh_txs_committed_total 1"), std::string::npos);
  EXPECT_NE(text.find("trustmesh_block_commit_seconds_count"), std::string::npos);
}

}  // namespace
}  // namespace trustmesh::node
