// What the compliance commands (org_cmd, claim_cmd, admit_cmd) share: the
// options of a one-tx command, reading certificate and image files, k=v
// pairs, and "GET this path and print its JSON" show commands.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cli/client_opts.h"
#include "cli/failure.h"
#include "ledger/compliance.h"
#include "ledger/tx.h"

namespace trustmesh::cli {

struct TxOptions {
  NodeOptions node;
  std::string keyring;
  std::string key;
  uint64_t fee = 10;
};
// --key (required), --fee, --keyring and the node options.
void add_tx_options(CLI::App* cmd, TxOptions& o);
// Signs `op` with --key, sends it, waits for the commit and reports.
Done send_tx_opts(const TxOptions& o, const ledger::Operation& op, const std::string& step,
                  const std::string& done);

// Every certificate in a PEM (or single DER) file.
Outcome<std::vector<Bytes>> read_cert_file(const std::string& path);
// SHA-256 and size of a file, streamed.
Outcome<std::pair<Hash32, uint64_t>> hash_file(const std::string& path);
// ["k=v", ...] -> map; kInvalidArgument naming `what` for a pair without '='.
Outcome<ledger::TextMap> parse_pairs(const std::vector<std::string>& pairs, const std::string& what);

// GET path and print the JSON: indented for people, one line with --json.
Done show_json(const NodeOptions& node, const std::string& path);
// A subcommand `name ARG` that shows path_of(ARG).
void add_show_command(CLI::App* parent, const std::string& name, const std::string& description,
                      const std::string& arg, std::function<std::string(const std::string&)> path_of,
                      const std::string& examples);

}  // namespace trustmesh::cli
