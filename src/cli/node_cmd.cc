// Implementation of `trustmesh init` and `trustmesh node` (see node_cmd.h).
//
// init writes, into a new data directory: validator.pem (the block signing
// key, mode 0600), keys/dev.pem (a funded development account that is also
// the one trustee, mode 0600 in a 0700 keyring), genesis.json and node.toml.
// It never overwrites an existing chain.
//
// node blocks SIGTERM/SIGINT in every thread and waits for them with
// sigwait, so shutdown is one orderly path: stop the API (no new requests),
// stop the consensus thread (the block being written completes), close the DB.
#include "cli/node_cmd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/server.h"
#include "cli/blocks_file.h"
#include "cli/dev_genesis.h"
#include "cli/private_files.h"
#include "ledger/genesis.h"
#include "node/node.h"
#include "node/replay.h"

namespace trustmesh::cli {

namespace {

namespace fs = std::filesystem;

int fail(const Error& e) {
  std::cerr << "error: " << e.to_string() << "\n";
  return 1;
}

struct InitOpts {
  std::string data = "data";
  std::string chain_id = "trustmesh-dev";
  uint16_t port = 8080;
  uint64_t block_interval_ms = 1000;
  bool json = false;
};

int run_init(const InitOpts& o) {
  if (fs::exists(fs::path(o.data) / "genesis.json")) {
    return fail(make_error(ErrorCode::kInvalidArgument,
                           o.data + " already holds a chain (genesis.json exists); use another --data "
                                    "directory or remove it"));
  }
  std::error_code ec;
  fs::create_directories(fs::path(o.data) / "keys", ec);
  if (ec) return fail(make_error(ErrorCode::kIo, "cannot create " + o.data + ": " + ec.message()));
  fs::permissions(fs::path(o.data) / "keys", fs::perms::owner_all, fs::perm_options::replace, ec);

  auto validator = KeyPair::generate();
  auto dev = KeyPair::generate();
  if (!validator.ok()) return fail(validator.error());
  if (!dev.ok()) return fail(dev.error());

  Address dev_addr = Address::of(dev->public_key());
  auto genesis = dev_genesis(o.chain_id, dev_addr, {{validator->public_key(), "validator-0"}});
  if (!genesis.ok()) return fail(genesis.error());
  const ledger::Genesis& g = *genesis;
  std::string genesis_json = g.to_json();

  node::NodeConfig cfg;
  cfg.data_dir = o.data;
  cfg.api.port = o.port;
  cfg.block_interval_ms = o.block_interval_ms;

  auto vpem = validator->to_pem();
  auto dpem = dev->to_pem();
  if (!vpem.ok()) return fail(vpem.error());
  if (!dpem.ok()) return fail(dpem.error());
  for (auto [path, text] : {std::pair<std::string, std::string>{cfg.path("validator.pem"), *vpem},
                            {cfg.path("keys/dev.pem"), *dpem}}) {
    if (Status s = write_private_file(path, text); !s.ok()) return fail(s.error());
  }
  if (Status s = write_file(cfg.path("node.toml"), cfg.to_toml()); !s.ok()) return fail(s.error());
  // genesis.json last: its presence marks a complete directory.
  if (Status s = write_file(cfg.path("genesis.json"), genesis_json); !s.ok()) return fail(s.error());

  if (o.json) {
    std::cout << nlohmann::json{{"data", o.data},
                                {"chain_id", g.chain_id},
                                {"validator", Address::of(validator->public_key()).to_string()},
                                {"dev_account", dev_addr.to_string()},
                                {"keyring", cfg.path("keys")},
                                {"api", "http://" + cfg.api.host + ":" + std::to_string(cfg.api.port)}}
                     .dump()
              << "\n";
  } else {
    std::cout << "created chain " << g.chain_id << " in " << o.data << "\n"
              << "  validator   " << Address::of(validator->public_key()).to_string() << " (validator.pem)\n"
              << "  dev account " << dev_addr.to_string() << " (keys/dev.pem), funded, trustee\n"
              << "start it with: trustmesh node --data " << o.data << "\n";
  }
  return 0;
}

struct NodeOpts {
  std::string data = "data";
  std::string listen;
  bool json = false;
  std::vector<std::string> ocsp_signers;  // CERT.pem:KEY.pem
  uint64_t ocsp_validity_s = 0;           // 0: node.toml's (default 300)
  std::vector<std::string> public_hosts;  // host:port; replace node.toml's [api] public_hosts
};

int run_node(const NodeOpts& o) {
  if (!fs::exists(fs::path(o.data) / "genesis.json")) {
    return fail(
        make_error(ErrorCode::kNotFound, "no chain in " + o.data +
                                             " (genesis.json missing); create one with `trustmesh init "
                                             "--data " +
                                             o.data + "`"));
  }
  auto cfg = node::NodeConfig::load(o.data);
  if (!cfg.ok()) return fail(cfg.error());
  if (!o.listen.empty()) {
    auto over = node::NodeConfig::from_toml("[api]\nlisten = \"" + o.listen + "\"\n", o.data);
    if (!over.ok()) return fail(over.error());
    cfg->api.host = over->api.host;
    cfg->api.port = over->api.port;
  }
  if (!o.ocsp_signers.empty()) cfg->api.ocsp_signers = o.ocsp_signers;
  if (o.ocsp_validity_s) cfg->api.ocsp_validity_s = o.ocsp_validity_s;
  if (!o.public_hosts.empty()) cfg->api.public_hosts = o.public_hosts;

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto n = node::Node::open(*cfg);
  if (!n.ok()) return fail(n.error());
  node::Node& node = **n;
  auto api = api::ApiServer::start(node, cfg->api);
  if (!api.ok()) return fail(api.error());
  if (Status s = node.start(); !s.ok()) return fail(s.error());

  std::string url = "http://" + cfg->api.host + ":" + std::to_string((*api)->port());
  auto view = node.view();
  std::string p2p = node.node_id() ? node.node_id()->to_string() + "@" + cfg->p2p.host + ":" +
                                         std::to_string(node.p2p_port())
                                   : "";
  if (o.json) {
    nlohmann::json line{
        {"api", url}, {"chain_id", node.chain_id()}, {"height", view->height()}, {"pid", ::getpid()}};
    if (!p2p.empty()) line["p2p"] = p2p;
    if (auto v = node.validator_address()) line["validator"] = v->to_string();
    std::cout << line.dump() << std::endl;
  } else {
    std::cout << "trustmesh node: chain " << node.chain_id() << ", height " << view->height() << ", API "
              << url << (p2p.empty() ? "" : ", p2p " + p2p) << " (pid " << ::getpid() << ")" << std::endl;
  }
  view.reset();

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "trustmesh node: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", shutting down"
            << std::endl;
  (*api)->stop();
  node.stop();
  std::cerr << "trustmesh node: stopped at height " << node.view()->height() << std::endl;
  return 0;
}

struct AuditOpts {
  std::string data = "data";
  bool json = false;
};

int run_audit(const AuditOpts& o) {
  auto cfg = node::NodeConfig::load(o.data);
  if (!cfg.ok()) return fail(cfg.error());
  std::string scratch =
      (fs::temp_directory_path() / ("trustmesh-audit-" + std::to_string(::getpid()))).string();
  bool tty = ::isatty(2);
  auto report = node::replay_chain(*cfg, scratch, [&](uint64_t h, uint64_t total) {
    if (tty && (h % 100 == 0 || h == total))
      std::cerr << "\rreplayed " << h << " / " << total << " blocks" << std::flush;
  });
  if (tty) std::cerr << "\n";
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (!report.ok()) return fail(report.error());
  if (o.json) {
    std::cout << nlohmann::json{{"ok", true},
                                {"height", report->height},
                                {"txs", report->txs},
                                {"state_root", to_hex(report->root)}}
                     .dump()
              << "\n";
  } else {
    std::cout << "ok: " << report->height << " blocks (" << report->txs
              << " txs) re-executed from genesis; every header, commit and state root checks out\n"
              << "state root " << to_hex(report->root) << "\n";
  }
  return 0;
}

}  // namespace

void add_node_commands(CLI::App& app) {
  auto init_opts = std::make_shared<InitOpts>();
  CLI::App* init = app.add_subcommand(
      "init", "Create a development chain: validator key, funded dev account, genesis.json, node.toml");
  init->add_option("--data", init_opts->data, "Data directory to create")->capture_default_str();
  init->add_option("--chain-id", init_opts->chain_id, "Chain id")->capture_default_str();
  init->add_option("--port", init_opts->port, "API port written to node.toml")->capture_default_str();
  init->add_option("--block-interval-ms", init_opts->block_interval_ms, "Block interval")
      ->capture_default_str();
  init->add_flag("--json", init_opts->json, "Print the result as JSON");
  init->footer("Example: trustmesh init --data ./data && trustmesh node --data ./data");
  init->callback([init_opts] {
    int rc = run_init(*init_opts);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });

  auto node_opts = std::make_shared<NodeOpts>();
  CLI::App* nd = app.add_subcommand("node", "Run the node: ledger, block production and the HTTP API");
  nd->add_option("--data", node_opts->data, "Data directory (made by trustmesh init)")->capture_default_str();
  nd->add_option("--listen", node_opts->listen, "API address host:port (overrides node.toml)");
  nd->add_flag("--json", node_opts->json, "Print the startup line as JSON (api, chain_id, height, pid)");
  nd->add_option("--ocsp-signer", node_opts->ocsp_signers,
                 "Serve OCSP at /v1/ocsp, signing with this delegated responder CERT.pem:KEY.pem (issued by "
                 "a CA on the ledger, extendedKeyUsage OCSPSigning; repeatable)");
  nd->add_option("--ocsp-validity", node_opts->ocsp_validity_s,
                 "Seconds from thisUpdate (the newest block's time) to nextUpdate (default 300)");
  nd->add_option("--public-host", node_opts->public_hosts,
                 "A host:port clients use to reach the API (a DNS name, a proxy, a port forward); signed "
                 "requests (Authorization: TM-Sig) are then taken only for these Host values (repeatable; "
                 "default: node.toml's [api] public_hosts, else the listen address, which for 0.0.0.0 or :: "
                 "means any host)");
  nd->footer(
      "Stops cleanly on SIGTERM or Ctrl-C; restart with the same --data to continue the chain.\n"
      "Example: trustmesh node --data ./data --listen 127.0.0.1:8080");
  auto audit_opts = std::make_shared<AuditOpts>();
  CLI::App* audit = app.add_subcommand(
      "audit",
      "Re-execute a stopped node's blocks from genesis and check every header, commit and state root");
  audit->add_option("--data", audit_opts->data, "Data directory of the node (stop the node first)")
      ->capture_default_str();
  audit->add_flag("--json", audit_opts->json, "Print the result as JSON");
  audit->footer("Example: trustmesh audit --data ./data");
  audit->callback([audit_opts] {
    int rc = run_audit(*audit_opts);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });

  nd->callback([node_opts] {
    int rc = run_node(*node_opts);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace trustmesh::cli
