// NodeCache: hits, misses, eviction on slot collision, and concurrent use.
#include "store/node_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "store/store_util.h"

namespace trustmesh::store {
namespace {

using testing_util::random_hash;

Node leaf(std::mt19937_64& rng) {
  return Node{Node::Kind::kLeaf, random_hash(rng), random_hash(rng)};
}

TEST(NodeCache, GetPutAndCollisions) {
  NodeCache cache(1 << 20);
  EXPECT_GT(cache.slots(), 1000u);
  EXPECT_EQ(cache.slots() & (cache.slots() - 1), 0u);  // power of two
  std::mt19937_64 rng(1);
  Node a = leaf(rng);
  EXPECT_FALSE(cache.get(a.hash()).has_value());
  cache.put(a.hash(), a);
  ASSERT_TRUE(cache.get(a.hash()).has_value());
  EXPECT_EQ(*cache.get(a.hash()), a);

  // A one-slot cache keeps only the last node.
  NodeCache tiny(1);
  EXPECT_EQ(tiny.slots(), 1u);
  Node b = leaf(rng);
  tiny.put(a.hash(), a);
  tiny.put(b.hash(), b);
  EXPECT_FALSE(tiny.get(a.hash()).has_value());
  EXPECT_EQ(*tiny.get(b.hash()), b);
}

TEST(NodeCache, ConcurrentReadersAndWriters) {
  NodeCache cache(64 * 1024);  // small: many collisions
  std::vector<Node> nodes;
  std::mt19937_64 rng(2);
  for (int i = 0; i < 4000; ++i) nodes.push_back(leaf(rng));
  std::vector<Hash32> hashes;
  for (const Node& n : nodes) hashes.push_back(n.hash());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = t; i < nodes.size(); i += 3) {
          if (round % 2 == 0) cache.put(hashes[i], nodes[i]);
          std::optional<Node> got = cache.get(hashes[i]);
          if (got && !(*got == nodes[i])) wrong++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace trustmesh::store
