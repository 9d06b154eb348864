// PublicKey::from_encoded_cached: a small 2-way set-associative, per-thread
// cache of parsed public keys. Invariants: an entry is only returned when its
// stored encoding equals the request byte for byte, so a hit is exactly what
// from_encoded would return; failures are never cached; no locks (thread_local).
#include <array>
#include <optional>

#include "core/keys.h"

namespace trustmesh {

namespace {
constexpr size_t kSets = 4096;  // 8192 keys per thread at most
using Entry = std::optional<PublicKey>;

bool holds(const Entry& e, ByteView encoded) {
  return e && e->encoded().size() == encoded.size() &&
         std::equal(encoded.begin(), encoded.end(), e->encoded().begin());
}
}  // namespace

Result<PublicKey> PublicKey::from_encoded_cached(ByteView encoded) {
  thread_local std::array<std::array<Entry, 2>, kSets> cache;
  // The last bytes of a key are uniformly distributed (point coordinate / Ed25519 key).
  size_t set = 0;
  if (encoded.size() >= 2)
    set = (size_t{encoded[encoded.size() - 1]} << 8 | encoded[encoded.size() - 2]) % kSets;
  auto& ways = cache[set];
  if (holds(ways[0], encoded)) return *ways[0];
  if (holds(ways[1], encoded)) {
    std::swap(ways[0], ways[1]);  // most recently used first
    return *ways[0];
  }
  auto parsed = from_encoded(encoded);
  if (parsed.ok()) {
    ways[1] = std::move(ways[0]);  // evict the least recently used
    ways[0] = parsed.value();
  }
  return parsed;
}

}  // namespace trustmesh
