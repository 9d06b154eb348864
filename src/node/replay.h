// Chain audit: re-executes every block of a node's block store from genesis
// in a scratch directory and checks, height by height, that the block is
// well-formed, links to its parent, carries a commit of the validator set, and
// that execution gives exactly the state root in its header. Finally the
// replayed root must equal the node's own state root.
//
// This is what "same blocks in, same state root out" means operationally, and
// what the crash test runs after killing a node: the stored state must be the
// state the stored blocks produce.
#pragma once

#include <functional>
#include <string>

#include "node/config.h"

namespace trustmesh::node {

struct ReplayReport {
  uint64_t height = 0;  // blocks replayed
  uint64_t txs = 0;
  Hash32 root{};  // state root after the last block (equals the node's)
};

// `config` names the node's data directory (the node must not be running);
// `scratch_dir` must not exist yet. progress(height, total) is called per block.
Result<ReplayReport> replay_chain(const NodeConfig& config, const std::string& scratch_dir,
                                  const std::function<void(uint64_t, uint64_t)>& progress = {});

}  // namespace trustmesh::node
