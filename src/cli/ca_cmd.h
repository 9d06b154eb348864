// `trustmesh ca serve`: an organisation's CA as an EST server (RFC 7030)
// over HTTPS (TLS 1.3), with the ledger as registration authority and record
// of every certificate it issues (cli/est_service.h, pki/est_*.h).
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_ca_commands(CLI::App& app);

}  // namespace trustmesh::cli
