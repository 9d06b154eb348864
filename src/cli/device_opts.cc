// Device-side ledger options (device_opts.h).
#include "cli/device_opts.h"

#include <fstream>
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
  cmd->add_option("--peer", o.peers,
                  "Device ID allowed as an IoTAKE peer (repeat; default: any registered device)");
}

Outcome<std::unique_ptr<device::LedgerClient>> open_ledger_client(const DeviceLedgerOptions& o) {
  device::LedgerOptions lo;
  lo.nodes = o.ledger.empty() ? std::vector<std::string>{default_node_url()} : o.ledger;
  TM_CLI_ASSIGN(lo.mode, device::parse_lookup_mode(o.lookup));
  lo.quorum = o.quorum;
  lo.soft_fail = o.fail == "soft";
  lo.soft_fail_max_stale_s = o.max_stale_s;
  lo.max_age_s = o.max_age_s;
  if (!o.anchor.empty()) {
    std::ifstream in(o.anchor);
    if (!in) return make_error(ErrorCode::kIo, "cannot read --anchor " + o.anchor);
    std::stringstream ss;
    ss << in.rdbuf();
    Result<light::TrustAnchor> a = light::TrustAnchor::from_genesis_json(ss.str());
    if (!a.ok()) return make_error(a.error().code, "--anchor " + o.anchor + ": " + a.error().message);
    lo.anchor = std::move(a).value();
  } else if (lo.mode == device::LookupMode::kProof) {
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
