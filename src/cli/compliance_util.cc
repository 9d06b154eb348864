// Shared pieces of the compliance commands; see compliance_util.h.
#include "cli/compliance_util.h"

#include <fstream>
#include <iostream>

#include "cli/http_client.h"
#include "cli/private_files.h"
#include "cli/tx_flow.h"
#include "core/hash.h"
#include "core/x509.h"

namespace trustmesh::cli {

void add_tx_options(CLI::App* cmd, TxOptions& o) {
  cmd->add_option("--key", o.key,
                  "Keyring key of the account that acts for the organisation (signs and pays)")
      ->required();
  cmd->add_option("--fee", o.fee, "Tx fee")->capture_default_str();
  add_keyring_option(cmd, o.keyring);
  add_node_options(cmd, o.node);
}

Done send_tx_opts(const TxOptions& o, const ledger::Operation& op, const std::string& step,
                  const std::string& done) {
  return send_and_report(o.node, o.keyring, o.key, o.fee, op, step, done);
}

Outcome<std::vector<Bytes>> read_cert_file(const std::string& path) {
  TM_CLI_ASSIGN(std::string text, read_small_file(path));
  auto certs = x509::read_certificates(text);
  if (!certs.ok()) return make_error(certs.error().code, path + ": " + certs.error().message);
  return std::move(certs).value();
}

Outcome<std::pair<Hash32, uint64_t>> hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read " + path);
  Sha256 h;
  uint64_t size = 0;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<size_t>(in.gcount());
    h.update(ByteView(reinterpret_cast<const uint8_t*>(buf.data()), n));
    size += n;
  }
  return std::pair<Hash32, uint64_t>(h.finish(), size);
}

Outcome<ledger::TextMap> parse_pairs(const std::vector<std::string>& pairs, const std::string& what) {
  ledger::TextMap out;
  for (const std::string& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(ErrorCode::kInvalidArgument, what + " takes key=value, not '" + p + "'");
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

Done show_json(const NodeOptions& node_opts, const std::string& path) {
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(node_opts.node, node_opts.timeout_s));
  TM_CLI_ASSIGN(nlohmann::json j, node.get_json(path));
  std::cout << (node_opts.json ? j.dump() : j.dump(2)) << "\n";
  return kDone;
}

void add_show_command(CLI::App* parent, const std::string& name, const std::string& description,
                      const std::string& arg, std::function<std::string(const std::string&)> path_of,
                      const std::string& examples) {
  struct Opts {
    NodeOptions node;
    std::string value;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = parent->add_subcommand(name, description);
  cmd->add_option(arg, o->value, arg)->required();
  add_node_options(cmd, o->node);
  set_examples(cmd, examples);
  on_run_done(cmd, [o, path_of] { return show_json(o->node, path_of(o->value)); });
}

}  // namespace trustmesh::cli
