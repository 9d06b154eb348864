// The `trustmesh` command. Sub-commands live in cli/*_cmd.cc; this file only
// wires them up and turns exceptions (the edge) into exit codes.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/blob_cmd.h"
#include "cli/ca_cmd.h"
#include "cli/claim_cmd.h"
#include "cli/client_cmd.h"
#include "cli/crl_cmd.h"
#include "cli/device_cmd.h"
#include "cli/dm_cmd.h"
#include "cli/domain_cmd.h"
#include "cli/edge_cmd.h"
#include "cli/gov_cmd.h"
#include "cli/keys_cmd.h"
#include "cli/ledger_cmd.h"
#include "cli/name_cmd.h"
#include "cli/node_cmd.h"
#include "cli/org_cmd.h"
#include "cli/testnet_cmd.h"
#include "cli/verify_cmd.h"

int main(int argc, char** argv) {
  CLI::App app{"trustmesh: a decentralized public key infrastructure for IoT devices"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "trustmesh 0.1.0");
  trustmesh::cli::add_node_commands(app);
  trustmesh::cli::add_ledger_commands(app);
  trustmesh::cli::add_keys_commands(app);
  trustmesh::cli::add_name_commands(app);
  trustmesh::cli::add_client_commands(app);
  trustmesh::cli::add_testnet_commands(app);
  trustmesh::cli::add_gov_commands(app);
  trustmesh::cli::add_org_commands(app);
  trustmesh::cli::add_domain_commands(app);
  trustmesh::cli::add_claim_commands(app);
  trustmesh::cli::add_crl_commands(app);
  trustmesh::cli::add_blob_commands(app);
  trustmesh::cli::add_ca_commands(app);
  trustmesh::cli::add_verify_command(app);
  trustmesh::cli::add_device_commands(app);
  trustmesh::cli::add_dm_commands(app);
  trustmesh::cli::add_edge_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A command's own status (RuntimeError) passes through; usage errors exit 2.
    int status = app.exit(e);
    return status == 0 || e.get_name() == "RuntimeError" ? status : 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
