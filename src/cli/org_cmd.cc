// Implementation of `trustmesh org|cert|model|release` (org_cmd.h).
#include "cli/org_cmd.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_opts.h"
#include "cli/compliance_util.h"
#include "cli/http_client.h"
#include "cli/private_files.h"
#include "cli/tx_flow.h"
#include "core/hash.h"
#include "core/x509.h"
#include "core/x509_issue.h"

namespace trustmesh::cli {

namespace {

namespace op = ledger::op;

struct OrgOptions {
  TxOptions tx;
  std::string id, kind, name, root, crl_url, org, level, cert, sha256, reason, version_string,
      kind_release = "firmware", file, url;
  std::vector<std::string> roots, root_keys, labels;
  uint64_t vid = 0, pid = 0, version = 0, size = 0;
  // cert issue
  std::string cn, subject_org, issuer_cert, issuer_key, out;
  bool ca = false;
  uint64_t days = 3650;
  int path_len = -1;
  bool ocsp_signing = false;
  std::string device_name;  // cert add --level device --name
};

Done run_org_register(const OrgOptions& o) {
  op::OrgRegister r{.id = o.id, .kind = o.kind, .name = o.name.empty() ? o.id : o.name, .crl_url = o.crl_url};
  if (o.root_keys.size() != o.roots.size())
    return make_error(ErrorCode::kInvalidArgument,
                      "give one --root-key for each --root, in the same order: "
                      "the ledger asks for proof that you hold each root's key");
  std::vector<x509::PkeyPtr> keys;
  for (size_t i = 0; i < o.roots.size(); ++i) {
    TM_CLI_ASSIGN(std::vector<Bytes> certs, read_cert_file(o.roots[i]));
    if (certs.size() != 1)
      return make_error(ErrorCode::kInvalidArgument, o.roots[i] + " must hold one certificate");
    r.roots.push_back(certs[0]);
    TM_CLI_ASSIGN(std::string pem, read_small_file(o.root_keys[i]));
    TM_CLI_ASSIGN(x509::PkeyPtr k, x509::key_from_pem(pem));
    keys.push_back(std::move(k));
  }
  auto build = [&](const TxSession& s) -> Outcome<ledger::Operation> {
    op::OrgRegister signed_op = r;
    Bytes message = ledger::org_root_message(s.ctx.chain_id, o.id, s.from);
    for (size_t i = 0; i < keys.size(); ++i) {
      TM_CLI_ASSIGN(Bytes sig, x509::sign_with(keys[i].get(), message));
      if (!x509::verify_by_cert_key(r.roots[i], message, sig).ok())
        return make_error(ErrorCode::kInvalidArgument, o.root_keys[i] + " is not the key of " + o.roots[i]);
      signed_op.root_sigs.push_back(std::move(sig));
    }
    return ledger::Operation(std::move(signed_op));
  };
  return send_and_report(o.tx.node, o.tx.keyring, o.tx.key, o.tx.fee, build, "org.register",
                         "registered organisation " + o.id);
}

Done run_cert_add(const OrgOptions& o) {
  TM_CLI_ASSIGN(std::vector<Bytes> certs, read_cert_file(o.cert));
  if (certs.size() != 1)
    return make_error(ErrorCode::kInvalidArgument, o.cert + " must hold one certificate");
  op::CertAdd a{.org = o.org, .level = o.level, .der = certs[0]};
  if (o.vid) a.vid = o.vid;
  if (o.pid) a.pid = o.pid;
  if (!o.device_name.empty()) a.name = o.device_name;
  return send_tx_opts(o.tx, a, "cert.add", "added " + o.level + " certificate " + to_hex(sha256(certs[0])));
}

Done run_cert_revoke(const OrgOptions& o) {
  Hash32 h{};
  if (!o.cert.empty()) {
    TM_CLI_ASSIGN(std::vector<Bytes> certs, read_cert_file(o.cert));
    h = sha256(certs.at(0));
  } else {
    auto parsed = hash32_from_hex(o.sha256);
    if (!parsed.ok()) return make_error(ErrorCode::kInvalidArgument, "--sha256 must be 64 hex digits");
    h = *parsed;
  }
  return send_tx_opts(o.tx, op::CertRevoke{.cert = h, .reason = o.reason}, "cert.revoke",
                      "revoked certificate " + to_hex(h));
}

Done run_cert_issue(const OrgOptions& o) {
  std::optional<std::pair<ByteView, EVP_PKEY*>> issuer;
  std::vector<Bytes> issuer_der;
  x509::PkeyPtr issuer_key;
  if (!o.issuer_cert.empty()) {
    TM_CLI_ASSIGN(issuer_der, read_cert_file(o.issuer_cert));
    TM_CLI_ASSIGN(std::string pem, read_small_file(o.issuer_key));
    TM_CLI_ASSIGN(issuer_key, x509::key_from_pem(pem));
    issuer = std::pair<ByteView, EVP_PKEY*>(issuer_der.at(0), issuer_key.get());
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr)) - 3600;
  x509::CertSpec spec{.cn = o.cn,
                      .org = o.subject_org,
                      .ca = o.ca,
                      .not_before = now,
                      .not_after = now + static_cast<int64_t>(o.days) * 86400,
                      .path_len = o.path_len,
                      .ocsp_signing = o.ocsp_signing};
  if (o.vid) spec.vid = o.vid;
  if (o.pid) spec.pid = o.pid;
  if ((o.vid && o.vid > 0xffff) || (o.pid && o.pid > 0xffff))
    return make_error(ErrorCode::kInvalidArgument, "--vid and --pid are 1..65535");
  if (o.path_len >= 0 && !o.ca) return make_error(ErrorCode::kInvalidArgument, "--path-len needs --ca");
  TM_CLI_ASSIGN(x509::Issued cert, x509::issue(spec, issuer));
  TM_CLI_TRY(write_private_file(o.out + ".key", x509::key_to_pem(cert.key.get())));
  TM_CLI_TRY(write_private_file(o.out + ".pem", x509::to_pem(cert.der)));
  std::cout << "wrote " << o.out << ".pem (sha256 " << to_hex(sha256(cert.der)) << ") and " << o.out
            << ".key (mode 0600)\n";
  return kDone;
}

Done run_model_register(const OrgOptions& o) {
  TM_CLI_ASSIGN(ledger::TextMap label, parse_pairs(o.labels, "--label"));
  return send_tx_opts(
      o.tx, op::ModelRegister{.org = o.org, .vid = o.vid, .pid = o.pid, .name = o.name, .label = label},
      "model.register", "registered model " + ledger::model_subject(o.vid, o.pid));
}

Done run_release_publish(const OrgOptions& o) {
  op::ReleasePublish r{
      .org = o.org,
      .vid = o.vid,
      .pid = o.pid,
      .version = o.version,
      .version_string = o.version_string.empty() ? std::to_string(o.version) : o.version_string,
      .kind = o.kind_release,
      .size = o.size,
      .url = o.url};
  if (!o.file.empty()) {
    TM_CLI_ASSIGN(auto fh, hash_file(o.file));
    r.sha256 = fh.first;
    r.size = fh.second;
  } else {
    auto parsed = hash32_from_hex(o.sha256);
    if (!parsed.ok() || o.size == 0)
      return make_error(ErrorCode::kInvalidArgument, "give --file IMAGE, or --sha256 HEX and --size BYTES");
    r.sha256 = *parsed;
  }
  return send_tx_opts(o.tx, r, "release.publish",
                      "published " + r.kind + " " + r.version_string + " (sha256 " + to_hex(r.sha256) + ")");
}

}  // namespace

