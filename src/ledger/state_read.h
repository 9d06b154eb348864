// Reading CBOR records from any StateReader, with the error line of
// access.h: a storage failure is kIo ("reading <what>: ..."), a stored entry
// that does not decode is kInternal ("corrupt state: <what>: ..."), absence
// is std::nullopt (or `absent`). StateAccess (ops over an Overlay) and
// ComplianceReader (ops, node snapshots, proven light-client state) share it.
#pragma once

#include <optional>
#include <string>

#include "core/cbor.h"
#include "ledger/state.h"

namespace trustmesh::ledger {

Error corrupt_state(std::string_view what, const Error& e);
Result<std::optional<cbor::Value>> read_cbor(const StateReader& s, ByteView key, std::string_view what);
Result<uint64_t> read_cbor_uint(const StateReader& s, ByteView key, std::string_view what, uint64_t absent);

// T::from_cbor of an entry read with read_cbor.
template <typename T>
Result<std::optional<T>> optional_record(Result<std::optional<cbor::Value>> raw, std::string_view what) {
  if (!raw.ok()) return raw.error();
  if (!raw.value()) return std::optional<T>();
  auto r = T::from_cbor(**raw);
  if (!r.ok()) return corrupt_state(what, r.error());
  return std::optional<T>(std::move(r).value());
}

}  // namespace trustmesh::ledger
