// StateDb on a real RocksDB in a temp dir: commit/get/prove, height checks,
// reopen, and proofs against the roots of old heights.
#include "store/state_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "store/proof.h"
#include "store/smt.h"
#include "store/store_util.h"

namespace trustmesh::store {
namespace {

using testing_util::block_changes;
using testing_util::bytes_of;
using testing_util::TempDir;

using Model = std::map<Bytes, Bytes>;

std::unique_ptr<StateDb> open_db(const std::string& path, bool sync = false, size_t node_cache_mb = 1) {
  StateDbOptions o;
  o.sync = sync;
  o.block_cache_mb = 8;
  o.node_cache_mb = node_cache_mb;
  Result<std::unique_ptr<StateDb>> db = StateDb::open(path, o);
  EXPECT_TRUE(db.ok()) << db.error().to_string();
  return db.ok() ? std::move(db).value() : nullptr;
}

void apply_model(Model& m, const ChangeSet& cs) {
  for (const auto& [k, v] : cs) {
    if (v) {
      m[k] = *v;
    } else {
      m.erase(k);
    }
  }
}

Hash32 model_root(const Model& m) {
  std::map<Hash32, Hash32> kv;
  for (const auto& [k, v] : m) kv[tree_key(k)] = value_digest(v);
  return testing_util::root_of(kv);
}

TEST(StateDb, FreshDbIsEmpty) {
  TempDir dir;
  auto db = open_db(dir.path() + "/db");
  ASSERT_TRUE(db);
  EXPECT_EQ(db->height(), 0u);
  EXPECT_EQ(db->root(), empty_hash());
  Result<Hash32> r0 = db->root_at(0);
  ASSERT_TRUE(r0.ok());
  EXPECT_EQ(*r0, empty_hash());
  Result<Hash32> r1 = db->root_at(1);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, ErrorCode::kNotFound);
  Result<std::optional<Bytes>> v = db->get(as_bytes("k"));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
  Result<Proof> p = db->prove(as_bytes("k"));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(verify_non_membership(db->root(), as_bytes("k"), *p).ok());
  EXPECT_FALSE(db->prove(as_bytes("k"), 1).ok());
}

TEST(StateDb, CommitGetProve) {
  TempDir dir;
  auto db = open_db(dir.path());
  ASSERT_TRUE(db);
  ChangeSet cs;
  for (int i = 0; i < 50; ++i)
    cs[bytes_of("name/" + std::to_string(i))] = bytes_of("record " + std::to_string(i));
  cs[bytes_of("")] = bytes_of("empty key");
  cs[bytes_of("never")] = std::nullopt;  // deleting an absent key is a no-op
  Result<Hash32> r = db->commit(1, cs);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Model m;
  apply_model(m, cs);
  EXPECT_EQ(*r, db->root());
  EXPECT_EQ(db->height(), 1u);
  EXPECT_EQ(db->root(), model_root(m));

  for (const auto& [k, v] : m) {
    Result<std::optional<Bytes>> got = db->get(k);
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, v);
    Result<Proof> p = db->prove(k);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(verify_membership(db->root(), k, v, *p).ok());
    EXPECT_FALSE(verify_non_membership(db->root(), k, *p).ok());
  }
  for (const char* k : {"never", "name/50", "nope"}) {
    Result<std::optional<Bytes>> got = db->get(as_bytes(k));
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->has_value());
    Result<Proof> p = db->prove(as_bytes(k));
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(verify_non_membership(db->root(), as_bytes(k), *p).ok());
  }

  // StateDb is a NodeStore: the root node is there.
  Result<std::optional<Node>> root_node = db->get_node(db->root());
  ASSERT_TRUE(root_node.ok());
  ASSERT_TRUE(root_node->has_value());
  EXPECT_EQ((*root_node)->hash(), db->root());
  Result<std::optional<Node>> none = db->get_node(tree_key(as_bytes("not a node")));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // Update and delete at height 2.
  ChangeSet cs2{{bytes_of("name/1"), bytes_of("changed")}, {bytes_of("name/2"), std::nullopt}};
  ASSERT_TRUE(db->commit(2, cs2).ok());
  apply_model(m, cs2);
  EXPECT_EQ(db->root(), model_root(m));
  EXPECT_EQ(**db->get(as_bytes("name/1")), bytes_of("changed"));
  EXPECT_FALSE(db->get(as_bytes("name/2"))->has_value());
  Result<Proof> p2 = db->prove(as_bytes("name/2"));
  ASSERT_TRUE(p2.ok());
  EXPECT_TRUE(verify_non_membership(db->root(), as_bytes("name/2"), *p2).ok());
  // At height 1 it was there.
  Result<Proof> p1 = db->prove(as_bytes("name/2"), 1);
  ASSERT_TRUE(p1.ok());
  EXPECT_TRUE(verify_membership(*db->root_at(1), as_bytes("name/2"), as_bytes("record 2"), *p1).ok());

  // An empty block keeps the root.
  Hash32 before = db->root();
  ASSERT_TRUE(db->commit(3, {}).ok());
  EXPECT_EQ(db->root(), before);
  EXPECT_EQ(*db->root_at(3), before);
  EXPECT_GT(db->disk_bytes(), 0u);
}

