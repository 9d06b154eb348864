// Device-side ledger options (device_opts.h).
#include "cli/device_opts.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/client_opts.h"

namespace trustmesh::cli {

void add_device_ledger_options(CLI::App* cmd, DeviceLedgerOptions& o) {
  cmd->add_option("--ledger", o.ledger, "Ledger node URL of the membership list (repeat for several)");
  cmd->add_option("--anchor", o.anchor, "Genesis JSON of the chain: the trust anchor (needed in proof mode)");
  cmd->add_option("--lookup", o.lookup, "proof: one node, verified by the light client; quorum: n of N agree")
      ->check(CLI::IsMember({"proof", "quorum"}))
      ->capture_default_str();
  cmd->add_option("--quorum", o.quorum, "Agreeing nodes needed in quorum mode (default: a majority)");
  cmd->add_option("--fail", o.fail,
                  "When no ledger node answers: hard = refuse, soft = use a recent cached answer")
      ->check(CLI::IsMember({"hard", "soft"}))
      ->capture_default_str();
  cmd->add_option("--max-stale", o.max_stale_s, "Soft-fail: oldest cached answer used (seconds)")
      ->capture_default_str();
  cmd->add_option("--max-age", o.max_age_s, "Refuse proven answers whose block is older (seconds)")
      ->capture_default_str();
  cmd->add_option(
      "--members", o.members,
      "Ledger membership list file {\"ledger\": [URL...], \"anchor\": FILE} (instead of --ledger/--anchor)");
  cmd->add_option("--peer", o.peers,
                  "Device ID allowed as an IoTAKE peer (repeat; default: any registered device)");
}

namespace {

Result<light::TrustAnchor> read_anchor(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kIo, "cannot read the anchor " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<light::TrustAnchor> a = light::TrustAnchor::from_genesis_json(ss.str());
  if (!a.ok()) return make_error(a.error().code, "anchor " + path + ": " + a.error().message);
  return a;
}

}  // namespace

Outcome<Members> load_members(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kIo, "cannot read the membership file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kMalformed, "membership file " + path + ": " + why);
  };
  if (!j.is_object() || !j.contains("ledger") || !j["ledger"].is_array())
    return bad("needs \"ledger\": [URL, ...]");
  Members m;
  for (const auto& u : j["ledger"]) {
    if (!u.is_string()) return bad("ledger entries are URLs");
    m.ledger.push_back(u.get<std::string>());
  }
  if (j.contains("anchor")) {
    if (!j["anchor"].is_string()) return bad("anchor is a file name");
    std::filesystem::path a = j["anchor"].get<std::string>();
    if (a.is_relative()) a = std::filesystem::path(path).parent_path() / a;
    TM_CLI_ASSIGN(light::TrustAnchor anchor, read_anchor(a.string()));
    m.anchor = std::move(anchor);
  }
  return m;
}

Outcome<std::unique_ptr<device::LedgerClient>> open_ledger_client(const DeviceLedgerOptions& o) {
  device::LedgerOptions lo;
  lo.nodes = o.ledger.empty() ? std::vector<std::string>{default_node_url()} : o.ledger;
  if (!o.members.empty()) {
    TM_CLI_ASSIGN(Members m, load_members(o.members));
    lo.nodes = std::move(m.ledger);
    lo.anchor = std::move(m.anchor);
  }
  TM_CLI_ASSIGN(lo.mode, device::parse_lookup_mode(o.lookup));
  lo.quorum = o.quorum;
  lo.soft_fail = o.fail == "soft";
  lo.soft_fail_max_stale_s = o.max_stale_s;
  lo.max_age_s = o.max_age_s;
  if (!o.anchor.empty() && !lo.anchor) {
    TM_CLI_ASSIGN(light::TrustAnchor a, read_anchor(o.anchor));
    lo.anchor = std::move(a);
  } else if (!lo.anchor && lo.mode == device::LookupMode::kProof) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "proof look-ups need --anchor GENESIS.json (the chain's genesis file, obtained out of band), "
        "or use --lookup quorum");
  }
  TM_CLI_ASSIGN(auto client, device::LedgerClient::open(std::move(lo)));
  return client;
}

device::IotakeOptions iotake_options(const DeviceLedgerOptions& o) {
  device::IotakeOptions io;
  io.peers = o.peers;
  return io;
}

}  // namespace trustmesh::cli
