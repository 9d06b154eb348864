// `trustmesh ledger ...`: offline tools over a data directory.
//   apply  - replay a blocks file onto genesis, printing each block's state root
//   demo   - write a genesis and a blocks file of generated transactions
//   root   - print the state root at a height
//   name   - show a name's record and history, with a verified state proof
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_ledger_commands(CLI::App& app);

}  // namespace trustmesh::cli
