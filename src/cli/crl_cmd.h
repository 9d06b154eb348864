// `trustmesh crl publish`: an organisation's CA signs an X.509 v2 CRL of
// what the ledger says it revoked and publishes it on the chain; every node
// then serves it at GET /v1/crls/{issuer sha256} (the org's distribution
// point), where `openssl crl` and `openssl verify -crl_check` take it.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_crl_commands(CLI::App& app);

}  // namespace trustmesh::cli
