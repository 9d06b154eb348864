// RecentSet: a bounded, thread-safe "seen lately" set of hashes: the node
// drops repeats of gossiped transactions with it before paying for a
// signature check, and the ledger remembers which tx encodings it already
// verified (ledger/tx.h verify_tx_signature).
//
// Two generations: inserts go to the current one; when it holds `capacity`
// entries it becomes the previous one (the old previous is dropped). A hash is
// remembered for at least `capacity` later inserts and memory stays below
// 2 * capacity entries.
#pragma once

#include <mutex>
#include <set>

#include "core/bytes.h"

namespace trustmesh {

class RecentSet {
 public:
  explicit RecentSet(size_t capacity) : capacity_(capacity) {}
  bool contains(const Hash32& h) const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_.count(h) || previous_.count(h);
  }
  // True if `h` was not seen lately (and remembers it now).
  bool insert(const Hash32& h) {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_.count(h) || previous_.count(h)) return false;
    if (current_.size() >= capacity_) {
      previous_.swap(current_);
      current_.clear();
    }
    current_.insert(h);
    return true;
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::set<Hash32> current_, previous_;
};

}  // namespace trustmesh
