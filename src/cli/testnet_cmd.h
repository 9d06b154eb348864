// `trustmesh testnet init`: writes a local multi-node network into one
// directory: one shared genesis with N validators, and for each node its own
// data directory (node.toml with API and p2p ports on 127.0.0.1, seeds naming
// the validators by node id, node_key.pem, validator.pem for validators), a
// funded development trustee account in <dir>/keys, and <dir>/testnet.json
// describing every node (scripts/testnet.sh and the integration tests read it).
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_testnet_commands(CLI::App& app);

}  // namespace trustmesh::cli
