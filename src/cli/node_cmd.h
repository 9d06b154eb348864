// `trustmesh init` and `trustmesh node`: create a development chain in a data
// directory, and run the node (ledger + single-validator block production +
// HTTP API) until SIGTERM or SIGINT.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_node_commands(CLI::App& app);

}  // namespace trustmesh::cli
