// Read-only node queries:
//   trustmesh status                       the node's chain, height, mempool
//   trustmesh tx status HASH [--wait]      a tx's status and outcome
//   trustmesh account (ADDRESS | --key K)  balance and next sequence
// Exit statuses: cli/failure.h (`tx status` exits 5 for a committed tx whose
// operation failed, like the command that sent it).
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_client_commands(CLI::App& app);

}  // namespace trustmesh::cli
