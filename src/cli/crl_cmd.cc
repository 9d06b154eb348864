// Implementation of `trustmesh crl publish` (crl_cmd.h).
#include "cli/crl_cmd.h"

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/compliance_util.h"
#include "cli/http_client.h"
#include "cli/private_files.h"
#include "core/x509.h"
#include "core/x509_crl.h"
#include "core/x509_issue.h"

namespace trustmesh::cli {

namespace {

struct CrlOptions {
  TxOptions tx;
  std::string org, issuer_cert, issuer_key, out;
  std::vector<std::string> serials;  // hex: certificates revoked outside the ledger (devices)
  uint64_t next_update_days = 7;
};

Done run_crl_publish(const CrlOptions& o) {
  TM_CLI_ASSIGN(std::vector<Bytes> issuer_der, read_cert_file(o.issuer_cert));
  if (issuer_der.size() != 1)
    return make_error(ErrorCode::kInvalidArgument, o.issuer_cert + " must hold one certificate");
  TM_CLI_ASSIGN(x509::CertFacts issuer, x509::parse_certificate(issuer_der[0]));
  TM_CLI_ASSIGN(std::string key_pem, read_small_file(o.issuer_key));
  TM_CLI_ASSIGN(x509::PkeyPtr key, x509::key_from_pem(key_pem));
  if (o.next_update_days == 0 || o.next_update_days > 3650)
    return make_error(ErrorCode::kInvalidArgument, "--next-update-days must be 1..3650");

  // What the ledger says: this CA's revoked certificates and its last cRLNumber.
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.tx.node.node, o.tx.node.timeout_s));
  TM_CLI_ASSIGN(nlohmann::json org, node.get_json("/v1/orgs/" + path_segment(o.org)));
  const std::string issuer_hex = to_hex(issuer.hash);
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  uint64_t number = 1;
  for (const auto& c : org.value("crls", nlohmann::json::array()))
    if (c.value("issuer", "") == issuer_hex) number = c.value("number", uint64_t{0}) + 1;
  bool on_ledger = false;
  std::vector<x509::CrlEntry> entries;
  for (const auto& c : org.value("certificates", nlohmann::json::array())) {
    if (c.value("sha256", "") == issuer_hex) on_ledger = true;
    if (c.value("parent", "") != issuer_hex || !c.value("revoked", false)) continue;
    TM_CLI_ASSIGN(std::vector<Bytes> der, x509::read_certificates(c.value("pem", "")));
    TM_CLI_ASSIGN(x509::CertFacts f, x509::parse_certificate(der.at(0)));
    const int64_t when = c.value("revoked_time", int64_t{0});
    entries.push_back({f.serial, when > 0 ? when : now, c.value("reason", "")});
  }
  if (!on_ledger)
    return make_error(ErrorCode::kCertNotFound, "'" + issuer.subject + "' is not a certificate of '" + o.org +
                                                    "' on the ledger (trustmesh org show " + o.org + ")");
  for (const std::string& s : o.serials) {
    auto serial = from_hex(s);
    if (!serial.ok() || serial->empty() || serial->size() > 20)
      return make_error(ErrorCode::kInvalidArgument, "--serial '" + s + "' is not 1..20 bytes of hex");
    entries.push_back({*serial, now, ""});
  }
  TM_CLI_ASSIGN(Bytes crl, x509::sign_crl(issuer_der[0], key.get(), entries, now - 60,
                                          now + static_cast<int64_t>(o.next_update_days) * 86400, number));
  if (!o.out.empty()) TM_CLI_TRY(write_private_file(o.out, x509::crl_to_pem(crl)));
  return send_tx_opts(o.tx, ledger::op::CrlPublish{.org = o.org, .der = crl}, "crl.publish",
                      "published CRL number " + std::to_string(number) + " of '" + issuer.subject + "' (" +
                          std::to_string(entries.size()) + " entries), served at /v1/crls/" + issuer_hex);
}

}  // namespace

void add_crl_commands(CLI::App& app) {
  CLI::App* crl = app.add_subcommand("crl", "Certificate revocation lists published on the ledger");
  crl->require_subcommand(1);
  auto o = std::make_shared<CrlOptions>();
  CLI::App* pub = crl->add_subcommand(
      "publish",
      "Sign a CRL of what the ledger says this CA revoked and publish it (served at /v1/crls/{issuer})");
  pub->add_option("--org", o->org, "Your organisation id")->required();
  pub->add_option("--issuer-cert", o->issuer_cert, "PEM of the CA certificate (root, intermediate or model)")
      ->required();
  pub->add_option("--issuer-key", o->issuer_key, "Its PEM private key")->required();
  pub->add_option(
      "--serial", o->serials,
      "Hex serial of a certificate this CA revoked outside the ledger, e.g. a device (repeatable)");
  pub->add_option("--next-update-days", o->next_update_days, "Days until nextUpdate")->capture_default_str();
  pub->add_option("--out", o->out, "Also write the CRL (PEM) to this file");
  add_tx_options(pub, o->tx);
  set_examples(
      pub,
      "Example: trustmesh crl publish --org acme --issuer-cert acme-root.pem --issuer-key acme-root.key "
      "--key acme\n"
      "Then:    curl -o acme.crl http://127.0.0.1:8080/v1/crls/<root sha256> && "
      "openssl crl -inform DER -in acme.crl -noout -text");
  on_run_done(pub, [o] { return run_crl_publish(*o); });
}

}  // namespace trustmesh::cli
