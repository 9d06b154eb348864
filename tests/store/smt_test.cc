// Sparse Merkle tree: randomized differential test against a std::map model,
// structural invariants (compaction), history independence, long shared key
// prefixes, node encoding and error paths.
#include "store/smt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>

#include "store/proof.h"
#include "store/store_util.h"

namespace trustmesh::store {
namespace {

using testing_util::apply;
using testing_util::random_hash;
using testing_util::root_of;

// Checks the compaction invariants of the subtree `h` at `depth` whose keys all
// start with the first `depth` bits of `prefix`; returns its number of keys.
size_t check_subtree(const NodeStore& store, const Hash32& h, size_t depth, const Hash32& prefix,
                     bool* leaf) {
  *leaf = false;
  if (h == empty_hash()) return 0;
  Result<std::optional<Node>> r = store.get_node(h);
  EXPECT_TRUE(r.ok() && r->has_value()) << "missing node at depth " << depth;
  if (!r.ok() || !r->has_value()) return 0;
  const Node& n = **r;
  EXPECT_EQ(n.hash(), h);
  if (n.kind == Node::Kind::kLeaf) {
    for (size_t i = 0; i < depth; ++i) EXPECT_EQ(key_bit(n.a, i), key_bit(prefix, i)) << "leaf off its path";
    *leaf = true;
    return 1;
  }
  EXPECT_LT(depth, kMaxTreeDepth);
  bool left_leaf = false;
  bool right_leaf = false;
  Hash32 right_prefix = prefix;
  right_prefix[depth / 8] |= static_cast<uint8_t>(0x80 >> (depth % 8));
  Hash32 left_prefix = prefix;
  left_prefix[depth / 8] &= static_cast<uint8_t>(~(0x80 >> (depth % 8)));
  size_t l = check_subtree(store, n.a, depth + 1, left_prefix, &left_leaf);
  size_t r2 = check_subtree(store, n.b, depth + 1, right_prefix, &right_leaf);
  EXPECT_GE(l + r2, 2u) << "internal node with fewer than two keys at depth " << depth;
  return l + r2;
}

size_t check_tree(const NodeStore& store, const Hash32& root) {
  bool leaf = false;
  return check_subtree(store, root, 0, Hash32{}, &leaf);
}

// Every node in new_nodes must be reachable from root through new nodes.
void check_new_nodes_reachable(const Hash32& root, const std::map<Hash32, Node>& new_nodes) {
  std::set<Hash32> seen;
  std::vector<Hash32> todo{root};
  while (!todo.empty()) {
    Hash32 h = todo.back();
    todo.pop_back();
    auto it = new_nodes.find(h);
    if (it == new_nodes.end() || !seen.insert(h).second) continue;
    if (it->second.kind == Node::Kind::kInternal) {
      todo.push_back(it->second.a);
      todo.push_back(it->second.b);
    }
  }
  EXPECT_EQ(seen.size(), new_nodes.size()) << "unreachable nodes added";
}

TEST(Smt, RandomizedAgainstModel) {
  std::mt19937_64 rng(0x5eed1234);
  MemNodeStore store;
  Hash32 root = empty_hash();
  std::map<std::string, std::string> model;
  std::vector<std::pair<Hash32, size_t>> roots;  // root and key count after each round
  const int kKeySpace = 1500;

  for (int round = 0; round < 80; ++round) {
    size_t batch_size = 1 + rng() % (round % 10 == 0 ? 600 : 120);
    std::map<std::string, std::optional<std::string>> batch;
    while (batch.size() < batch_size) {
      std::string k = "k" + std::to_string(rng() % kKeySpace);
      int op = static_cast<int>(rng() % 10);
      if (op < 3) {
        batch[k] = std::nullopt;  // delete, possibly absent
      } else {
        batch[k] = "v" + std::to_string(rng() % 1000);  // insert or update (maybe same value)
      }
    }
    std::vector<TreeUpdate> ups;
    for (const auto& [k, v] : batch) {
      TreeUpdate u{tree_key(as_bytes(k)), std::nullopt};
      if (v) u.value_hash = value_digest(as_bytes(*v));
      ups.push_back(u);
      if (v) {
        model[k] = *v;
      } else {
        model.erase(k);
      }
    }
    std::shuffle(ups.begin(), ups.end(), rng);
    std::map<Hash32, Node> new_nodes;
    Result<Hash32> r = apply_updates(store, root, ups, new_nodes);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    check_new_nodes_reachable(*r, new_nodes);
    for (const auto& [h, n] : new_nodes) store.put(h, n);
    root = *r;
    roots.emplace_back(root, model.size());

    ASSERT_EQ(check_tree(store, root), model.size()) << "round " << round;
    std::map<Hash32, Hash32> kv;
    for (const auto& [k, v] : model) kv[tree_key(as_bytes(k))] = value_digest(as_bytes(v));
    ASSERT_EQ(root, root_of(kv)) << "root depends on history, round " << round;

    for (int i = 0; i < kKeySpace; i += (round % 8 == 0 ? 1 : 7)) {
      std::string k = "k" + std::to_string(i);
      Hash32 kh = tree_key(as_bytes(k));
      Result<std::optional<Hash32>> got = lookup(store, root, kh);
      ASSERT_TRUE(got.ok());
      Result<Proof> p = prove(store, root, kh);
      ASSERT_TRUE(p.ok());
      auto it = model.find(k);
      if (it == model.end()) {
        EXPECT_FALSE(got->has_value()) << k;
        Status s = verify_non_membership(root, as_bytes(k), *p);
        EXPECT_TRUE(s.ok()) << k << ": " << s.error().to_string();
      } else {
        ASSERT_TRUE(got->has_value()) << k;
        EXPECT_EQ(**got, value_digest(as_bytes(it->second)));
        Status s = verify_membership(root, as_bytes(k), as_bytes(it->second), *p);
        EXPECT_TRUE(s.ok()) << k << ": " << s.error().to_string();
      }
    }
  }
  // Old roots stay readable (nodes are never removed).
  for (const auto& [old_root, size] : roots) EXPECT_EQ(check_tree(store, old_root), size);
}

TEST(Smt, HistoryIndependence) {
  std::mt19937_64 rng(42);
  std::vector<std::pair<Hash32, Hash32>> final_set;
  for (int i = 0; i < 700; ++i) final_set.emplace_back(random_hash(rng), random_hash(rng));

  // One batch.
  MemNodeStore s1;
  std::vector<TreeUpdate> all;
  for (const auto& [k, v] : final_set) all.push_back(TreeUpdate{k, v});
  Hash32 r1 = apply(s1, empty_hash(), all);

  // Reverse order, one key per batch.
  MemNodeStore s2;
  Hash32 r2 = empty_hash();
  for (auto it = final_set.rbegin(); it != final_set.rend(); ++it) {
    r2 = apply(s2, r2, {TreeUpdate{it->first, it->second}});
  }
  EXPECT_EQ(r1, r2);

  // Random batches with extra keys and temporary values, then cleanup.
  MemNodeStore s3;
  Hash32 r3 = empty_hash();
  std::vector<Hash32> extras;
  for (int i = 0; i < 300; ++i) extras.push_back(random_hash(rng));
  std::vector<TreeUpdate> pending;
  for (const auto& [k, v] : final_set)
    pending.push_back(TreeUpdate{k, random_hash(rng)});  // wrong values first
  for (const Hash32& e : extras) pending.push_back(TreeUpdate{e, random_hash(rng)});
  std::shuffle(pending.begin(), pending.end(), rng);
  for (size_t i = 0; i < pending.size();) {
    size_t n = std::min(pending.size() - i, size_t{1 + rng() % 97});
    r3 = apply(s3, r3, std::vector<TreeUpdate>(pending.begin() + i, pending.begin() + i + n));
    i += n;
  }
  EXPECT_NE(r3, r1);
  std::vector<TreeUpdate> fix;
  for (const auto& [k, v] : final_set) fix.push_back(TreeUpdate{k, v});
  for (const Hash32& e : extras) fix.push_back(TreeUpdate{e, std::nullopt});
  std::shuffle(fix.begin(), fix.end(), rng);
  for (size_t i = 0; i < fix.size();) {
    size_t n = std::min(fix.size() - i, size_t{1 + rng() % 150});
    r3 = apply(s3, r3, std::vector<TreeUpdate>(fix.begin() + i, fix.begin() + i + n));
    i += n;
  }
  EXPECT_EQ(r1, r3);
  EXPECT_EQ(check_tree(s3, r3), final_set.size());

  // Delete everything: back to the empty root, in one batch and one by one.
  std::vector<TreeUpdate> del;
  for (const auto& [k, v] : final_set) del.push_back(TreeUpdate{k, std::nullopt});
  EXPECT_EQ(apply(s1, r1, del), empty_hash());
  Hash32 r = r2;
  for (size_t i = 0; i < final_set.size(); ++i) {
    r = apply(s2, r, {TreeUpdate{final_set[i].first, std::nullopt}});
    if (i + 1 == final_set.size() - 1) {
      // One key left: the root is that key's leaf.
      EXPECT_EQ(r, leaf_hash(final_set.back().first, final_set.back().second));
    }
  }
  EXPECT_EQ(r, empty_hash());
}

TEST(Smt, LongSharedPrefixes) {
  std::mt19937_64 rng(7);
  Hash32 base = random_hash(rng);
  auto flip = [&](size_t bit) {
    Hash32 k = base;
    k[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
    return k;
  };
  // Keys sharing at least 200 bits with base, including one differing only in
  // the last bit (so its leaf and base's sit at depth 256).
  std::vector<Hash32> keys{base, flip(255), flip(254), flip(200), flip(230), flip(201)};
  Hash32 b2 = flip(230);
  b2[31] ^= 0x01;  // shares 230 bits with base and 255 with flip(230)
  keys.push_back(b2);

  std::map<Hash32, Hash32> model;
  MemNodeStore store;
  Hash32 root = empty_hash();
  for (const Hash32& k : keys) {
    Hash32 v = random_hash(rng);
    model[k] = v;
    root = apply(store, root, {TreeUpdate{k, v}});
    EXPECT_EQ(root, root_of(model));
    EXPECT_EQ(check_tree(store, root), model.size());
  }
  for (const auto& [k, v] : model) {
    Result<std::optional<Hash32>> got = lookup(store, root, k);
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, v);
    Result<Proof> p = prove(store, root, k);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(p->terminal.has_value());
    EXPECT_EQ(p->terminal->key_hash, k);
    EXPECT_EQ(proof_root(k, *p), root);
    EXPECT_GE(p->siblings.size(), 201u);
    Result<Proof> dec = decode_proof(encode_proof(*p));
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ(*dec, *p);
  }
  Result<Proof> deepest = prove(store, root, base);
  ASSERT_TRUE(deepest.ok());
  EXPECT_EQ(deepest->siblings.size(), kMaxTreeDepth);

  // Absent keys with long shared prefixes.
  for (size_t bit : {size_t{253}, size_t{210}, size_t{231}}) {
    Hash32 k = flip(bit);
    Result<Proof> p = prove(store, root, k);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(proof_root(k, *p), root);
    if (p->terminal) {
      EXPECT_NE(p->terminal->key_hash, k);
    }
    Result<std::optional<Hash32>> got = lookup(store, root, k);
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->has_value());
  }

