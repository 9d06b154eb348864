// Determinism: >= 10,000 seeded mixed valid and invalid transactions, applied
// (a) to RocksDB in one go, (b) to a fresh RocksDB with a close and reopen in
// the middle, and (c) in memory with an in-memory tree, give the same state
// root at every height. Also checks the supply invariant at the end.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/access.h"
#include "ledger/workload.h"
#include "store/ledger_db.h"
#include "store/smt.h"

namespace trustmesh::store {
namespace {

struct Chain {
  ledger::Genesis genesis;
  std::vector<std::vector<Bytes>> blocks;
};

constexpr uint64_t kBlocks = 200;
constexpr size_t kTxsPerBlock = 52;  // 10,400 transactions

Chain generate(uint64_t seed) {
  ledger::WorkloadOptions wo;
  wo.seed = seed;
  wo.accounts = 24;
  wo.invalid_percent = 30;
  ledger::Workload w(wo);
  Chain c{w.genesis(), {}};
  ledger::MemState state;
  state.apply(c.genesis.initial_state().value());
  for (uint64_t h = 1; h <= kBlocks; ++h) {
    auto txs = w.next_block(state, h, kTxsPerBlock);
    auto r = ledger::execute_block(state, {c.genesis.chain_id, h, h * 6}, txs).value();
    state.apply(r.changes);
    c.blocks.push_back(std::move(txs));
  }
  return c;
}

std::string temp_dir(const std::string& name) {
  auto p =
      std::filesystem::temp_directory_path() / ("trustmesh-det-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  return p.string();
}

std::vector<Hash32> roots_on_rocksdb(const Chain& c, const std::string& dir,
                                     std::optional<uint64_t> reopen_at) {
  std::vector<Hash32> roots;
  auto db = LedgerDb::open(dir, StateDbOptions{.sync = false}).value();
  EXPECT_TRUE(db->init(c.genesis).ok());
  roots.push_back(db->root());
  for (uint64_t h = 1; h <= c.blocks.size(); ++h) {
    if (reopen_at && h == *reopen_at) {
      db.reset();
      db = LedgerDb::open(dir, StateDbOptions{.sync = false}).value();
      EXPECT_EQ(db->height(), h - 1);
      EXPECT_EQ(db->root(), roots.back());
      EXPECT_TRUE(db->init(c.genesis).ok());  // re-init with the same genesis is a no-op check
    }
    auto b = db->apply_block(h * 6, c.blocks[h - 1]).value();
    EXPECT_EQ(b.height, h);
    roots.push_back(b.root);
  }
  return roots;
}

std::vector<Hash32> roots_in_memory(const Chain& c, size_t* ok, size_t* failed, size_t* rejected,
                                    uint64_t* supply, uint64_t* balances) {
  std::vector<Hash32> roots;
  ledger::MemState state;
  MemNodeStore nodes;
  Hash32 root = empty_hash();
  auto commit = [&](const ledger::Changes& changes) {
    std::map<Hash32, Node> fresh;
    root = apply_updates(nodes, root, tree_updates(changes), fresh).value();
    for (const auto& [h, n] : fresh) nodes.put(h, n);
    state.apply(changes);
    roots.push_back(root);
  };
  commit(c.genesis.initial_state().value());
  for (uint64_t h = 1; h <= c.blocks.size(); ++h) {
    auto r = ledger::execute_block(state, {c.genesis.chain_id, h, h * 6}, c.blocks[h - 1]).value();
    for (const auto& t : r.txs) {
      (t.outcome == ledger::TxOutcome::kOk       ? *ok
       : t.outcome == ledger::TxOutcome::kFailed ? *failed
                                                 : *rejected)++;
    }
    commit(r.changes);
  }
  *balances = 0;
  for (const auto& [k, v] : state.entries()) {
    if (k.size() == 22 && k[0] == 'a' && k[1] == ':') {
      *balances += ledger::Account::from_cbor(cbor::decode(v).value()).value().balance;
    }
  }
  ledger::Overlay view(state);
  *supply = ledger::StateAccess(view).supply().value();
  return roots;
}

TEST(Determinism, SameRootsAtEveryHeight) {
  Chain c = generate(42);
  size_t total = 0;
  for (const auto& b : c.blocks) total += b.size();
  ASSERT_GE(total, 10000u);

  size_t ok = 0, failed = 0, rejected = 0;
  uint64_t supply = 0, balances = 0;
  auto mem = roots_in_memory(c, &ok, &failed, &rejected, &supply, &balances);
  // The workload really mixes outcomes.
  EXPECT_GT(ok, total / 2);
  EXPECT_GT(failed, total / 50);
  EXPECT_GT(rejected, total / 20);
  EXPECT_EQ(supply, balances);

  std::string d1 = temp_dir("a"), d2 = temp_dir("b");
  auto a = roots_on_rocksdb(c, d1, std::nullopt);
  auto b = roots_on_rocksdb(c, d2, kBlocks / 2);
  ASSERT_EQ(a.size(), kBlocks + 1);
  for (size_t h = 0; h < a.size(); ++h) {
    ASSERT_EQ(a[h], mem[h]) << "height " << h;
    ASSERT_EQ(b[h], mem[h]) << "height " << h;
  }
  // Applying the same blocks again gives the same roots (no hidden state).
  auto again = roots_in_memory(c, &ok, &failed, &rejected, &supply, &balances);
  EXPECT_EQ(again, mem);
  std::filesystem::remove_all(d1);
  std::filesystem::remove_all(d2);
}

TEST(Determinism, ReInitWithOtherGenesisIsRefused) {
  Chain c = generate(7);
  std::string d = temp_dir("g");
  {
    auto db = LedgerDb::open(d).value();
    ASSERT_TRUE(db->init(c.genesis).ok());
  }
  auto db = LedgerDb::open(d).value();
  ledger::Genesis other = c.genesis;
  other.chain_id = "another-chain";
  EXPECT_EQ(db->init(other).error().code, ErrorCode::kInvalidArgument);
  ledger::Genesis changed = c.genesis;
  changed.accounts[0].balance += 1;
  EXPECT_EQ(db->init(changed).error().code, ErrorCode::kInvalidArgument);
  std::filesystem::remove_all(d);
}

}  // namespace
}  // namespace trustmesh::store
