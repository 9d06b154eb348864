// `trustmesh domain ...`: access domains through a node's HTTP API (docs/API.md,
// "Access domains").
//   domain create ID [--private] --key K
//   domain grant ID ADDRESS --rights read,update,administer|none --key K
//   domain assign ID device:NAME|model:VID/PID --key K
//   domain set ID --private|--public --key K
//   domain show ID [--key K] [--json]
// Each tx command sends one op signed by --key and waits for its commit (exit
// 5 if the op failed, with the ledger's reason); `show` signs its request with
// --key when given, so a private domain's members and subjects are shown to a
// member holding read. Exit statuses: cli/failure.h.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_domain_commands(CLI::App& app);

}  // namespace trustmesh::cli
