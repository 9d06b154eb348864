// `trustmesh name ...` (name_cmd.h): the one-tx name operations, the
// read-only queries, and the registration of every name subcommand
// (register itself is in name_register.cc).
//
// Single-tx commands print one line (or, with --json, the node's GET
// /v1/txs answer) and exit 5 when the tx committed but its operation failed.
#include "cli/name_cmd.h"

#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/name_register.h"
#include "cli/tx_flow.h"
#include "ledger/executor.h"
#include "ledger/params.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

struct NameOptions {
  NodeOptions node;
  std::string keyring;
  std::string name;
  std::string key;
  uint64_t fee = 10;
  ValueOptions value;     // update
  std::string to;         // transfer
  uint64_t validity = 0;  // renew
  bool yes = false;       // revoke
};

Done send_one(const NameOptions& o, const ledger::Operation& op, const std::string& step,
              const std::string& done) {
  return send_and_report(o.node, o.keyring, o.key, o.fee, op, step, done);
}

Done run_update(const NameOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  TM_CLI_ASSIGN(ledger::NameValue value, build_name_value(o.value));
  return send_one(o, ledger::op::NameUpdate{o.name, value}, "update", "updated " + o.name);
}

Done run_transfer(const NameOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  Result<Address> to = Address::parse(o.to);
  if (!to.ok()) return make_error(to.error().code, "--to: " + to.error().message);
  return send_one(o, ledger::op::NameTransfer{o.name, *to}, "transfer",
                  "transferred " + o.name + " to " + o.to);
}

Done run_renew(const NameOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  return send_one(o, ledger::op::NameRenew{o.name, o.validity}, "renew",
                  "renewed " + o.name + " by " + std::to_string(o.validity) + " blocks");
}

// Asks on the terminal; refuses when there is none (scripts pass --yes).
Done confirm_revoke(const std::string& name) {
  if (::isatty(STDIN_FILENO) != 1) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "revoking is final and stdin is not a terminal to confirm it; pass --yes to revoke " + name);
  }
  std::cerr << "Revoking " << name
            << " is final: it can never be updated, transferred or renewed again, and stays taken until it "
               "expires.\nType the name to confirm: "
            << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != name) return make_error(ErrorCode::kInvalidArgument, "not confirmed; nothing was sent");
  return kDone;
}

Done run_revoke(const NameOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  if (!o.yes) TM_CLI_TRY(confirm_revoke(o.name));
  return send_one(o, ledger::op::NameRevoke{o.name}, "revoke", "revoked " + o.name);
}

Outcome<json> fetch_name(const NameOptions& o, const std::string& suffix) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  TM_CLI_ASSIGN(NodeClient node, open_reader(o.node, o.keyring, o.key));
  return node.get_json("/v1/names/" + path_segment(o.name) + suffix);
}

void print_history(const json& history) {
  std::cout << "  history\n";
  for (const json& e : history) {
    std::cout << "    block " << json_uint(e, "height") << "  " << json_str(e, "op") << "  owner "
              << json_str(e, "owner") << "  expires at " << json_uint(e, "expires_at") << "  (tx "
              << json_str(e, "tx").substr(0, 16) << "...)\n";
  }
}

Done run_show(const NameOptions& o) {
  TM_CLI_ASSIGN(json rec, fetch_name(o, ""));
  if (o.node.json) {
    std::cout << rec.dump() << "\n";
    return kDone;
  }
  std::cout << json_str(rec, "name") << "\n  status       " << json_str(rec, "status") << "\n  owner        "
            << json_str(rec, "owner") << "\n  cert sha256  " << json_str(rec, "cert_hash") << "\n";
  if (!json_str(rec, "config_hash").empty())
    std::cout << "  config hash  " << json_str(rec, "config_hash") << "\n";
  if (!json_str(rec, "cert_der").empty()) {
    std::cout << "  certificate  on chain (" << json_str(rec, "cert_der").size() / 2 << " bytes DER)\n";
  }
  std::cout << "  registered   block " << json_uint(rec, "registered_at") << ", updated block "
            << json_uint(rec, "updated_at") << ", expires at block " << json_uint(rec, "expires_at")
            << "\n  as of block  " << json_uint(rec, "height") << " (as reported by the node)\n";
  if (rec.contains("history")) print_history(rec["history"]);
  return kDone;
}

Done run_history(const NameOptions& o) {
  TM_CLI_ASSIGN(json rec, fetch_name(o, ""));
  json history = rec.contains("history") ? rec["history"] : json::array();
  if (o.node.json) {
    std::cout << json{{"name", o.name}, {"height", json_uint(rec, "height")}, {"history", history}}.dump()
              << "\n";
    return kDone;
  }
  std::cout << o.name << " (" << history.size() << " entries, as of block " << json_uint(rec, "height")
            << ")\n";
  print_history(history);
  return kDone;
}

