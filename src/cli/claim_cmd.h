// `trustmesh claim issue|withdraw|list|show` and `trustmesh admit`.
//
// admit asks a node (POST /v1/admission) whether a device is admitted by an
// ecosystem policy and prints the decision with its reasons. With --anchor
// it acts as a light client: it asks for proofs, verifies them against the
// trust anchor and decides itself, so the node it asks need not be trusted.
// Exit status: 0 admit, 6 deny, otherwise as every client command.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

inline constexpr int kExitDenied = 6;

void add_claim_commands(CLI::App& app);

}  // namespace trustmesh::cli
