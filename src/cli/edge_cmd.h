// `trustmesh edge serve|sync|status`: edge identity servers (src/edge) that
// run at a gateway or a maintenance site, follow the chain as a light
// replica of their domain, and answer devices over HTTP (and CoAP) while cut
// off from every ledger node; and the one-shot sync of a maintenance visit.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_edge_commands(CLI::App& app);

}  // namespace trustmesh::cli
