// `trustmesh crl publish`: an organisation's CA signs an X.509 v2 CRL of
// what the ledger says it revoked and publishes it on the chain; every node
// then serves it at GET /v1/crls/{issuer sha256} (the org's distribution
// point), where `openssl crl` and `openssl verify -crl_check` take it.
#pragma once

#include <openssl/evp.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/failure.h"
#include "cli/http_client.h"

namespace trustmesh::cli {

void add_crl_commands(CLI::App& app);

// A CRL signed by the CA `issuer_der` (key `key`) listing what the ledger
// says it revoked (GET /v1/crls/{issuer}/entries, devices included) plus
// `extra_serials`, numbered one above the last it published; thisUpdate is a
// minute ago, nextUpdate `next_update_days` on. Also what `trustmesh ca
// serve` publishes after each block that revokes one of its certificates.
struct LedgerCrl {
  Bytes der;
  uint64_t number = 0;
  size_t entries = 0;
  std::string org;  // the org holding the CA certificate
};
Outcome<LedgerCrl> build_ledger_crl(NodeClient& node, const Bytes& issuer_der, EVP_PKEY* key,
                                    const std::vector<Bytes>& extra_serials, uint64_t next_update_days);
// Its two steps: what the ledger says the CA revoked (GET
// /v1/crls/{issuer}/entries), and the CRL signed from that answer.
Outcome<nlohmann::json> fetch_crl_entries(NodeClient& node, const Bytes& issuer_der);
Outcome<LedgerCrl> sign_ledger_crl(const nlohmann::json& pending, const Bytes& issuer_der, EVP_PKEY* key,
                                   const std::vector<Bytes>& extra_serials, uint64_t next_update_days);

}  // namespace trustmesh::cli
