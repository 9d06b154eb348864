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

}  // namespace

Outcome<nlohmann::json> fetch_crl_entries(NodeClient& node, const Bytes& issuer_der) {
  TM_CLI_ASSIGN(x509::CertFacts issuer, x509::parse_certificate(issuer_der));
  auto pending = node.get_json("/v1/crls/" + to_hex(issuer.hash) + "/entries");
  if (!pending.ok() && pending.failure().error.code == ErrorCode::kCertNotFound)
    return make_error(ErrorCode::kCertNotFound,
                      "'" + issuer.subject + "' is not a certificate on the ledger (trustmesh org show ORG)");
  return pending;
}

Outcome<LedgerCrl> sign_ledger_crl(const nlohmann::json& pending, const Bytes& issuer_der, EVP_PKEY* key,
                                   const std::vector<Bytes>& extra_serials, uint64_t next_update_days) {
  if (next_update_days == 0 || next_update_days > 3650)
    return make_error(ErrorCode::kInvalidArgument, "--next-update-days must be 1..3650");
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  LedgerCrl out;
  out.number = pending.value("next_number", uint64_t{1});
  out.org = pending.value("org", "");
  std::vector<x509::CrlEntry> entries;
  for (const auto& e : pending.value("entries", nlohmann::json::array())) {
    TM_CLI_ASSIGN(Bytes serial, from_hex(e.value("serial", "")));
    const int64_t when = e.value("revoked_time", int64_t{0});
    entries.push_back({std::move(serial), when > 0 ? when : now, e.value("reason", "")});
  }
  for (const Bytes& serial : extra_serials) entries.push_back({serial, now, ""});
  out.entries = entries.size();
  TM_CLI_ASSIGN(out.der, x509::sign_crl(issuer_der, key, entries, now - 60,
                                        now + static_cast<int64_t>(next_update_days) * 86400, out.number));
  return out;
}

Outcome<LedgerCrl> build_ledger_crl(NodeClient& node, const Bytes& issuer_der, EVP_PKEY* key,
                                    const std::vector<Bytes>& extra_serials, uint64_t next_update_days) {
  TM_CLI_ASSIGN(nlohmann::json pending, fetch_crl_entries(node, issuer_der));
  return sign_ledger_crl(pending, issuer_der, key, extra_serials, next_update_days);
}

namespace {

Done run_crl_publish(const CrlOptions& o) {
  TM_CLI_ASSIGN(std::vector<Bytes> issuer_der, read_cert_file(o.issuer_cert));
  if (issuer_der.size() != 1)
    return make_error(ErrorCode::kInvalidArgument, o.issuer_cert + " must hold one certificate");
  TM_CLI_ASSIGN(x509::CertFacts issuer, x509::parse_certificate(issuer_der[0]));
  TM_CLI_ASSIGN(std::string key_pem, read_small_file(o.issuer_key));
  TM_CLI_ASSIGN(x509::PkeyPtr key, x509::key_from_pem(key_pem));
  std::vector<Bytes> extra;
  for (const std::string& s : o.serials) {
    auto serial = from_hex(s);
    if (!serial.ok() || serial->empty() || serial->size() > 20)
      return make_error(ErrorCode::kInvalidArgument, "--serial '" + s + "' is not 1..20 bytes of hex");
    extra.push_back(*serial);
  }
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.tx.node.node, o.tx.node.timeout_s));
  TM_CLI_ASSIGN(LedgerCrl crl, build_ledger_crl(node, issuer_der[0], key.get(), extra, o.next_update_days));
  if (!crl.org.empty() && crl.org != o.org)
    return make_error(ErrorCode::kNotOrgAdmin, "'" + issuer.subject + "' is a certificate of '" + crl.org +
                                                   "', not of '" + o.org + "'");
  if (!o.out.empty()) TM_CLI_TRY(write_private_file(o.out, x509::crl_to_pem(crl.der)));
  return send_tx_opts(o.tx, ledger::op::CrlPublish{.org = o.org, .der = crl.der}, "crl.publish",
                      "published CRL number " + std::to_string(crl.number) + " of '" + issuer.subject +
                          "' (" + std::to_string(crl.entries) + " entries), served at /v1/crls/" +
                          to_hex(issuer.hash));
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
      "Hex serial of a certificate this CA revoked outside the ledger (repeatable); those revoked on the "
      "ledger, devices included, are listed anyway");
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
