// PublicKey::from_encoded_cached: a direct-mapped, per-thread cache of parsed
// public keys. Invariants: a slot is only returned when its stored encoding
// equals the request byte for byte, so a hit is exactly what from_encoded
// would return; failures are never cached; no locks (thread_local).
#include <array>
#include <optional>

#include "core/keys.h"

namespace trustmesh {

namespace {
constexpr size_t kSlots = 4096;  // about 0.5 MiB per thread at most
}

Result<PublicKey> PublicKey::from_encoded_cached(ByteView encoded) {
  thread_local std::array<std::optional<PublicKey>, kSlots> cache;
  // The last bytes of a key are uniformly distributed (point coordinate / Ed25519 key).
  size_t slot = 0;
  if (encoded.size() >= 2) slot = (size_t{encoded[encoded.size() - 1]} << 8 | encoded[encoded.size() - 2]) % kSlots;
  auto& entry = cache[slot];
  if (entry && entry->encoded().size() == encoded.size() &&
      std::equal(encoded.begin(), encoded.end(), entry->encoded().begin())) {
    return *entry;
  }
  auto parsed = from_encoded(encoded);
  if (parsed.ok()) entry = parsed.value();
  return parsed;
}

}  // namespace trustmesh
