// Shared client options and command glue (client_opts.h).
#include "cli/client_opts.h"

#include <cstdlib>

#include "cli/keyring.h"

namespace trustmesh::cli {

std::string default_node_url() {
  const char* env = std::getenv("TRUSTMESH_NODE");
  return env != nullptr && *env != '\0' ? env : "http://127.0.0.1:8080";
}

void add_node_options(CLI::App* cmd, NodeOptions& o) {
  o.node = default_node_url();
  cmd->add_option("--node", o.node, "Node API URL ($TRUSTMESH_NODE)")->capture_default_str();
  add_json_flag(cmd, o.json);
  cmd->add_option("--timeout", o.timeout_s, "Seconds to wait for a block or a commit (each wait)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{86400}))
      ->capture_default_str();
}

void add_keyring_option(CLI::App* cmd, std::string& dir) {
  dir = default_keyring_dir();
  cmd->add_option("--keyring", dir, "Keyring directory ($TRUSTMESH_KEYRING)")->capture_default_str();
}

void add_json_flag(CLI::App* cmd, bool& json) {
  cmd->add_flag("--json", json, "Machine output: one JSON document on stdout");
}

void set_examples(CLI::App* cmd, const std::string& examples) {
  cmd->footer("\n" + examples);
}

void on_run(CLI::App* cmd, std::function<int()> body) {
  cmd->callback([body = std::move(body)] { throw CLI::RuntimeError(body()); });
}

void on_run_done(CLI::App* cmd, std::function<Done()> body) {
  on_run(cmd, [body = std::move(body)] {
    Done d = body();
    return d.ok() ? kExitOk : report(d.failure());
  });
}

}  // namespace trustmesh::cli
