// Helpers shared by the store tests (store_util.cc is linked into each of them).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "store/smt.h"
#include "store/state_db.h"

namespace trustmesh::store::testing_util {

// A fresh directory under the GoogleTest temp dir, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Hash32 random_hash(std::mt19937_64& rng);

// Applies updates to `root` in `store` (adding the new nodes); aborts the
// calling test on error (use with ASSERT_NO_FATAL_FAILURE or check root).
Hash32 apply(MemNodeStore& store, const Hash32& root, std::vector<TreeUpdate> updates);

// Root of a fresh tree holding exactly `kv` (key hash -> value hash).
Hash32 root_of(const std::map<Hash32, Hash32>& kv);

// The deterministic change set of block `height` used by the state db and crash
// tests: `n` keys out of a space of `key_space`, roughly one in six deleted.
ChangeSet block_changes(uint64_t height, size_t n = 200, uint64_t key_space = 5000);

Bytes bytes_of(const std::string& s);

}  // namespace trustmesh::store::testing_util
