// Options shared by the client commands and the glue that runs them:
//   --node URL      (default $TRUSTMESH_NODE, else http://127.0.0.1:8080)
//   --json          machine output on stdout
//   --timeout SEC   bound on each wait for a block or a commit (default 60)
//   --keyring DIR   (default $TRUSTMESH_KEYRING, else ~/.trustmesh/keys)
// Defaults are read from the environment when the command line is built, so
// --help shows the values that will be used.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/failure.h"

namespace trustmesh::cli {

struct NodeOptions {
  std::string node;
  bool json = false;
  uint64_t timeout_s = 60;
};

std::string default_node_url();

void add_node_options(CLI::App* cmd, NodeOptions& o);
void add_keyring_option(CLI::App* cmd, std::string& dir);
void add_json_flag(CLI::App* cmd, bool& json);

// Adds "Example: trustmesh ..." lines at the end of the command's --help.
void set_examples(CLI::App* cmd, const std::string& examples);

// Makes `body` the command's action; its return value is the exit status
// (the CLI11 RuntimeError convention main.cc turns into the process status).
void on_run(CLI::App* cmd, std::function<int()> body);
// Same, for a body returning a Done: a failure is reported (report()) and
// becomes the exit status, success is 0.
void on_run_done(CLI::App* cmd, std::function<Done()> body);

}  // namespace trustmesh::cli