void add_org_commands(CLI::App& app) {
  CLI::App* org = app.add_subcommand("org", "Organisations on the compliance ledger");
  org->require_subcommand(1);
  auto ro = std::make_shared<OrgOptions>();
  CLI::App* reg = org->add_subcommand("register", "Register an organisation with its root certificate(s)");
  reg->add_option("id", ro->id, "Organisation id: 2..64 of a-z, 0-9, '-'")->required();
  reg->add_option("--kind", ro->kind,
                  "manufacturer, standards_body, test_lab, certification_body, regulator, integrator, "
                  "software_developer or network_operator")
      ->required();
  reg->add_option("--name", ro->name, "Display name (default: the id)");
  reg->add_option("--root", ro->roots,
                  "PEM file of a root certificate (repeatable; a sub-CA's certificate too)")
      ->required();
  reg->add_option("--root-key", ro->root_keys,
                  "PEM private key of each --root, in the same order: it signs a proof that you hold it "
                  "(the key stays here)")
      ->required();
  reg->add_option("--crl-url", ro->crl_url, "Published revocation distribution point");
  add_tx_options(reg, ro->tx);
  set_examples(reg,
               "Example: trustmesh org register acme --kind manufacturer --root acme-root.pem "
               "--root-key acme-root.key --key acme\n"
               "Then a trustee assigns its vendor id: trustmesh gov propose --vendor-id 4660:acme --key dev");
  on_run_done(reg, [ro] { return run_org_register(*ro); });
  add_show_command(
      org, "show",
      "Show an organisation: roots, certificates, revocations, roles, claims about it and its history", "id",
      [](const std::string& id) { return "/v1/orgs/" + path_segment(id); },
      "Example: trustmesh org show acme");
  add_show_command(
      org, "vendor", "Show the organisation that holds a vendor id", "vid",
      [](const std::string& vid) { return "/v1/vendors/" + path_segment(vid); },
      "Example: trustmesh org vendor 4660");

  CLI::App* cert = app.add_subcommand("cert", "Certificates of organisations: add, revoke, issue");
  cert->require_subcommand(1);
  auto ca = std::make_shared<OrgOptions>();
  CLI::App* add =
      cert->add_subcommand("add", "Put an intermediate or model certificate of your org on the ledger");
  add->add_option("--org", ca->org, "Your organisation id")->required();
  add->add_option(
         "--level", ca->level,
         "intermediate, model, or device (a leaf certificate your CA issued: found by OCSP and CRL checks)")
      ->required();
  add->add_option("--cert", ca->cert, "PEM file of the certificate")->required();
  add->add_option("--vid", ca->vid, "Model certificates: vendor id");
  add->add_option("--pid", ca->pid, "Model certificates: product id");
  add->add_option("--name", ca->device_name,
                  "Device certificates: the device name it was issued for (listed in the name's history; "
                  "retiring the device revokes it)");
  add_tx_options(add, ca->tx);
  set_examples(
      add,
      "Example: trustmesh cert add --org acme --level model --cert bulb.pem --vid 4660 --pid 1 --key acme");
  on_run_done(add, [ca] { return run_cert_add(*ca); });

  auto cr = std::make_shared<OrgOptions>();
  CLI::App* rev = cert->add_subcommand("revoke", "Revoke one of your org's certificates (final)");
  rev->add_option("--cert", cr->cert, "PEM file of the certificate");
  rev->add_option("--sha256", cr->sha256, "Or its SHA-256 (hex)");
  rev->add_option("--reason", cr->reason, "keyCompromise, superseded, cessationOfOperation, ...");
  add_tx_options(rev, cr->tx);
  on_run_done(rev, [cr] { return run_cert_revoke(*cr); });

  auto ci = std::make_shared<OrgOptions>();
  CLI::App* iss =
      cert->add_subcommand("issue", "Make a P-256 certificate and key offline (OUT.pem, OUT.key)");
  iss->add_option("--cn", ci->cn, "Subject common name")->required();
  iss->add_option("--subject-org", ci->subject_org, "Subject O");
  iss->add_flag("--ca", ci->ca, "A CA certificate (roots, intermediates, model certificates)");
  iss->add_option("--issuer-cert", ci->issuer_cert, "Issuer's PEM certificate (default: self-signed)");
  iss->add_option("--issuer-key", ci->issuer_key, "Issuer's PEM private key");
  iss->add_option("--days", ci->days, "Validity in days")->capture_default_str();
  iss->add_option("--vid", ci->vid,
                  "Vendor id to name in the subject (Matter attribute; the ledger checks it is the org's)");
  iss->add_option("--pid", ci->pid, "Product id to name in the subject (model and device certificates)");
  iss->add_flag(
      "--ocsp-signing", ci->ocsp_signing,
      "A delegated OCSP responder certificate (extendedKeyUsage OCSPSigning): give it to trustmesh node "
      "--ocsp-signer with its key");
  iss->add_option("--path-len", ci->path_len,
                  "pathLenConstraint of a CA: how many CA certificates may follow it");
  iss->add_option("--out", ci->out, "Output prefix")->required();
  set_examples(iss,
               "Example: trustmesh cert issue --cn 'Acme Root' --ca --out acme-root\n"
               "Example: trustmesh cert issue --cn 'Acme Bulb' --ca --issuer-cert acme-root.pem "
               "--issuer-key acme-root.key --out bulb");
  on_run_done(iss, [ci] { return run_cert_issue(*ci); });

  CLI::App* model = app.add_subcommand("model", "Device models: register, show");
  model->require_subcommand(1);
  auto mo = std::make_shared<OrgOptions>();
  CLI::App* mreg = model->add_subcommand("register", "Register (or update) a model with its food label");
  mreg->add_option("--org", mo->org, "Your organisation id")->required();
  mreg->add_option("--vid", mo->vid, "Vendor id (your org's)")->required();
  mreg->add_option("--pid", mo->pid, "Product id 1..65535")->required();
  mreg->add_option("--name", mo->name, "Model name")->required();
  mreg->add_option(
      "--label", mo->labels,
      "Food label entry key=value (repeatable): security_features, update_policy, support_until, "
      "protocols, data_collected, certifications, ...");
  add_tx_options(mreg, mo->tx);
  set_examples(mreg,
               "Example: trustmesh model register --org acme --vid 4660 --pid 1 --name 'Smart Bulb' "
               "--label support_until=2031-12 --key acme");
  on_run_done(mreg, [mo] { return run_model_register(*mo); });
  auto ms = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* mshow =
      model->add_subcommand("show", "Show a model, its releases, the claims about it and its history");
  mshow->add_option("vid", ms->first, "Vendor id")->required();
  mshow->add_option("pid", ms->second, "Product id")->required();
  auto mshow_node = std::make_shared<NodeOptions>();
  add_node_options(mshow, *mshow_node);
  on_run_done(mshow, [ms, mshow_node] {
    return show_json(*mshow_node, "/v1/models/" + path_segment(ms->first) + "/" + path_segment(ms->second));
  });

  CLI::App* release = app.add_subcommand("release", "Firmware and software releases");
  release->require_subcommand(1);
  auto po = std::make_shared<OrgOptions>();
  CLI::App* pub = release->add_subcommand("publish", "Publish a release of one of your models");
  pub->add_option("--org", po->org, "Your organisation id")->required();
  pub->add_option("--vid", po->vid, "Vendor id")->required();
  pub->add_option("--pid", po->pid, "Product id")->required();
  pub->add_option("--version", po->version, "Version number (must increase)")->required();
  pub->add_option("--version-string", po->version_string, "Version for people (default: the number)");
  pub->add_option("--kind", po->kind_release, "firmware, software or code")->capture_default_str();
  pub->add_option("--file", po->file, "The image: its SHA-256 and size are published");
  pub->add_option("--sha256", po->sha256, "Or the image's SHA-256 (hex) ...");
  pub->add_option("--size", po->size, "... and size in bytes");
  pub->add_option("--url", po->url, "Where to fetch it");
  add_tx_options(pub, po->tx);
  set_examples(pub,
               "Example: trustmesh release publish --org acme --vid 4660 --pid 1 --version 2 "
               "--version-string 1.1.0 --file fw.bin --url https://acme.example/fw/1.1.0 --key acme");
  on_run_done(pub, [po] { return run_release_publish(*po); });
  add_show_command(
      release, "show", "Show a release and the claims (votes, advisories) about it", "sha256",
      [](const std::string& h) { return "/v1/releases/" + path_segment(h); },
      "Example: trustmesh release show 9f86d0...");
}

}  // namespace trustmesh::cli
