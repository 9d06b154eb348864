// Block store entries and read views: written in the same batch as a height,
// read back through consistent snapshots, with the tx and owner indexes.
#include "store/block_store.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "store_util.h"

namespace trustmesh::store {
namespace {

using testing_util::TempDir;

Address addr(int i) {
  Hash32 seed = sha256(as_bytes("owner-" + std::to_string(i)));
  return Address::of(KeyPair::from_seed(KeyAlg::kP256, ByteView(seed)).value().public_key());
}

Result<Hash32> commit_with_block(StateDb& db, uint64_t h, const std::vector<Hash32>& txs,
                                 const std::vector<OwnerIndexChange>& owners) {
  ChangeSet changes{{to_bytes("k" + std::to_string(h)), to_bytes("v" + std::to_string(h))}};
  TM_ASSIGN_OR_RETURN(PreparedCommit p, db.prepare(h, changes));
  Bytes header = to_bytes("header-" + std::to_string(h));
  Bytes block = to_bytes("block-" + std::to_string(h));
  Bytes commit = to_bytes("commit-" + std::to_string(h));
  Bytes results = to_bytes("results-" + std::to_string(h));
  return db.write(p, block_writes(h, header, block, commit, results, txs, owners));
}

TEST(BlockStore, BlocksAndIndexesCommitWithTheirHeight) {
  TempDir dir;
  auto db = StateDb::open(dir.path()).value();
  Hash32 t1 = sha256(as_bytes("tx1")), t2 = sha256(as_bytes("tx2"));
  ASSERT_TRUE(commit_with_block(*db, 1, {t1, t2}, {{addr(1), "dev-b", true}, {addr(1), "dev-a", true}}).ok());
  ASSERT_TRUE(commit_with_block(*db, 2, {}, {{addr(1), "dev-a", false}, {addr(2), "dev-a", true}}).ok());
  auto v = db->view();
  EXPECT_EQ(v->height(), 2u);
  auto b1 = read_block(*v, 1).value();
  ASSERT_TRUE(b1);
  EXPECT_EQ(b1->header, to_bytes("header-1"));
  EXPECT_EQ(b1->block, to_bytes("block-1"));
  EXPECT_EQ(b1->commit, to_bytes("commit-1"));
  EXPECT_EQ(b1->results, to_bytes("results-1"));
  EXPECT_FALSE(read_block(*v, 3).value());
  auto hc = read_header_commit(*v, 2).value();
  ASSERT_TRUE(hc);
  EXPECT_EQ(hc->first, to_bytes("header-2"));
  auto loc = find_tx(*v, t2).value();
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->height, 1u);
  EXPECT_EQ(loc->index, 1u);
  EXPECT_FALSE(find_tx(*v, sha256(as_bytes("nope"))).value());
  EXPECT_EQ(names_of(*v, addr(1), 10).value(), std::vector<std::string>{"dev-b"});
  EXPECT_EQ(names_of(*v, addr(2), 10).value(), std::vector<std::string>{"dev-a"});
  EXPECT_TRUE(names_of(*v, addr(3), 10).value().empty());
}

TEST(BlockStore, ViewIsASnapshotOfItsHeight) {
  TempDir dir;
  auto db = StateDb::open(dir.path()).value();
  ASSERT_TRUE(commit_with_block(*db, 1, {}, {}).ok());
  auto old = db->view();
  ASSERT_TRUE(commit_with_block(*db, 2, {}, {}).ok());
  EXPECT_EQ(old->height(), 1u);
  EXPECT_FALSE(read_block(*old, 2).value());  // committed after the snapshot
  EXPECT_FALSE(old->get(to_bytes("k2")).value());
  EXPECT_TRUE(old->get(to_bytes("k1")).value());
  // A proof from the old view verifies against the old root.
  auto p = old->prove(to_bytes("k1")).value();
  EXPECT_TRUE(verify_membership(old->root(), to_bytes("k1"), to_bytes("v1"), p).ok());
  EXPECT_EQ(db->view()->height(), 2u);
}

TEST(BlockStore, ReopenedDbServesTheSameBlocks) {
  TempDir dir;
  {
    auto db = StateDb::open(dir.path()).value();
    ASSERT_TRUE(commit_with_block(*db, 1, {sha256(as_bytes("a"))}, {}).ok());
  }
  auto db = StateDb::open(dir.path()).value();
  auto v = db->view();
  EXPECT_EQ(v->height(), 1u);
  EXPECT_TRUE(read_block(*v, 1).value());
  EXPECT_TRUE(find_tx(*v, sha256(as_bytes("a"))).value());
}

TEST(BlockStore, RefusesRawKeysInTheStoresOwnNamespace) {
  TempDir dir;
  auto db = StateDb::open(dir.path()).value();
  auto p = db->prepare(1, {}).value();
  auto r = db->write(p, {RawWrite{"s-not-allowed", std::string("x")}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(db->height(), 0u);  // nothing written
  auto stale = db->prepare(2, {});
  EXPECT_FALSE(stale.ok());
}

}  // namespace
}  // namespace trustmesh::store
