// `trustmesh device stage|history`: the supply-chain life of a device name
// through a node's HTTP API (docs/API.md, "Supply-chain stages").
//   device stage NAME STAGE --key K [--to ADDRESS] [--cert FILE | --cert-hash HEX] [--yes]
//   device history NAME [--json]
// Exit statuses: cli/failure.h.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

// Adds `stage` and `history` under the `device` command.
void add_stage_commands(CLI::App* device);

}  // namespace trustmesh::cli
