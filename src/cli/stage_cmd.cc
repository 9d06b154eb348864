// `trustmesh device stage|history` (stage_cmd.h). `stage` sends one
// name.stage tx signed by the device's current holder; `history` prints the
// name's history as a stage timeline, with the certificates orgs certified
// for it.
#include "cli/stage_cmd.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_opts.h"
#include "cli/name_value.h"
#include "cli/tx_flow.h"
#include "core/hash.h"
#include "ledger/executor.h"
#include "ledger/params.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

struct StageOptions {
  NodeOptions node;
  std::string keyring;
  std::string key;
  uint64_t fee = 10;
  std::string name;
  std::string stage;
  std::string to;         // new holder
  std::string cert;       // FILE: the certificate of the new stage
  std::string cert_hash;  // or its SHA-256
  bool yes = false;
};

Done run_stage(const StageOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  auto stage = ledger::device_stage_from(o.stage);
  if (!stage)
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown stage '" + o.stage +
                          "'; use manufactured, distribution, installed, operation, transferred or retired");
  ledger::op::NameStage op{.name = o.name, .stage = *stage};
  if (!o.to.empty()) {
    Result<Address> to = Address::parse(o.to);
    if (!to.ok()) return make_error(to.error().code, "--to: " + to.error().message);
    op.to = *to;
  }
  if (!o.cert.empty()) {
    TM_CLI_ASSIGN(Bytes der, read_certificate_der(o.cert));
    op.cert = sha256(der);
  } else if (!o.cert_hash.empty()) {
    Result<Hash32> h = hash32_from_hex(o.cert_hash);
    if (!h.ok()) return make_error(h.error().code, "--cert-hash: " + h.error().message);
    op.cert = *h;
  }
  if (*stage == ledger::DeviceStage::kRetired && !o.yes)
    return make_error(
        ErrorCode::kInvalidArgument,
        "retiring " + o.name +
            " is final: its certificates are revoked and the name cannot be used again until it "
            "expires; pass --yes to retire it");
  std::string done = o.name + " is now " + o.stage;
  if (op.to) done += ", held by " + o.to;
  if (op.cert) done += ", certificate " + to_hex(*op.cert).substr(0, 16) + "...";
  return send_and_report(o.node, o.keyring, o.key, o.fee, op, "stage", done);
}

Done run_history(const StageOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(json rec, node.get_json("/v1/names/" + path_segment(o.name)));
  json history = rec.contains("history") ? rec["history"] : json::array();
  if (o.node.json) {
    std::cout << json{{"name", o.name},
                      {"status", json_str(rec, "status")},
                      {"stage", json_str(rec, "stage")},
                      {"owner", json_str(rec, "owner")},
                      {"cert_hash", json_str(rec, "cert_hash")},
                      {"height", json_uint(rec, "height")},
                      {"history", history}}
                     .dump()
              << "\n";
    return kDone;
  }
  std::cout << o.name << ": " << json_str(rec, "stage") << " (" << json_str(rec, "status") << "), held by "
            << json_str(rec, "owner") << "\n  certificate sha256 " << json_str(rec, "cert_hash")
            << "\n  as of block " << json_uint(rec, "height") << "\n";
  for (const json& e : history) {
    std::cout << "  block " << json_uint(e, "height") << "  " << json_str(e, "op") << " -> "
              << json_str(e, "stage") << "  holder " << json_str(e, "owner");
    if (!json_str(e, "cert").empty())
      std::cout << "  certified " << json_str(e, "cert").substr(0, 16) << "...";
    std::cout << "\n";
  }
  return kDone;
}

}  // namespace

void add_stage_commands(CLI::App* device) {
  auto so = std::make_shared<StageOptions>();
  CLI::App* stage = device->add_subcommand(
      "stage", "Move a device to its next supply-chain stage (sent by its current holder)");
  stage->add_option("name", so->name, "Device name")->required();
  stage
      ->add_option("stage", so->stage,
                   "manufactured, distribution, installed, operation, transferred or retired")
      ->required();
  stage->add_option("--key", so->key, "Keyring key of the current holder (signs and pays)")->required();
  stage->add_option("--to", so->to, "Hand custody to this address (tm1...); required for transferred");
  auto* cert = stage->add_option("--cert", so->cert,
                                 "Certificate of the new stage (PEM or DER); the one bound before is "
                                 "revoked as superseded if an org certified it for this name");
  stage->add_option("--cert-hash", so->cert_hash, "Or its SHA-256 (hex)")->excludes(cert);
  stage->add_flag("-y,--yes", so->yes, "Confirm a retirement (final)");
  stage->add_option("--fee", so->fee, "Tx fee")->capture_default_str();
  add_keyring_option(stage, so->keyring);
  add_node_options(stage, so->node);
  set_examples(stage,
               "Example: trustmesh device stage lock-7 distribution --to tm1... --key acme\n"
               "Example: trustmesh device stage lock-7 installed --cert lock-7-op.pem --key building\n"
               "Example: trustmesh device stage lock-7 retired --key building --yes");
  on_run_done(stage, [so] { return run_stage(*so); });

  auto ho = std::make_shared<StageOptions>();
  CLI::App* history =
      device->add_subcommand("history", "Show a device's stages, holders and certificates from the ledger");
  history->add_option("name", ho->name, "Device name")->required();
  add_node_options(history, ho->node);
  set_examples(history, "Example: trustmesh device history lock-7 --json");
  on_run_done(history, [ho] { return run_history(*ho); });
}

}  // namespace trustmesh::cli
