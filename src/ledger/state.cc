// MemState and Overlay; see state.h.
#include "ledger/state.h"

namespace trustmesh::ledger {

Result<std::optional<Bytes>> MemState::get(ByteView key) const {
  auto it = entries_.find(to_bytes(key));
  if (it == entries_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

void MemState::apply(const Changes& changes) {
  for (const auto& [k, v] : changes) {
    if (v) {
      entries_[k] = *v;
    } else {
      entries_.erase(k);
    }
  }
}

Result<std::optional<Bytes>> Overlay::get(ByteView key) const {
  auto it = changes_.find(to_bytes(key));
  if (it != changes_.end()) return it->second;
  return base_->get(key);
}

void Overlay::merge_into(Overlay& parent) {
  TM_ASSERT(base_ == &parent);
  for (auto& [k, v] : changes_) parent.changes_[k] = std::move(v);
  changes_.clear();
}

}  // namespace trustmesh::ledger
