// `trustmesh gov propose|approve`: trustee governance from the command line:
// parameter changes and validator-set changes (effective two blocks after the
// approval that reaches the trustee quorum).
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_gov_commands(CLI::App& app);

}  // namespace trustmesh::cli
