// `trustmesh org|cert|model|release ...`: the compliance ledger from the
// command line. Organisations register with their root certificates,
// manufacturers add intermediate and model certificates (vendor-managed, no
// trustee vote), revoke them, register models with their "food label" and
// publish firmware releases. `cert issue` makes certificates offline (P-256)
// for a hierarchy: root -> intermediate -> model -> device.
//
// Tx commands print one line (or the node's committed tx JSON with --json)
// and exit 5 when the operation failed on the ledger; show commands print
// the node's JSON (indented, or one line with --json).
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_org_commands(CLI::App& app);

}  // namespace trustmesh::cli
