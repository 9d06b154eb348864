// The ledger's view of state: an ordered key/value map of byte strings.
//
// StateReader is the seam between the pure ledger and storage: the store layer
// implements it over RocksDB, tests over MemState. Overlay buffers writes on
// top of a reader so that a transaction's effects can be kept or dropped as a
// unit, and a block's net effect can be handed to the store as one ChangeSet.
//
// Invariants: iteration over changes is in bytewise key order (std::map), so
// everything derived from it is deterministic; an Overlay never writes through
// to its base; reads see the newest buffered write first.
#pragma once

#include <map>
#include <optional>

#include "core/bytes.h"

namespace trustmesh::ledger {

// key -> new value, or nullopt for a deletion.
using Changes = std::map<Bytes, std::optional<Bytes>>;

class StateReader {
 public:
  virtual ~StateReader() = default;
  // nullopt if absent. An Error only for storage faults, never for absence.
  virtual Result<std::optional<Bytes>> get(ByteView key) const = 0;
};

// Plain in-memory state, for tests and tools.
class MemState : public StateReader {
 public:
  Result<std::optional<Bytes>> get(ByteView key) const override;
  void apply(const Changes& changes);
  const std::map<Bytes, Bytes>& entries() const { return entries_; }

 private:
  std::map<Bytes, Bytes> entries_;
};

class Overlay : public StateReader {
 public:
  explicit Overlay(const StateReader& base) : base_(&base) {}
  // Not copyable, so that layering is always explicit: Overlay child(as_reader(parent)).
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;

  Result<std::optional<Bytes>> get(ByteView key) const override;
  void put(ByteView key, ByteView value) { changes_[to_bytes(key)] = to_bytes(value); }
  void erase(ByteView key) { changes_[to_bytes(key)] = std::nullopt; }

  // Moves this overlay's writes into `parent` (which must be this overlay's base).
  void merge_into(Overlay& parent);
  const Changes& changes() const { return changes_; }
  void clear() { changes_.clear(); }

 private:
  const StateReader* base_;
  Changes changes_;
};

inline const StateReader& as_reader(const StateReader& r) {
  return r;
}

}  // namespace trustmesh::ledger