  // Deleting base lifts flip(255)'s leaf all the way up past the deep chain
  // once the others are gone too.
  std::vector<TreeUpdate> del;
  for (const Hash32& k : keys) {
    if (k != flip(255)) del.push_back(TreeUpdate{k, std::nullopt});
  }
  Hash32 r = apply(store, root, del);
  EXPECT_EQ(r, leaf_hash(flip(255), model[flip(255)]));
}

TEST(Smt, UpdateWithSameValueKeepsRoot) {
  std::mt19937_64 rng(3);
  std::map<Hash32, Hash32> kv;
  for (int i = 0; i < 100; ++i) kv[random_hash(rng)] = random_hash(rng);
  MemNodeStore store;
  std::vector<TreeUpdate> ups;
  for (const auto& [k, v] : kv) ups.push_back(TreeUpdate{k, v});
  Hash32 root = apply(store, empty_hash(), ups);
  EXPECT_EQ(apply(store, root, ups), root);
  // Deleting absent keys changes nothing.
  std::vector<TreeUpdate> absent;
  for (int i = 0; i < 50; ++i) absent.push_back(TreeUpdate{random_hash(rng), std::nullopt});
  EXPECT_EQ(apply(store, root, absent), root);
  EXPECT_EQ(apply(store, root, {}), root);
}

// Several batches applied against the same new_nodes before anything reaches
// the store (nodes already in new_nodes are looked up before the store).
TEST(Smt, ChainedBatchesThroughNewNodes) {
  std::mt19937_64 rng(11);
  MemNodeStore store;
  std::map<Hash32, Hash32> kv;
  std::vector<TreeUpdate> first;
  for (int i = 0; i < 300; ++i) {
    Hash32 k = random_hash(rng);
    kv[k] = random_hash(rng);
    first.push_back(TreeUpdate{k, kv[k]});
  }
  Hash32 base = apply(store, empty_hash(), first);

  std::map<Hash32, Node> pending;
  Hash32 root = base;
  for (int b = 0; b < 5; ++b) {
    std::vector<TreeUpdate> ups;
    std::set<Hash32> used;
    for (int i = 0; i < 60; ++i) {
      Hash32 k = (rng() % 2 == 0 && !kv.empty()) ? std::next(kv.begin(), rng() % kv.size())->first
                                                 : random_hash(rng);
      if (!used.insert(k).second) continue;
      if (rng() % 3 == 0) {
        ups.push_back(TreeUpdate{k, std::nullopt});
        kv.erase(k);
      } else {
        Hash32 v = random_hash(rng);
        ups.push_back(TreeUpdate{k, v});
        kv[k] = v;
      }
    }
    Result<Hash32> r = apply_updates(store, root, ups, pending);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    root = *r;
  }
  EXPECT_EQ(root, root_of(kv));
  for (const auto& [h, n] : pending) store.put(h, n);
  EXPECT_EQ(check_tree(store, root), kv.size());
}

TEST(Smt, NodeEncoding) {
  Node leaf{Node::Kind::kLeaf, tree_key(as_bytes("a")), value_digest(as_bytes("b"))};
  Node inner{Node::Kind::kInternal, leaf.hash(), empty_hash()};
  for (const Node& n : {leaf, inner}) {
    Bytes b = n.serialize();
    ASSERT_EQ(b.size(), 65u);
    EXPECT_EQ(b[0], static_cast<uint8_t>(n.kind));
    Result<Node> p = Node::parse(b);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, n);
  }
  EXPECT_EQ(leaf.hash(), leaf_hash(leaf.a, leaf.b));
  EXPECT_EQ(inner.hash(), internal_hash(inner.a, inner.b));

