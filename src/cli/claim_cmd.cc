// Implementation of `trustmesh claim ...` and `trustmesh admit` (claim_cmd.h).
#include "cli/claim_cmd.h"

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/compliance_util.h"
#include "cli/http_client.h"
#include "cli/private_files.h"
#include "core/x509.h"
#include "light/trust_anchor.h"
#include "trust/json.h"
#include "trust/light_admission.h"

namespace trustmesh::cli {

namespace {

using nlohmann::json;

struct ClaimOptions {
  TxOptions tx;
  std::string issuer, type, subject;
  std::vector<std::string> data;
  uint64_t expires_at = 0;
  uint64_t id = 0;
};

struct AdmitOptions {
  NodeOptions node;
  std::string policy, cert, chain, firmware, firmware_file, anchor;
  uint64_t max_age_s = 60;
};

Done run_claim_issue(const ClaimOptions& o) {
  TM_CLI_ASSIGN(ledger::TextMap data, parse_pairs(o.data, "--data"));
  ledger::op::ClaimIssue c{
      .issuer = o.issuer, .type = o.type, .subject = o.subject, .data = data, .expires_at = o.expires_at};
  return send_tx_opts(o.tx, c, "claim.issue", o.issuer + " claims " + o.type + " about " + o.subject);
}

Outcome<int> run_admit(const AdmitOptions& o) {
  TM_CLI_ASSIGN(std::string policy_text, read_small_file(o.policy));
  auto policy = trust::parse_policy(policy_text);
  if (!policy.ok()) return make_error(policy.error().code, o.policy + ": " + policy.error().message);
  TM_CLI_ASSIGN(std::vector<Bytes> device, read_cert_file(o.cert));
  trust::AdmissionRequest req{.device_der = device.at(0)};
  json body{{"policy", json::parse(policy_text)}, {"certificate", x509::to_pem(req.device_der)}};
  if (!o.chain.empty()) {
    TM_CLI_ASSIGN(req.chain, read_cert_file(o.chain));
    TM_CLI_ASSIGN(std::string chain_text, read_small_file(o.chain));
    body["chain"] = chain_text;
  }
  if (!o.firmware_file.empty()) {
    TM_CLI_ASSIGN(auto fh, hash_file(o.firmware_file));
    req.firmware = fh.first;
  } else if (!o.firmware.empty()) {
    auto h = hash32_from_hex(o.firmware);
    if (!h.ok())
      return make_error(ErrorCode::kInvalidArgument, "--firmware must be a SHA-256 in hex (64 digits)");
    req.firmware = *h;
  }
  if (req.firmware) body["firmware"] = to_hex(*req.firmware);

  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  const bool light = !o.anchor.empty();
  TM_CLI_ASSIGN(json answer, node.post_json(light ? "/v1/admission?prove=true" : "/v1/admission", body.dump(),
                                            "application/json"));
  json out;
  bool admit = false;
  if (light) {
    TM_CLI_ASSIGN(std::string anchor_text, read_small_file(o.anchor));
    auto anchor = light::TrustAnchor::from_genesis_json(anchor_text);
    if (!anchor.ok())
      return make_error(anchor.error().code, "trust anchor " + o.anchor + ": " + anchor.error().message);
    light::Freshness fresh{.now = static_cast<uint64_t>(std::time(nullptr)), .max_age_s = o.max_age_s};
    auto la = trust::decide_from_proofs(*anchor, answer, *policy, req, fresh);
    if (!la.ok())
      return make_error(la.error().code, "the node's answer does not verify: " + la.error().message);
    out = trust::decision_json(la->decision);
    out["verified"] = json{{"by", "light client"},
                           {"proven_entries", la->proven_entries},
                           {"header_age_s", la->age_s},
                           {"node_agreed", la->node_agreed}};
    admit = la->decision.admit;
  } else {
    out = answer;
    admit = answer.value("decision", "") == "admit";
  }
  if (o.node.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::cout << out.value("explanation", "");
    if (light)
      std::cout << "  (verified by the light client: " << out["verified"]["proven_entries"].get<uint64_t>()
                << " proven state entries, header " << out["verified"]["header_age_s"].get<uint64_t>()
                << " s old)\n";
  }
  return admit ? kExitOk : kExitDenied;
}

}  // namespace

void add_claim_commands(CLI::App& app) {
  CLI::App* claim = app.add_subcommand("claim",
                                       "Signed claims organisations make about each other, models, "
                                       "releases and devices");
  claim->require_subcommand(1);
  auto io = std::make_shared<ClaimOptions>();
  CLI::App* issue = claim->add_subcommand("issue", "Issue a claim as your organisation");
  issue->add_option("--issuer", io->issuer, "Your organisation id")->required();
  issue
      ->add_option("--type", io->type,
                   "membership, membership_ended, liaison, lab_approval, compliance, certification_failed, "
                   "advisory, firmware_vote, device_status, endorsement, revocation, cosign")
      ->required();
  issue
      ->add_option(
          "--subject", io->subject,
          "org:<id>, model:<vid>/<pid>, release:<sha256>, cert:<sha256>, device:<name or cert sha256>")
      ->required();
  issue->add_option("--data", io->data,
                    "key=value (repeatable), e.g. vote=good, status=stolen, affected=1-3, role=producer, "
                    "report_sha256=<hex>");
  issue->add_option("--expires-at", io->expires_at, "Height from which the claim no longer holds");
  add_tx_options(issue, io->tx);
  set_examples(
      issue,
      "Example: trustmesh claim issue --issuer csa --type lab_approval --subject org:lab --key csa\n"
      "Example: trustmesh claim issue --issuer lab --type compliance --subject model:4660/1 --key lab");
  on_run_done(issue, [io] { return run_claim_issue(*io); });

  auto wo = std::make_shared<ClaimOptions>();
  CLI::App* wd = claim->add_subcommand("withdraw", "Withdraw a claim your organisation issued");
  wd->add_option("id", wo->id, "Claim id")->required();
  add_tx_options(wd, wo->tx);
  on_run_done(wd, [wo] {
    return send_tx_opts(wo->tx, ledger::op::ClaimWithdraw{wo->id}, "claim.withdraw",
                        "withdrew claim " + std::to_string(wo->id));
  });
  add_show_command(
      claim, "list", "Every claim about a subject, with its state now", "subject",
      [](const std::string& s) { return "/v1/claims?subject=" + path_segment(s); },
      "Example: trustmesh claim list model:4660/1");
  add_show_command(
      claim, "show", "One claim", "id",
      [](const std::string& id) { return "/v1/claims/" + path_segment(id); },
      "Example: trustmesh claim show 12");

  auto ao = std::make_shared<AdmitOptions>();
  CLI::App* admit =
      app.add_subcommand("admit", "Should a gateway admit this device? Decide by an ecosystem policy");
  admit->add_option("--policy", ao->policy, "Policy JSON file (docs/API.md, Admission policies)")->required();
  admit->add_option("--cert", ao->cert, "The device's certificate (PEM)")->required();
  admit->add_option("--chain", ao->chain, "Certificates the device presented with it (PEM)");
  admit->add_option("--firmware", ao->firmware, "SHA-256 (hex) of the firmware the device runs");
  admit->add_option("--firmware-file", ao->firmware_file, "Or the firmware image itself");
  admit->add_option(
      "--anchor", ao->anchor,
      "Decide as a light client: genesis JSON of the chain (its validators are the trust anchor)");
  admit->add_option("--max-age", ao->max_age_s, "Light client: oldest header accepted, seconds")
      ->capture_default_str();
  add_node_options(admit, ao->node);
  set_examples(admit,
               "Example: trustmesh admit --policy examples/policies/building-security.json --cert lock.pem "
               "--firmware 9f86d0...\nExample: trustmesh admit --policy lighting.json --cert bulb.pem "
               "--anchor data/genesis.json");
  on_run(admit, [ao] {
    Outcome<int> r = run_admit(*ao);
    return r.ok() ? *r : report(r.failure());
  });
}

}  // namespace trustmesh::cli
