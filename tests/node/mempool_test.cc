// Mempool admission, bounds, reaping and re-checking against a real ledger
// state (MemState from genesis; blocks executed with the real executor).
#include "node/mempool.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "ledger/executor.h"
#include "node_util.h"

namespace trustmesh::node {
namespace {

using namespace testing;

class MempoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) genesis_.accounts.push_back({Address::of(account_key(i).public_key()), 1000});
    genesis_.chain_id = "trustmesh-test";
    genesis_.trustees.push_back(Address::of(account_key(0).public_key()));
    state_.apply(genesis_.initial_state().value());
  }
  // Executes txs as block `height` on state_.
  void run_block(const std::vector<Bytes>& txs) {
    ledger::BlockContext ctx{"trustmesh-test", ++height_, 0};
    auto r = ledger::execute_block(state_, ctx, txs);
    ASSERT_TRUE(r.ok());
    state_.apply(r->changes);
  }
  // A copy of the current state, as a committed snapshot is.
  Mempool::StatePtr snapshot() const { return std::make_shared<ledger::MemState>(state_); }

  ledger::Genesis genesis_;
  ledger::MemState state_;
  uint64_t height_ = 0;
};

TEST_F(MempoolTest, AdmitsValidTxAndRefusesDuplicate) {
  Mempool m("trustmesh-test", {}, snapshot());
  Bytes tx = signed_tx(0, 0, send_to(1, 5));
  ASSERT_TRUE(m.add(tx).ok());
  EXPECT_EQ(m.count(), 1u);
  EXPECT_EQ(m.bytes(), tx.size());
  auto dup = m.add(tx);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kDuplicateTx);
  EXPECT_EQ(m.count(), 1u);
}

TEST_F(MempoolTest, RefusesEachKindOfBadTxAndChangesNothing) {
  Mempool m("trustmesh-test", {}, snapshot());
  Bytes bad_sig = signed_tx(0, 0, send_to(1, 5));
  bad_sig[bad_sig.size() - 3] ^= 0x01;
  struct Case {
    Bytes tx;
    ErrorCode code;
  } cases[] = {
      {bad_sig, ErrorCode::kBadSignature},
      {signed_tx(0, 1, send_to(1, 5)), ErrorCode::kBadSequence},
      {signed_tx(0, 0, send_to(1, 5), 1), ErrorCode::kFeeTooLow},
      {signed_tx(0, 0, send_to(1, 5), 2000), ErrorCode::kInsufficientFunds},
      {signed_tx(0, 0, send_to(1, 5), 10, "other-chain"), ErrorCode::kWrongChain},
      {Bytes{0xa1, 0x01}, ErrorCode::kMalformed},
      {Bytes{0xff}, ErrorCode::kMalformed},
  };
  for (const Case& c : cases) {
    auto r = m.add(c.tx);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, c.code) << r.error().to_string();
  }
  EXPECT_EQ(m.count(), 0u);
  EXPECT_EQ(m.bytes(), 0u);
}

TEST_F(MempoolTest, ChainsSequencesAndFeesOfOneSender) {
  Mempool m("trustmesh-test", {}, snapshot());
  // Balance 1000: fees 400 + 400 fit, a third of 400 does not.
  ASSERT_TRUE(m.add(signed_tx(0, 0, send_to(1, 1), 400)).ok());
  ASSERT_TRUE(m.add(signed_tx(0, 1, send_to(1, 1), 400)).ok());
  auto third = m.add(signed_tx(0, 2, send_to(1, 1), 400));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kInsufficientFunds);
  auto gap = m.add(signed_tx(0, 5, send_to(1, 1), 10));
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.error().code, ErrorCode::kBadSequence);
  EXPECT_EQ(m.count(), 2u);
}

TEST_F(MempoolTest, BoundedByCountAndBytes) {
  Mempool by_count("trustmesh-test", {2, 1 << 20}, snapshot());
  ASSERT_TRUE(by_count.add(signed_tx(0, 0, send_to(1, 1))).ok());
  ASSERT_TRUE(by_count.add(signed_tx(1, 0, send_to(2, 1))).ok());
  auto full = by_count.add(signed_tx(2, 0, send_to(0, 1)));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kMempoolFull);

  Bytes one = signed_tx(0, 0, send_to(1, 1));
  Mempool by_bytes("trustmesh-test", {100, one.size() + 10}, snapshot());
  ASSERT_TRUE(by_bytes.add(one).ok());
  auto over = by_bytes.add(signed_tx(1, 0, send_to(2, 1)));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kMempoolFull);
}

