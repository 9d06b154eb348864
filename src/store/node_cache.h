// NodeCache: a fixed-size, direct-mapped, thread-safe cache of parsed tree
// nodes keyed by their hash, in front of RocksDB (StateDb::get). Internal to
// the store layer.
//
// Invariants: nodes are immutable and content-addressed, so a cached entry can
// never be stale and nothing is ever invalidated; a slot holds either nothing
// or a node whose hash is the slot's key. Node hashes are uniformly random, so
// the slot index is taken straight from hash bytes.
#pragma once

#include <array>
#include <mutex>
#include <optional>
#include <vector>

#include "store/smt.h"

namespace trustmesh::store {

class NodeCache {
 public:
  // Uses about `bytes` of memory (rounded down to a power-of-two slot count;
  // at least one slot).
  explicit NodeCache(size_t bytes);
  NodeCache(const NodeCache&) = delete;
  NodeCache& operator=(const NodeCache&) = delete;

  std::optional<Node> get(const Hash32& hash) const;
  void put(const Hash32& hash, const Node& node);
  size_t slots() const { return slots_.size(); }

 private:
  struct Slot {
    Hash32 hash{};
    Node node{};
    bool used = false;
  };
  static constexpr size_t kStripes = 256;
  size_t index(const Hash32& hash) const;
  std::mutex& stripe(size_t index) const { return stripes_[index % kStripes]; }

  std::vector<Slot> slots_;
  mutable std::array<std::mutex, kStripes> stripes_;
};

}  // namespace trustmesh::store
