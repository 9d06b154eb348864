// Implementation of `trustmesh testnet init` (see testnet_cmd.h).
//
// Ports: node i serves its API on base + 2i and p2p on base + 2i + 1. With
// --proxy-base-port P, node i reaches node j through 127.0.0.1:(P + 10 i + j)
// instead of j's own port and peer exchange is off, so a test can cut and
// heal links by running a proxy on those ports (testnet.json lists them).
#include "cli/testnet_cmd.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/blocks_file.h"
#include "cli/dev_genesis.h"
#include "cli/private_files.h"
#include "ledger/genesis.h"
#include "node/config.h"

namespace trustmesh::cli {

namespace {

namespace fs = std::filesystem;

struct TestnetOpts {
  std::string dir = "testnet";
  size_t validators = 4;
  size_t full_nodes = 1;
  uint16_t base_port = 26600;
  uint16_t proxy_base_port = 0;
  uint64_t block_interval_ms = 500;
  std::string chain_id = "trustmesh-testnet";
  bool json = false;
};

int fail(const Error& e) {
  std::cerr << "error: " << e.to_string() << "\n";
  return 1;
}

struct NodeFiles {
  std::string name;
  bool validator = false;
  KeyPair node_key;
  std::optional<KeyPair> validator_key;
  uint16_t api_port = 0;
  uint16_t p2p_port = 0;
};

int run_testnet_init(const TestnetOpts& o) {
  if (fs::exists(fs::path(o.dir) / "testnet.json")) {
    return fail(make_error(ErrorCode::kInvalidArgument,
                           o.dir +
                               " already holds a testnet (testnet.json exists); stop it (make testnet-stop) "
                               "and remove the directory, or use another --dir"));
  }
  if (o.validators < 1 || o.validators > 50)
    return fail(make_error(ErrorCode::kInvalidArgument, "--validators must be 1..50"));
  const size_t total = o.validators + o.full_nodes;
  if (size_t{o.base_port} + 2 * total > 65535 ||
      (o.proxy_base_port && o.proxy_base_port + 10 * total > 65535))
    return fail(make_error(ErrorCode::kInvalidArgument, "ports would run past 65535: lower --base-port"));
  if (o.proxy_base_port && total > 10)
    return fail(make_error(ErrorCode::kInvalidArgument, "--proxy-base-port supports at most 10 nodes"));

  std::vector<NodeFiles> nodes;
  for (size_t i = 0; i < total; ++i) {
    NodeFiles n{.name = "node" + std::to_string(i),
                .validator = i < o.validators,
                .node_key = KeyPair::generate().value(),
                .api_port = static_cast<uint16_t>(o.base_port + 2 * i),
                .p2p_port = static_cast<uint16_t>(o.base_port + 2 * i + 1)};
    if (n.validator) {
      auto k = KeyPair::generate();
      if (!k.ok()) return fail(k.error());
      n.validator_key = std::move(k).value();
    }
    nodes.push_back(std::move(n));
  }
  auto dev = KeyPair::generate();
  if (!dev.ok()) return fail(dev.error());

  Address dev_addr = Address::of(dev->public_key());
  std::vector<DevValidator> validators;
  for (const NodeFiles& n : nodes) {
    if (n.validator) validators.push_back({n.validator_key->public_key(), n.name});
  }
  auto genesis = dev_genesis(o.chain_id, dev_addr, validators);
  if (!genesis.ok()) return fail(genesis.error());
  const ledger::Genesis& g = *genesis;
  std::string genesis_json = g.to_json();

  if (Status s = make_private_dir((fs::path(o.dir) / "keys").string()); !s.ok()) return fail(s.error());
  auto dev_pem = dev->to_pem();
  if (!dev_pem.ok()) return fail(dev_pem.error());
  if (Status s = write_private_file((fs::path(o.dir) / "keys" / "dev.pem").string(), *dev_pem); !s.ok())
    return fail(s.error());

  nlohmann::json desc = {{"chain_id", g.chain_id},
                         {"keyring", (fs::path(o.dir) / "keys").string()},
                         {"dev_account", dev_addr.to_string()},
                         {"nodes", nlohmann::json::array()},
                         {"proxies", nlohmann::json::array()}};
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeFiles& n = nodes[i];
    node::NodeConfig cfg;
    cfg.data_dir = (fs::path(o.dir) / n.name).string();
    cfg.api.port = n.api_port;
    cfg.block_interval_ms = o.block_interval_ms;
    // Local links are fast: shorter timeouts than the defaults keep a
    // stopped proposer's round short.
    cfg.timeout_propose_ms = 1500;
    cfg.timeout_prevote_ms = 500;
    cfg.timeout_precommit_ms = 500;
    cfg.p2p.host = "127.0.0.1";
    cfg.p2p.port = n.p2p_port;
    cfg.p2p.pex = o.proxy_base_port == 0;
    for (size_t j = 0; j < nodes.size(); ++j) {
      if (j == i || !nodes[j].validator) continue;
      uint16_t port =
          o.proxy_base_port ? static_cast<uint16_t>(o.proxy_base_port + 10 * i + j) : nodes[j].p2p_port;
      cfg.p2p.seeds.push_back(Address::of(nodes[j].node_key.public_key()).to_string() +
                              "@127.0.0.1:" + std::to_string(port));
      if (o.proxy_base_port) {
        desc["proxies"].push_back({{"from", i}, {"to", j}, {"listen", port}, {"target", nodes[j].p2p_port}});
      }
    }
    if (Status s = make_private_dir(cfg.data_dir); !s.ok()) return fail(s.error());
    auto node_pem = n.node_key.to_pem();
    if (!node_pem.ok()) return fail(node_pem.error());
    if (Status s = write_private_file(cfg.path("node_key.pem"), *node_pem); !s.ok()) return fail(s.error());
    if (n.validator) {
      auto vpem = n.validator_key->to_pem();
      if (!vpem.ok()) return fail(vpem.error());
      if (Status s = write_private_file(cfg.path("validator.pem"), *vpem); !s.ok()) return fail(s.error());
    }
    if (Status s = write_file(cfg.path("node.toml"), cfg.to_toml()); !s.ok()) return fail(s.error());
    if (Status s = write_file(cfg.path("genesis.json"), genesis_json); !s.ok()) return fail(s.error());
    nlohmann::json nj = {{"name", n.name},
                         {"data", cfg.data_dir},
                         {"role", n.validator ? "validator" : "full"},
                         {"api", "http://127.0.0.1:" + std::to_string(n.api_port)},
                         {"api_port", n.api_port},
                         {"p2p_port", n.p2p_port},
                         {"node_id", Address::of(n.node_key.public_key()).to_string()}};
    if (n.validator) nj["validator"] = Address::of(n.validator_key->public_key()).to_string();
    desc["nodes"].push_back(nj);
  }
  if (Status s = write_file((fs::path(o.dir) / "testnet.json").string(), desc.dump(2) + "\n"); !s.ok())
    return fail(s.error());

