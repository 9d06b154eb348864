// `trustmesh verify NAME [--anchor genesis.json] [--max-age S]`: a name's
// status checked by the light client (src/light) against a trust anchor, so
// the node is not trusted: the header's commit must carry the anchor's
// validators' signatures, the record must be proven against its state root,
// and the block must be at most --max-age seconds old.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_verify_command(CLI::App& app);

}  // namespace trustmesh::cli