  Bytes b = leaf.serialize();
  EXPECT_FALSE(Node::parse(Bytes(b.begin(), b.end() - 1)).ok());
  Bytes longer = b;
  longer.push_back(0);
  EXPECT_FALSE(Node::parse(longer).ok());
  Bytes bad_kind = b;
  bad_kind[0] = 2;
  Result<Node> r = Node::parse(bad_kind);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  Bytes both_empty(65, 0);
  both_empty[0] = 1;
  EXPECT_FALSE(Node::parse(both_empty).ok());
  EXPECT_FALSE(Node::parse(Bytes{}).ok());
}

TEST(Smt, UnknownRootIsAnError) {
  MemNodeStore store;
  Hash32 bogus = tree_key(as_bytes("no such node"));
  Result<Proof> p = prove(store, bogus, bogus);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(lookup(store, bogus, bogus).ok());
  std::map<Hash32, Node> nn;
  EXPECT_FALSE(apply_updates(store, bogus, {TreeUpdate{bogus, bogus}}, nn).ok());
}

TEST(SmtDeathTest, DuplicateKeysInBatchAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MemNodeStore store;
  Hash32 k = tree_key(as_bytes("dup"));
  std::map<Hash32, Node> nn;
  EXPECT_DEATH((void)apply_updates(store, empty_hash(), {TreeUpdate{k, k}, TreeUpdate{k, std::nullopt}}, nn),
               "invariant violated");
}

}  // namespace
}  // namespace trustmesh::store