  if (o.json) {
    std::cout << desc.dump() << "\n";
  } else {
    std::cout << "created testnet " << g.chain_id << " in " << o.dir << ": " << o.validators
              << " validator(s), " << o.full_nodes << " full node(s)\n";
    for (const auto& nj : desc["nodes"]) {
      std::cout << "  " << nj["name"].get<std::string>() << "  " << nj["role"].get<std::string>() << "  api "
                << nj["api"].get<std::string>() << "  p2p 127.0.0.1:" << nj["p2p_port"].get<int>() << "\n";
    }
    std::cout << "dev account " << dev_addr.to_string() << " (keyring " << o.dir
              << "/keys), funded, trustee\n"
              << "start: make testnet   (or trustmesh node --data " << o.dir << "/node0 ... per node)\n";
  }
  return 0;
}

}  // namespace

void add_testnet_commands(CLI::App& app) {
  CLI::App* tn = app.add_subcommand("testnet", "Local multi-node networks on 127.0.0.1");
  tn->require_subcommand(1);
  auto o = std::make_shared<TestnetOpts>();
  CLI::App* init = tn->add_subcommand(
      "init", "Write a testnet: shared genesis, one data directory per node, testnet.json");
  init->add_option("--dir", o->dir, "Directory to create")->capture_default_str();
  init->add_option("--validators", o->validators, "Number of validators")->capture_default_str();
  init->add_option("--full-nodes", o->full_nodes, "Number of non-validating full nodes")
      ->capture_default_str();
  init->add_option("--base-port", o->base_port, "Node i: API on base+2i, p2p on base+2i+1")
      ->capture_default_str();
  init->add_option("--proxy-base-port", o->proxy_base_port,
                   "Route node i -> node j through 127.0.0.1:(P+10i+j) (for partition tests; disables PEX)");
  init->add_option("--block-interval-ms", o->block_interval_ms, "Block interval")->capture_default_str();
  init->add_option("--chain-id", o->chain_id, "Chain id")->capture_default_str();
  init->add_flag("--json", o->json, "Print testnet.json instead of a summary");
  init->footer(
      "Example: trustmesh testnet init --dir testnet --validators 4 --full-nodes 1\n"
      "Then: make testnet (starts every node), make testnet-stop");
  init->callback([o] {
    int rc = run_testnet_init(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace trustmesh::cli
