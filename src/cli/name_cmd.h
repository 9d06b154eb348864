// `trustmesh name ...`: device names through a node's HTTP API.
//   register NAME --key K (--cert FILE | --cert-hash HEX)   preorder + register
//   update NAME --key K (--cert FILE | --cert-hash HEX)     new value
//   transfer NAME --to ADDRESS --key K
//   renew NAME --validity N --key K
//   revoke NAME --key K [--yes]                              final
//   show NAME | history NAME | status NAME                   read-only
// Exit statuses: cli/failure.h.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_name_commands(CLI::App& app);

}  // namespace trustmesh::cli
