// `trustmesh status`, `trustmesh tx status`, `trustmesh account`
// (client_cmd.h). --json prints the node's answer unchanged.
#include "cli/client_cmd.h"

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/keyring.h"
#include "cli/tx_flow.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

struct QueryOptions {
  NodeOptions node;
  std::string keyring;
  std::string arg;  // tx hash or address
  std::string key;
  bool wait = false;
};

Done run_status(const QueryOptions& o) {
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(json s, fetch_status(node));
  if (o.node.json) {
    std::cout << s.dump() << "\n";
    return kDone;
  }
  auto now = static_cast<int64_t>(::time(nullptr));
  int64_t age = now - static_cast<int64_t>(json_uint(s, "time"));
  json mempool = s.contains("mempool") ? s["mempool"] : json::object();
  std::cout << "node " << node.url() << " (version " << json_str(s, "version") << ")\n  chain       "
            << json_str(s, "chain_id") << "\n  height      " << json_uint(s, "height") << " (block time "
            << (age >= 0 ? std::to_string(age) + " s ago" : std::to_string(-age) + " s ahead of this clock")
            << ")\n  block hash  " << json_str(s, "block_hash") << "\n  state root  "
            << json_str(s, "state_root") << "\n  validator   " << json_str(s, "validator")
            << "\n  mempool     " << json_uint(mempool, "txs") << " txs, " << json_uint(mempool, "bytes")
            << " bytes\n";
  return kDone;
}

Done run_tx_status(const QueryOptions& o) {
  Result<Hash32> hash = hash32_from_hex(o.arg);
  if (!hash.ok()) return make_error(ErrorCode::kInvalidArgument, "tx hash: " + hash.error().message);
  std::string h = to_hex(*hash);
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(json tx, node.get_json("/v1/txs/" + h));
  if (o.wait && json_str(tx, "status") != "committed") {
    Progress progress;
    TM_CLI_ASSIGN(tx, wait_committed(node, h, o.node.timeout_s, progress, "pending"));
  }
  if (o.node.json) {
    std::cout << tx.dump() << "\n";
  } else {
    std::cout << "tx " << h << ": " << describe_tx(tx) << "\n";
  }
  if (json_str(tx, "status") == "committed" && !tx_applied(tx)) {
    return Failure{make_error(static_cast<ErrorCode>(json_uint(tx, "code")),
                              "the tx was committed but its operation failed: " + json_str(tx, "message")),
                   kExitTxFailed};
  }
  return kDone;
}

Done run_account(const QueryOptions& o) {
  std::string address = o.arg;
  if (!o.key.empty()) {
    TM_CLI_ASSIGN(KeyPair k, Keyring(o.keyring).load(o.key));
    address = Address::of(k.public_key()).to_string();
  } else if (address.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "give an ADDRESS (tm1...) or --key NAME");
  }
  Result<Address> addr = Address::parse(address);
  if (!addr.ok()) return make_error(addr.error().code, "address: " + addr.error().message);
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(json a, node.get_json("/v1/accounts/" + addr->to_string()));
  if (o.node.json) {
    std::cout << a.dump() << "\n";
  } else {
    std::cout << json_str(a, "address") << "\n  balance   " << json_uint(a, "balance") << "\n  next seq  "
              << json_uint(a, "seq") << "\n";
  }
  return kDone;
}

struct SendOptions {
  NodeOptions node;
  std::string keyring, key, to;
  uint64_t amount = 0;
  uint64_t fee = 10;
};

Done run_send(const SendOptions& o) {
  Result<Address> to = Address::parse(o.to);
  if (!to.ok()) return make_error(to.error().code, "--to: " + to.error().message);
  return send_and_report(o.node, o.keyring, o.key, o.fee, ledger::op::Send{*to, o.amount}, "send",
                         "sent " + std::to_string(o.amount) + " to " + o.to);
}

}  // namespace

void add_client_commands(CLI::App& app) {
  auto so = std::make_shared<SendOptions>();
  CLI::App* send =
      app.add_subcommand("send", "Move funds to another account (e.g. to fund a new owner or DM)");
  send->add_option("--to", so->to, "Recipient address (tm1...)")->required();
  send->add_option("--amount", so->amount, "Amount")->required();
  send->add_option("--key", so->key, "Keyring key that signs and pays")->required();
  send->add_option("--fee", so->fee, "Tx fee")->capture_default_str();
  add_keyring_option(send, so->keyring);
  add_node_options(send, so->node);
  set_examples(
      send,
      "Example: trustmesh send --to tm1g4ax53gwz33u2ywyt99tf36kusyvnpq6ra40tk --amount 100000 --key dev");
  on_run_done(send, [so] { return run_send(*so); });

  auto st = std::make_shared<QueryOptions>();
  CLI::App* status = app.add_subcommand("status", "Show the node's chain, height and mempool");
  add_node_options(status, st->node);
  set_examples(status, "Example: trustmesh status --node http://127.0.0.1:8080");
  on_run_done(status, [st] { return run_status(*st); });

  CLI::App* tx = app.add_subcommand("tx", "Transactions sent to a node");
  tx->require_subcommand(1);
  auto ts = std::make_shared<QueryOptions>();
  CLI::App* tx_status = tx->add_subcommand("status", "Show a tx's status (pending or committed) and outcome");
  tx_status->add_option("hash", ts->arg, "Tx hash (64 hex characters)")->required();
  tx_status->add_flag("--wait", ts->wait, "Wait until it is committed (up to --timeout)");
  add_node_options(tx_status, ts->node);
  set_examples(tx_status, "Example: trustmesh tx status 9c4e...07 --wait");
  on_run_done(tx_status, [ts] { return run_tx_status(*ts); });

  auto ac = std::make_shared<QueryOptions>();
  CLI::App* account = app.add_subcommand("account", "Show an account's balance and next sequence number");
  auto* addr = account->add_option("address", ac->arg, "Account address (tm1...)");
  auto* key = account->add_option("--key", ac->key, "Keyring key whose account to show");
  addr->excludes(key);
  key->excludes(addr);
  add_keyring_option(account, ac->keyring);
  add_node_options(account, ac->node);
  set_examples(account,
               "Example: trustmesh account --key alice\nExample: trustmesh account "
               "tm1g4ax53gwz33u2ywyt99tf36kusyvnpq6ra40tk");
  on_run_done(account, [ac] { return run_account(*ac); });
}

}  // namespace trustmesh::cli
