// Shared helpers for the store tests: temp dirs, random hashes, applying
// updates to a MemNodeStore, and the deterministic block change sets.
#include "store/store_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

namespace trustmesh::store::testing_util {

TempDir::TempDir() {
  std::string tmpl = ::testing::TempDir();
  if (tmpl.empty() || tmpl.back() != '/') tmpl += '/';
  tmpl += "tm_store_XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* p = mkdtemp(buf.data());
  TM_ASSERT(p != nullptr);
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Hash32 random_hash(std::mt19937_64& rng) {
  Hash32 h;
  for (size_t i = 0; i < h.size(); i += 8) {
    uint64_t x = rng();
    for (size_t j = 0; j < 8; ++j) h[i + j] = static_cast<uint8_t>(x >> (8 * j));
  }
  return h;
}

Hash32 apply(MemNodeStore& store, const Hash32& root, std::vector<TreeUpdate> updates) {
  std::map<Hash32, Node> new_nodes;
  Result<Hash32> r = apply_updates(store, root, std::move(updates), new_nodes);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return Hash32{};
  for (const auto& [h, n] : new_nodes) {
    EXPECT_EQ(h, n.hash());
    store.put(h, n);
  }
  return *r;
}

Hash32 root_of(const std::map<Hash32, Hash32>& kv) {
  MemNodeStore store;
  std::vector<TreeUpdate> ups;
  for (const auto& [k, v] : kv) ups.push_back(TreeUpdate{k, v});
  return apply(store, empty_hash(), std::move(ups));
}

namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

ChangeSet block_changes(uint64_t height, size_t n, uint64_t key_space) {
  ChangeSet cs;
  for (uint64_t j = 0; cs.size() < n; ++j) {
    uint64_t r = splitmix64(height * 1000003ULL + j);
    Bytes key = bytes_of("key/" + std::to_string(r % key_space));
    if (cs.count(key) != 0) continue;
    if ((r >> 32) % 6 == 0) {
      cs.emplace(std::move(key), std::nullopt);
    } else {
      cs.emplace(std::move(key), bytes_of("value of block " + std::to_string(height) + " #" +
                                          std::to_string(j) + std::string((r >> 40) % 100, 'x')));
    }
  }
  return cs;
}

Bytes bytes_of(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

}  // namespace trustmesh::store::testing_util
