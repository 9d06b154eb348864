// A node snapshot as a ledger::StateReader, so that code written against the
// ledger's reader (compliance queries, trust evaluation) reads one committed
// height consistently.
#pragma once

#include "ledger/state.h"
#include "store/state_db.h"

namespace trustmesh::api {

class ViewReader : public ledger::StateReader {
 public:
  explicit ViewReader(const store::ReadView& view) : view_(view) {}
  Result<std::optional<Bytes>> get(ByteView key) const override { return view_.get(key); }

 private:
  const store::ReadView& view_;
};

}  // namespace trustmesh::api