TEST(StateDb, WrongHeightRejectedAndChangesNothing) {
  TempDir dir;
  Hash32 root;
  {
    auto db = open_db(dir.path());
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->commit(1, {{bytes_of("a"), bytes_of("1")}}).ok());
    root = db->root();
    ChangeSet evil{{bytes_of("a"), bytes_of("2")}, {bytes_of("b"), bytes_of("3")}};
    for (uint64_t h : {uint64_t{0}, uint64_t{1}, uint64_t{3}, uint64_t{100}}) {
      Result<Hash32> r = db->commit(h, evil);
      ASSERT_FALSE(r.ok()) << h;
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
      EXPECT_EQ(db->height(), 1u);
      EXPECT_EQ(db->root(), root);
      EXPECT_EQ(**db->get(as_bytes("a")), bytes_of("1"));
      EXPECT_FALSE(db->get(as_bytes("b"))->has_value());
    }
  }
  auto db = open_db(dir.path());
  ASSERT_TRUE(db);
  EXPECT_EQ(db->height(), 1u);
  EXPECT_EQ(db->root(), root);
  EXPECT_EQ(**db->get(as_bytes("a")), bytes_of("1"));
  EXPECT_FALSE(db->get(as_bytes("b"))->has_value());
  EXPECT_FALSE(db->root_at(2).ok());
}

class StateDbCache : public ::testing::TestWithParam<size_t> {};

// With and without the node cache (0 MB), and with a tiny one (constant eviction).
INSTANTIATE_TEST_SUITE_P(NodeCacheMb, StateDbCache, ::testing::Values(size_t{0}, size_t{1}, size_t{64}));

TEST_P(StateDbCache, ReopenKeepsEverythingAndOldRootsProveOldValues) {
  TempDir dir;
  const size_t cache_mb = GetParam();
  const uint64_t kBlocks = 30;
  std::vector<Model> snapshots{Model{}};  // snapshots[h] = state after h
  std::vector<Hash32> roots{empty_hash()};
  {
    auto db = open_db(dir.path(), /*sync=*/true, cache_mb);
    ASSERT_TRUE(db);
    Model m;
    for (uint64_t h = 1; h <= kBlocks; ++h) {
      ChangeSet cs = block_changes(h, 100, 400);
      Result<Hash32> r = db->commit(h, cs);
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      apply_model(m, cs);
      snapshots.push_back(m);
      roots.push_back(*r);
      if (h % 10 == 0) {
        ASSERT_EQ(*r, model_root(m)) << h;
      }
    }
  }
  auto db = open_db(dir.path(), /*sync=*/false, cache_mb);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->height(), kBlocks);
  EXPECT_EQ(db->root(), roots.back());
  for (uint64_t h = 0; h <= kBlocks; ++h) {
    Result<Hash32> r = db->root_at(h);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, roots[h]) << h;
  }
  const Model& latest = snapshots.back();
  for (const auto& [k, v] : latest) {
    Result<std::optional<Bytes>> got = db->get(k);
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, v);
  }
  // Every key of the key space at a few old heights: membership with the old
  // value or non-membership, against that height's root.
  for (uint64_t h : {uint64_t{1}, uint64_t{7}, uint64_t{15}, kBlocks}) {
    const Model& snap = snapshots[h];
    for (int i = 0; i < 400; i += 3) {
      Bytes k = bytes_of("key/" + std::to_string(i));
      Result<Proof> p = db->prove(k, h);
      ASSERT_TRUE(p.ok());
      auto it = snap.find(k);
      if (it != snap.end()) {
        EXPECT_TRUE(verify_membership(roots[h], k, it->second, *p).ok()) << h << " " << i;
        if (h < kBlocks && latest.count(k) != 0 && latest.at(k) != it->second) {
          // The old value does not verify against the latest root.
          Result<Proof> now = db->prove(k);
          ASSERT_TRUE(now.ok());
          EXPECT_FALSE(verify_membership(db->root(), k, it->second, *now).ok());
        }
      } else {
        EXPECT_TRUE(verify_non_membership(roots[h], k, *p).ok()) << h << " " << i;
      }
    }
  }
  // Continues at the next height after reopening.
  EXPECT_FALSE(db->commit(kBlocks, {}).ok());
  EXPECT_TRUE(db->commit(kBlocks + 1, block_changes(kBlocks + 1, 100, 400)).ok());
}

