// `trustmesh verify NAME` (verify_cmd.h): checks a name's status with the
// light client (src/light), trusting only the anchor, never the node.
//
// The anchor is --anchor FILE (a genesis JSON obtained out of band), else the
// one cached in <keyring's parent>/anchors/<chain id>.json. With neither,
// the node's GET /v1/genesis is trusted on first use: saved there (0600, never
// overwritten) with a warning naming its SHA-256, and used from then on, so a
// node that later serves another validator set is caught.
#include "cli/verify_cmd.h"

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_opts.h"
#include "cli/http_client.h"
#include "cli/keyring.h"
#include "cli/private_files.h"
#include "cli/tx_flow.h"
#include "core/hash.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "light/status_json.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

struct VerifyOptions {
  NodeOptions node;
  std::string keyring;
  std::string name;
  std::string anchor;
  uint64_t max_age_s = 60;
  bool require_active = false;
};

struct Anchor {
  light::TrustAnchor anchor;
  std::string path;
};

Outcome<Anchor> anchor_from_file(const std::string& path) {
  TM_CLI_ASSIGN(std::string text, read_small_file(path));
  Result<light::TrustAnchor> a = light::TrustAnchor::from_genesis_json(text);
  if (!a.ok()) return make_error(a.error().code, "trust anchor " + path + ": " + a.error().message);
  return Anchor{std::move(*a), path};
}

// The cached anchor of the node's chain, fetched and saved on first use.
Outcome<Anchor> cached_anchor(const VerifyOptions& o, NodeClient& node) {
  // The node's word picks the file only; the anchor itself decides what verifies.
  TM_CLI_ASSIGN(std::string chain_id, fetch_chain_id(node));
  std::string dir = Keyring(o.keyring).anchors_dir();
  std::string path = dir + "/" + file_name_escape(chain_id) + ".json";
  Outcome<Anchor> cached = anchor_from_file(path);
  if (cached.ok() || cached.failure().error.code != ErrorCode::kNotFound) {
    if (cached.ok() && cached->anchor.chain_id != chain_id) {
      return make_error(
          ErrorCode::kInvalidArgument,
          path + " is the anchor of chain '" + cached->anchor.chain_id + "', not '" + chain_id + "'");
    }
    return cached;
  }
  TM_CLI_ASSIGN(HttpReply genesis, node.get("/v1/genesis"));
  Result<light::TrustAnchor> a = light::TrustAnchor::from_genesis_json(genesis.body);
  if (!a.ok()) return make_error(a.error().code, "the node's /v1/genesis: " + a.error().message);
  if (a->chain_id != chain_id) {
    return make_error(ErrorCode::kInvalidArgument, "the node's /v1/genesis is for chain '" + a->chain_id +
                                                       "' but its /v1/status says '" + chain_id + "'");
  }
  TM_CLI_TRY(make_private_dir(dir));
  Status saved = write_private_file(path, genesis.body);
  if (!saved.ok() && saved.error().code == ErrorCode::kInvalidArgument)
    return anchor_from_file(path);  // a race
  TM_CLI_TRY(saved);
  std::cerr << "warning: no trust anchor for chain " << chain_id << " yet: trusting the genesis served by "
            << node.url() << " on first use (" << a->validators.size() << " validator(s), sha256 "
            << to_hex(sha256(as_bytes(genesis.body))) << ") and saving it as " << path
            << "; compare it with the chain's published genesis, or pass --anchor genesis.json\n";
  return Anchor{std::move(*a), path};
}

// When the node now serves a genesis with another validator set than the
// anchor cached on first use: most likely the chain was created anew.
std::string anchor_hint(NodeClient& node, const Anchor& cached) {
  Outcome<HttpReply> genesis = node.get("/v1/genesis");
  if (!genesis.ok()) return "";
  Result<light::TrustAnchor> now = light::TrustAnchor::from_genesis_json(genesis->body);
  if (!now.ok() || now->validators.hash() == cached.anchor.validators.hash()) return "";
  return " (the node's genesis names other validators than the anchor " + cached.path +
         ", which was trusted on first use: if this chain was created anew, e.g. by `trustmesh init`, remove "
         "that file or pass --anchor DATA/genesis.json; otherwise the node is not on the chain you trusted)";
}

ErrorCode code_for_status(const std::string& status) {
  if (status == "revoked") return ErrorCode::kNameRevoked;
  if (status == "retired") return ErrorCode::kNameRetired;
  if (status == "expired") return ErrorCode::kNameExpired;
  return ErrorCode::kNameNotFound;
}

Done run_verify(const VerifyOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(Anchor anchor, o.anchor.empty() ? cached_anchor(o, node) : anchor_from_file(o.anchor));
  TM_CLI_ASSIGN(HttpReply answer, node.get("/v1/names/" + path_segment(o.name) + "/status?prove=true"));
  light::Freshness fresh;
  fresh.now = static_cast<uint64_t>(::time(nullptr));
  fresh.max_age_s = o.max_age_s;
  Result<light::VerifiedNameStatus> v = light::verify_status_body(anchor.anchor, o.name, answer.body, fresh);
  if (!v.ok()) {
    return make_error(v.error().code, "verification of " + o.name + " failed: " + v.error().message +
                                          (o.anchor.empty() ? anchor_hint(node, anchor) : ""));
  }
  json out = {{"name", v->name},
              {"verified", true},
              {"status", v->status},
              {"height", v->height},
              {"header_time", v->header_time},
              {"age_s", v->age_s},
              {"chain_id", anchor.anchor.chain_id},
              {"anchor", anchor.path}};
  std::string detail;
  if (v->record) {
    const ledger::NameRecord& r = *v->record;
    out["owner"] = r.owner.to_string();
    out["cert_hash"] = to_hex(r.value.cert_hash);
    out["expires_at"] = r.expires_at;
    if (r.value.config_hash) out["config_hash"] = to_hex(*r.value.config_hash);
    detail = " (cert sha256 " + to_hex(r.value.cert_hash) + ", owner " + r.owner.to_string() + ")";
  }
  if (o.node.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::string state = v->status == "unregistered" ? "is not registered" : "is " + v->status;
    std::cout << "verified: " << o.name << " " << state << detail << ", block " << v->height << ", "
              << v->age_s << " s old\n";
  }
  if (o.require_active && v->status != "active") {
    std::string state = v->status == "unregistered" ? "not registered" : v->status;
    return make_error(code_for_status(v->status), o.name + " is " + state + " (verified)");
  }
  return kDone;
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Verify a name's status with the light client: proofs and validator signatures, not the node's word");
  cmd->add_option("name", o->name, "Device name")->required();
  cmd->add_option(
      "--anchor", o->anchor,
      "Genesis JSON to trust (default: the cached anchor of the node's chain, fetched on first use)");
  cmd->add_option("--max-age", o->max_age_s, "Refuse answers whose block is older than this (seconds)")
      ->capture_default_str();
  cmd->add_flag("--require-active", o->require_active, "Exit 1 unless the verified status is active");
  add_keyring_option(cmd, o->keyring);
  add_node_options(cmd, o->node);
  set_examples(cmd,
               "Example: trustmesh verify dev-42\n"
               "Example: trustmesh verify dev-42 --anchor genesis.json --max-age 30 --require-active");
  on_run_done(cmd, [o] { return run_verify(*o); });
}

}  // namespace trustmesh::cli
