// NodeCache: direct-mapped cache of tree nodes by hash; see node_cache.h.
//
// Invariants: slots_.size() is a power of two; slot i is read and written only
// under stripe(i); a used slot's node hashes to the slot's key (checked on put
// in debug builds only: hashing on every put would cost what the cache saves).
#include "store/node_cache.h"

#include <bit>
#include <cassert>

namespace trustmesh::store {

NodeCache::NodeCache(size_t bytes) {
  size_t n = std::max<size_t>(1, bytes / sizeof(Slot));
  slots_.resize(std::bit_floor(n));
}

size_t NodeCache::index(const Hash32& hash) const {
  uint64_t x = 0;
  for (size_t i = 0; i < 8; ++i) x = (x << 8) | hash[24 + i];
  return static_cast<size_t>(x & (slots_.size() - 1));
}

std::optional<Node> NodeCache::get(const Hash32& hash) const {
  size_t i = index(hash);
  std::lock_guard<std::mutex> lock(stripe(i));
  const Slot& s = slots_[i];
  if (s.used && s.hash == hash) return s.node;
  return std::nullopt;
}

void NodeCache::put(const Hash32& hash, const Node& node) {
  assert(node.hash() == hash);
  size_t i = index(hash);
  std::lock_guard<std::mutex> lock(stripe(i));
  Slot& s = slots_[i];
  s.hash = hash;
  s.node = node;
  s.used = true;
}

}  // namespace trustmesh::store