TEST(StateDb, Genesis) {
  TempDir dir;
  ChangeSet genesis{{bytes_of("g:chain_id"), bytes_of("test-chain")}, {bytes_of("acct/1"), bytes_of("100")}};
  Model m;
  apply_model(m, genesis);
  Hash32 groot;
  {
    auto db = open_db(dir.path());
    ASSERT_TRUE(db);
    EXPECT_FALSE(db->has_genesis());
    Result<Hash32> r = db->commit_genesis(genesis);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    groot = *r;
    EXPECT_EQ(groot, model_root(m));
    EXPECT_TRUE(db->has_genesis());
    EXPECT_EQ(db->height(), 0u);
    EXPECT_EQ(db->root(), groot);
    EXPECT_EQ(*db->root_at(0), groot);
    EXPECT_EQ(**db->get(as_bytes("acct/1")), bytes_of("100"));
    Result<Proof> p = db->prove(as_bytes("acct/1"), 0);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(verify_membership(groot, as_bytes("acct/1"), as_bytes("100"), *p).ok());
    // Only once.
    Result<Hash32> again = db->commit_genesis({});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(db->root(), groot);
  }
  auto db = open_db(dir.path());
  ASSERT_TRUE(db);
  EXPECT_TRUE(db->has_genesis());
  EXPECT_EQ(db->height(), 0u);
  EXPECT_EQ(db->root(), groot);
  EXPECT_EQ(*db->root_at(0), groot);
  ChangeSet b1{{bytes_of("acct/2"), bytes_of("5")}};
  ASSERT_TRUE(db->commit(1, b1).ok());
  apply_model(m, b1);
  EXPECT_EQ(db->root(), model_root(m));
  EXPECT_EQ(*db->root_at(0), groot);
  EXPECT_FALSE(db->commit_genesis({}).ok());

  // Not after block 1 either, on a database without genesis.
  TempDir dir2;
  auto db2 = open_db(dir2.path());
  ASSERT_TRUE(db2);
  ASSERT_TRUE(db2->commit(1, b1).ok());
  EXPECT_FALSE(db2->commit_genesis(genesis).ok());
  EXPECT_EQ(*db2->root_at(0), empty_hash());
}

TEST(StateDb, OpenErrors) {
  TempDir dir;
  StateDbOptions o;
  o.create_if_missing = false;
  Result<std::unique_ptr<StateDb>> r = StateDb::open(dir.path() + "/missing", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);

  std::string file = dir.path() + "/file";
  std::ofstream(file) << "not a directory";
  r = StateDb::open(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);

  // The same directory cannot be opened twice at once (RocksDB lock).
  auto db = open_db(dir.path() + "/db");
  ASSERT_TRUE(db);
  r = StateDb::open(dir.path() + "/db");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace trustmesh::store

namespace trustmesh::store {
namespace {

TEST(StateDb, BlockDigestIsStoredWithTheHeight) {
  auto dir = std::filesystem::temp_directory_path() / ("trustmesh-digest-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Hash32 d{};
  d[0] = 7;
  {
    auto db = StateDb::open(dir.string()).value();
    ASSERT_TRUE(db->commit(1, {{Bytes{'k'}, Bytes{'v'}}}, d).ok());
    ASSERT_TRUE(db->commit(2, {{Bytes{'k'}, std::nullopt}}).ok());
  }
  auto db = StateDb::open(dir.string()).value();
  EXPECT_EQ(db->block_digest_at(1).value(), std::optional<Hash32>(d));
  EXPECT_FALSE(db->block_digest_at(2).value().has_value());
  EXPECT_FALSE(db->block_digest_at(3).value().has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace trustmesh::store
