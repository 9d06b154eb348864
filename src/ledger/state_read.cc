// Record reads over a StateReader; see state_read.h.
#include "ledger/state_read.h"

namespace trustmesh::ledger {

Error corrupt_state(std::string_view what, const Error& e) {
  return make_error(ErrorCode::kInternal, "corrupt state: " + std::string(what) + ": " + e.message);
}

Result<std::optional<cbor::Value>> read_cbor(const StateReader& s, ByteView key, std::string_view what) {
  auto raw = s.get(key);
  if (!raw.ok())
    return make_error(ErrorCode::kIo, "reading " + std::string(what) + ": " + raw.error().message);
  if (!raw.value()) return std::optional<cbor::Value>();
  auto v = cbor::decode(**raw);
  if (!v.ok()) return corrupt_state(what, v.error());
  return std::optional<cbor::Value>(std::move(v).value());
}

Result<uint64_t> read_cbor_uint(const StateReader& s, ByteView key, std::string_view what, uint64_t absent) {
  TM_ASSIGN_OR_RETURN(auto v, read_cbor(s, key, what));
  if (!v) return absent;
  auto u = v->as_uint();
  if (!u.ok()) return corrupt_state(what, u.error());
  return u;
}

}  // namespace trustmesh::ledger