TEST_F(MempoolTest, ReapsInArrivalOrderWithinLimits) {
  Mempool m("trustmesh-test", {}, snapshot());
  std::vector<Bytes> txs = {signed_tx(1, 0, send_to(0, 1)), signed_tx(0, 0, send_to(1, 1)),
                            signed_tx(0, 1, send_to(1, 1)), signed_tx(2, 0, send_to(1, 1))};
  for (const Bytes& t : txs) ASSERT_TRUE(m.add(t).ok());
  EXPECT_EQ(m.reap(1 << 20, 100), txs);
  EXPECT_EQ(m.reap(1 << 20, 2), std::vector<Bytes>(txs.begin(), txs.begin() + 2));
  EXPECT_EQ(m.reap(txs[0].size() + txs[1].size(), 100), std::vector<Bytes>(txs.begin(), txs.begin() + 2));
  EXPECT_TRUE(m.reap(1, 100).empty());
}

TEST_F(MempoolTest, UpdateRemovesCommittedAndDropsInvalidated) {
  Mempool m("trustmesh-test", {}, snapshot());
  Bytes a0 = signed_tx(0, 0, send_to(1, 1));
  Bytes a1 = signed_tx(0, 1, send_to(1, 1));
  Bytes b0 = signed_tx(1, 0, send_to(2, 1));
  for (const Bytes& t : {a0, a1, b0}) ASSERT_TRUE(m.add(t).ok());
  // A block elsewhere uses account 1's sequence 0 with a different tx: b0 is now stale.
  Bytes other_b0 = signed_tx(1, 0, send_to(0, 2));
  run_block({a0, other_b0});
  size_t dropped = m.update({sha256(a0), sha256(other_b0)}, snapshot());
  EXPECT_EQ(dropped, 1u);
  EXPECT_EQ(m.reap(1 << 20, 100), std::vector<Bytes>{a1});
  EXPECT_FALSE(m.contains(sha256(b0)));
  // The remaining tx of account 0 now is the next in sequence and still admissible.
  ASSERT_TRUE(m.add(signed_tx(0, 2, send_to(1, 1))).ok());
}

TEST_F(MempoolTest, UpdateKeepsALaterTxThatIsStillValid) {
  Mempool m("trustmesh-test", {}, snapshot());
  Bytes a0 = signed_tx(0, 0, send_to(1, 1));
  Bytes a1 = signed_tx(0, 1, send_to(1, 1));
  ASSERT_TRUE(m.add(a0).ok());
  ASSERT_TRUE(m.add(a1).ok());
  run_block({signed_tx(0, 0, send_to(2, 7))});  // a0's sequence used by another tx
  EXPECT_EQ(m.update({}, snapshot()), 1u);
  // a1 carries seq 1 = the account's next now, so it stays; a0 is gone.
  EXPECT_EQ(m.reap(1 << 20, 100), std::vector<Bytes>{a1});
}

TEST_F(MempoolTest, UpdateDropsTxsThatDependOnADroppedOne) {
  Mempool m("trustmesh-test", {}, snapshot());
  Bytes a0 = signed_tx(0, 0, send_to(1, 1), 500);
  Bytes a1 = signed_tx(0, 1, send_to(1, 1), 10);
  ASSERT_TRUE(m.add(a0).ok());
  ASSERT_TRUE(m.add(a1).ok());
  // Account 0 spends most of its balance elsewhere (with seq 0 taken by this
  // tx, a0 is stale, and a1 would still be next), so only a1 can stay.
  run_block({signed_tx(0, 0, send_to(2, 900), 10)});
  EXPECT_EQ(m.update({}, snapshot()), 1u);
  EXPECT_EQ(m.reap(1 << 20, 100), std::vector<Bytes>{a1});
  // Now the remaining balance (80) cannot pay a1's successor with fee 100.
  auto r = m.add(signed_tx(0, 2, send_to(1, 1), 100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInsufficientFunds);
}

TEST_F(MempoolTest, AdmissionBeforeTheUpdateUsesTheMempoolsOwnState) {
  // A block commits a0 while a1 is pending; until update() runs, admissions
  // are checked against the state the pending set was checked against, never
  // the newer state with the older pending set (which would count a0 twice).
  Mempool m("trustmesh-test", {}, snapshot());
  Bytes a0 = signed_tx(0, 0, send_to(1, 1));
  Bytes a1 = signed_tx(0, 1, send_to(1, 1));
  ASSERT_TRUE(m.add(a0).ok());
  ASSERT_TRUE(m.add(a1).ok());
  run_block({a0});
  ASSERT_TRUE(m.add(signed_tx(0, 2, send_to(1, 1))).ok());
  EXPECT_EQ(m.update({sha256(a0)}, snapshot()), 0u);
  ASSERT_TRUE(m.add(signed_tx(0, 3, send_to(1, 1))).ok());
  EXPECT_EQ(m.count(), 3u);
}

}  // namespace
}  // namespace trustmesh::node
