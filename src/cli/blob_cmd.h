// `trustmesh blob put|get`: the off-chain content store of a node
// (/v1/blobs, store/blob_store.h). `put` streams a file to the node, which
// takes it only if a ledger record (a release, a name's config_hash, a
// claim's report_sha256) carries its hash and size. `get` streams a blob to a
// temp file beside the output, verifies its SHA-256 (and its size, from
// --size or the release record) and renames it into place only if both
// match: a refused download leaves no output file.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_blob_commands(CLI::App& app);

}  // namespace trustmesh::cli