Done run_status(const NameOptions& o) {
  TM_CLI_ASSIGN(json st, fetch_name(o, "/status"));
  if (o.node.json) {
    std::cout << st.dump() << "\n";
    return kDone;
  }
  std::cout << o.name << ": " << json_str(st, "status") << " (owner " << json_str(st, "owner")
            << ", cert sha256 " << json_str(st, "cert_hash") << ", expires at block "
            << json_uint(st, "expires_at") << "), block " << json_uint(st, "height")
            << "\n  as reported by the node; `trustmesh verify " << o.name
            << "` checks it against the chain's validators\n";
  return kDone;
}

}  // namespace

void add_name_commands(CLI::App& app) {
  CLI::App* name = app.add_subcommand("name", "Register and manage device names (talks to a node)");
  name->require_subcommand(1);
  set_examples(name,
               "Example: trustmesh name register dev-42 --key alice --cert dev.pem\n"
               "Example: trustmesh name show dev-42");

  auto reg = std::make_shared<RegisterOptions>();
  CLI::App* r =
      name->add_subcommand("register", "Preorder and register a device name, bound to a certificate");
  r->add_option("name", reg->name, "Device name (a-z 0-9 - . _ : /)")->required();
  r->add_option("--key", reg->key, "Keyring key that pays and will own the name")->required();
  add_value_options(r, reg->value);
  r->add_option("--validity", reg->validity, "Blocks the registration lasts")->capture_default_str();
  r->add_option("--fee", reg->fee, "Fee of each tx (at least the chain's min_tx_fee)")->capture_default_str();
  r->add_option("--wait-blocks", reg->wait_blocks,
                "Blocks between preorder and register (preorder_min_blocks)")
      ->capture_default_str();
  r->add_option("--salt", reg->salt,
                "Resume with this salt (hex; default: the one saved in the keyring, or new)");
  add_keyring_option(r, reg->keyring);
  add_node_options(r, reg->node);
  set_examples(r,
               "Example: trustmesh name register dev-42 --key alice --cert dev.pem\n"
               "Example: trustmesh name register dev-43 --key dev --keyring data/keys --cert-hash 3f1a...e9 "
               "--validity 5000");
  on_run_done(r, [reg] { return run_register(*reg); });

  // The other subcommands share NameOptions; `tx` adds --key and --fee.
  auto add = [&](const char* cmd_name, const char* help, const char* example, bool tx, auto run) {
    auto o = std::make_shared<NameOptions>();
    CLI::App* cmd = name->add_subcommand(cmd_name, help);
    cmd->add_option("name", o->name, "Device name")->required();
    if (tx) {
      cmd->add_option("--key", o->key, "Keyring key of the name's owner (signs and pays)")->required();
      cmd->add_option("--fee", o->fee, "Tx fee")->capture_default_str();
      add_keyring_option(cmd, o->keyring);
    } else {
      cmd->add_option("--key", o->key,
                      "Sign the request as this keyring key: a device in a private access domain is shown "
                      "only to members holding read (see `trustmesh domain`)");
      add_keyring_option(cmd, o->keyring);
    }
    add_node_options(cmd, o->node);
    set_examples(cmd, example);
    on_run_done(cmd, [o, run] { return run(*o); });
    return std::make_pair(cmd, o);
  };

  auto [update, uo] =
      add("update", "Bind the name to a new certificate (replaces the whole value)",
          "Example: trustmesh name update dev-42 --key alice --cert dev-renewed.pem", true, run_update);
  add_value_options(update, uo->value);

  auto [transfer, to] =
      add("transfer", "Give the name to another account",
          "Example: trustmesh name transfer dev-42 --to tm1g4ax53gwz33u2ywyt99tf36kusyvnpq6ra40tk "
          "--key alice",
          true, run_transfer);
  transfer->add_option("--to", to->to, "New owner's address (tm1...)")->required();

  auto [renew, ro] =
      add("renew", "Extend the registration",
          "Example: trustmesh name renew dev-42 --validity 100000 --key alice", true, run_renew);
  renew->add_option("--validity", ro->validity, "Blocks added to the current expiry")->required();

  auto [revoke, vo] = add("revoke", "Revoke the name for good (asks for confirmation on a terminal)",
                          "Example: trustmesh name revoke dev-42 --key alice --yes", true, run_revoke);
  revoke->add_flag("-y,--yes", vo->yes, "Do not ask for confirmation");

  add("show", "Show the name's record and history",
      "Example: trustmesh name show dev-42\nExample: trustmesh name show lock-7 --key operator   (private "
      "domain)",
      false, run_show);
  add("history", "Show the name's history", "Example: trustmesh name history dev-42 --json", false,
      run_history);
  add("status", "Show the name's status as the node reports it (see `trustmesh verify`)",
      "Example: trustmesh name status dev-42", false, run_status);
}

}  // namespace trustmesh::cli
