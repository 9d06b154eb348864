// Implementation of `trustmesh gov` (see gov_cmd.h).
#include "cli/gov_cmd.h"

#include "cli/client_opts.h"
#include "cli/compliance_util.h"
#include "cli/tx_flow.h"

namespace trustmesh::cli {

namespace {

struct GovOptions {
  NodeOptions node;
  std::string keyring;
  std::string key;
  uint64_t fee = 10;
  std::vector<std::string> params;      // name=value
  std::vector<std::string> validators;  // PUBKEY_HEX:POWER
  std::vector<std::string> grants;      // org:role or -org:role
  std::vector<std::string> ca_roots;    // PEM files
  std::vector<std::string> vendor_ids;  // VID:ORG
  uint64_t proposal = 0;
};

Error bad(const std::string& msg) {
  return make_error(ErrorCode::kInvalidArgument, msg);
}

Outcome<uint64_t> parse_uint(const std::string& s, const std::string& what) {
  try {
    size_t used = 0;
    unsigned long long v = std::stoull(s, &used);
    if (used != s.size() || s.empty() || s[0] == '-') throw std::invalid_argument(s);
    return static_cast<uint64_t>(v);
  } catch (const std::exception&) {
    return bad(what + " '" + s + "' is not a non-negative integer");
  }
}

Done run_propose(const GovOptions& o) {
  ledger::op::GovPropose op;
  for (const std::string& p : o.params) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) return bad("--param takes name=value, not '" + p + "'");
    TM_CLI_ASSIGN(uint64_t v, parse_uint(p.substr(eq + 1), "--param value"));
    op.changes[p.substr(0, eq)] = v;
  }
  for (const std::string& v : o.validators) {
    size_t colon = v.rfind(':');
    if (colon == std::string::npos) return bad("--validator takes PUBKEY_HEX:POWER, not '" + v + "'");
    auto raw = from_hex(v.substr(0, colon));
    if (!raw.ok()) return bad("--validator key is not hex: " + raw.error().message);
    auto key = PublicKey::from_encoded(*raw);
    if (!key.ok()) return bad("--validator key: " + key.error().message);
    TM_CLI_ASSIGN(uint64_t power, parse_uint(v.substr(colon + 1), "--validator power"));
    op.validators.push_back(ledger::ValidatorChange{*key, power});
  }
  for (const std::string& g : o.grants) {
    size_t colon = g.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == g.size())
      return bad("--grant takes ORG:ROLE (or -ORG:ROLE to take it away), not '" + g + "'");
    bool revoke = g[0] == '-';
    op.grants.push_back(
        ledger::RoleGrant{g.substr(revoke ? 1 : 0, colon - (revoke ? 1 : 0)), g.substr(colon + 1), revoke});
  }
  for (const std::string& path : o.ca_roots) {
    TM_CLI_ASSIGN(std::vector<Bytes> certs, read_cert_file(path));
    op.ca_roots.insert(op.ca_roots.end(), certs.begin(), certs.end());
  }
  for (const std::string& g : o.vendor_ids) {
    size_t colon = g.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == g.size())
      return bad("--vendor-id takes VID:ORG (e.g. 4660:acme), not '" + g + "'");
    TM_CLI_ASSIGN(uint64_t vid, parse_uint(g.substr(0, colon), "--vendor-id vendor id"));
    op.vendor_ids.push_back(ledger::VendorGrant{vid, g.substr(colon + 1)});
  }
  if (op.changes.empty() && op.validators.empty() && op.grants.empty() && op.ca_roots.empty() &&
      op.vendor_ids.empty())
    return bad(
        "nothing to propose: give --param name=value, --validator PUBKEY_HEX:POWER, --grant ORG:ROLE, "
        "--ca-root FILE or --vendor-id VID:ORG");
  return send_and_report(
      o.node, o.keyring, o.key, o.fee, op, "propose",
      "proposed (applied once more than 2/3 of the trustees approve; validator changes sign "
      "from two blocks after that)");
}

Done run_approve(const GovOptions& o) {
  return send_and_report(o.node, o.keyring, o.key, o.fee, ledger::op::GovApprove{o.proposal}, "approve",
                         "approved proposal " + std::to_string(o.proposal));
}

}  // namespace

void add_gov_commands(CLI::App& app) {
  CLI::App* gov = app.add_subcommand(
      "gov", "Trustee governance: parameters, the validator set, roles, CA roots and vendor ids");
  gov->require_subcommand(1);

  auto po = std::make_shared<GovOptions>();
  CLI::App* propose = gov->add_subcommand(
      "propose", "Propose parameter, validator-set, role, CA-root or vendor-id changes (trustees)");
  propose->add_option("--param", po->params, "A parameter change name=value (repeatable)");
  propose->add_option(
      "--validator", po->validators,
      "Add or re-weight a validator PUBKEY_HEX:POWER, or remove it with power 0 (repeatable); "
      "the key hex is what GET /v1/validators shows");
  propose->add_option("--grant", po->grants,
                      "Give an organisation a power role ORG:ROLE (test_lab, certification_body), or take it "
                      "with -ORG:ROLE (repeatable)");
  propose->add_option("--ca-root", po->ca_roots,
                      "PEM file of a public CA root that manufacturers may be sub-CAs of (repeatable)");
  propose->add_option(
      "--vendor-id", po->vendor_ids,
      "Assign a vendor id to a registered organisation VID:ORG (repeatable; one per org, never "
      "moved)");
  propose->add_option("--key", po->key, "Keyring key of a trustee (signs and pays)")->required();
  propose->add_option("--fee", po->fee, "Tx fee")->capture_default_str();
  add_keyring_option(propose, po->keyring);
  add_node_options(propose, po->node);
  set_examples(propose,
               "Example: trustmesh gov propose --validator 0103ab...9f:1 --key dev\n"
               "Example: trustmesh gov propose --param min_tx_fee=20 --key dev\n"
               "Example: trustmesh gov propose --vendor-id 4660:acme --key dev");
  on_run_done(propose, [po] { return run_propose(*po); });

  auto ao = std::make_shared<GovOptions>();
  CLI::App* approve = gov->add_subcommand("approve", "Approve a pending proposal (trustees)");
  approve->add_option("proposal", ao->proposal, "Proposal id")->required();
  approve->add_option("--key", ao->key, "Keyring key of a trustee (signs and pays)")->required();
  approve->add_option("--fee", ao->fee, "Tx fee")->capture_default_str();
  add_keyring_option(approve, ao->keyring);
  add_node_options(approve, ao->node);
  set_examples(approve, "Example: trustmesh gov approve 3 --key trustee-2");
  on_run_done(approve, [ao] { return run_approve(*ao); });
}

}  // namespace trustmesh::cli
