// The `trustmesh` command. Sub-commands live in cli/*_cmd.cc; this file only
// wires them up and turns exceptions (the edge) into exit codes.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/ledger_cmd.h"

int main(int argc, char** argv) {
  CLI::App app{"trustmesh: a decentralized public key infrastructure for IoT devices"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "trustmesh 0.1.0");
  trustmesh::cli::add_ledger_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
