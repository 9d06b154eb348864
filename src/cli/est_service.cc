// The EST service; see est_service.h.
#include "cli/est_service.h"

#include <ctime>
#include <iostream>

#include "cli/crl_cmd.h"
#include "cli/http_client.h"
#include "core/hash.h"
#include "core/x509.h"
#include "pki/est_base64.h"
#include "pki/est_csr.h"
#include "pki/est_pkcs7.h"
#include "pki/est_revocation.h"

namespace trustmesh::cli {

namespace {

const char* op_name(pki::EstOp op) {
  return op == pki::EstOp::kEnroll ? "simpleenroll" : "simplereenroll";
}

EstReply certs_only(const std::vector<Bytes>& certs) {
  auto der = pki::certs_only_encode(certs);
  if (!der.ok()) return {500, "text/plain", der.error().message + "\n"};
  return {200, pki::kCertsOnlyType, pki::base64_encode(*der), true};
}

// One line to stderr in one write, so lines of concurrent requests never mix.
void log_line(const std::string& line) {
  std::cerr << (line + "\n") << std::flush;
}

// "application/pkcs10; charset=..." -> "application/pkcs10"
std::string media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

// Re-enrolment with a certificate this CA issued: the ledger must still hold
// it unrevoked. Asked of the node's OCSP responder (GET /v1/ocsp/{base64});
// a node with no responder for this CA cannot say, and is logged, not refused.
Status check_on_ledger(NodeClient& node, const Bytes& cert, const Bytes& ca_cert, const std::string& name) {
  TM_ASSIGN_OR_RETURN(Bytes req, pki::ocsp_request_for(cert, ca_cert));
  std::string b64;
  for (char c : pki::base64_encode(req))
    if (c != '\n') b64.push_back(c);
  auto reply = node.get("/v1/ocsp/" + path_segment(b64));
  pki::LedgerCertStatus status = pki::LedgerCertStatus::kUnavailable;
  if (reply.ok()) {
    TM_ASSIGN_OR_RETURN(status, pki::read_ocsp_answer(as_bytes(reply->body), cert, ca_cert));
  } else if (reply.failure().exit == kExitUnreachable) {
    return make_error(ErrorCode::kLedgerUnavailable,
                      "the ledger node is unreachable: " + reply.failure().error.message);
  }
  switch (status) {
    case pki::LedgerCertStatus::kGood: return Status::Ok();
    case pki::LedgerCertStatus::kRevoked:
      return make_error(ErrorCode::kCertRevoked,
                        "the client certificate for '" + name +
                            "' is revoked on the ledger: it cannot re-enrol (enrol with "
                            "simpleenroll, authenticated by the device or its owner)");
    case pki::LedgerCertStatus::kUnknown:
      return make_error(ErrorCode::kCertNotFound, "the client certificate for '" + name +
                                                      "' is not recorded on the ledger: it cannot re-enrol");
    case pki::LedgerCertStatus::kUnavailable:
      // Fail closed: a revoked certificate must not renew itself because the node could not say.
      return make_error(ErrorCode::kLedgerUnavailable,
                        "the ledger node cannot say whether the client certificate for '" + name +
                            "' is revoked (it needs an OCSP responder for this CA: trustmesh node "
                            "--ocsp-signer); try again later");
  }
  return Status::Ok();
}

}  // namespace

EstService::EstService(std::unique_ptr<pki::EstCa> ca, std::string org, TxSession session)
    : ca_(std::move(ca)),
      org_(std::move(org)),
      node_url_(session.node.url()),
      timeout_s_(session.ctx.timeout_s),
      session_(std::move(session)) {}

EstReply EstService::cacerts() const {
  return certs_only(ca_->chain());
}

EstReply EstService::csrattrs() const {
  auto der = pki::csr_attrs_der();
  if (!der.ok()) return {500, "text/plain", der.error().message + "\n"};
  return {200, "application/csrattrs", pki::base64_encode(*der), true};
}

EstReply EstService::refuse(pki::EstOp op, const std::string& who, const Error& e) const {
  const int status = pki::est_http_status(e.code);
  log_line("est: " + std::string(op_name(op)) + " " + who + " refused " + std::to_string(status) + ": " +
           e.message);
  return {status, "text/plain", e.message + "\n"};
}

Outcome<nlohmann::json> EstService::record_on_ledger(const Bytes& der, const std::string& name) {
  return submit_and_wait(ledger::op::CertAdd{.org = org_, .level = "device", .der = der, .name = name},
                         "cert.add");
}

Outcome<std::optional<LedgerCrl>> EstService::publish_crl_if_stale(uint64_t next_update_days) {
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(node_url_, timeout_s_));
  TM_CLI_ASSIGN(nlohmann::json pending, fetch_crl_entries(node, ca_->ca_cert()));
  const bool none_yet = !pending.contains("published") || pending["published"].is_null();
  if (pending.value("revoked", false) || (!none_yet && !pending.value("stale", false)))
    return std::optional<LedgerCrl>();
  TM_CLI_ASSIGN(LedgerCrl crl, sign_ledger_crl(pending, ca_->ca_cert(), ca_->key(), {}, next_update_days));
  TM_CLI_ASSIGN(nlohmann::json committed,
                submit_and_wait(ledger::op::CrlPublish{.org = org_, .der = crl.der}, "crl.publish"));
  if (!tx_applied(committed)) return tx_failure(committed, "crl.publish");
  log_line("crl: published CRL number " + std::to_string(crl.number) + " (" + std::to_string(crl.entries) +
           " entries) at height " + std::to_string(json_uint(committed, "height")));
  return std::optional<LedgerCrl>(std::move(crl));
}

Outcome<nlohmann::json> EstService::submit_and_wait(const ledger::Operation& op, const std::string& step) {
  Progress progress;
  std::string hash;
  {
    // Signing and submitting are serialised; waiting for the commit is not,
    // so enrolments arriving together share a block.
    std::lock_guard<std::mutex> lock(tx_mu_);
    if (!next_seq_) {
      TM_CLI_ASSIGN(nlohmann::json account,
                    session_.node.get_json("/v1/accounts/" + session_.from.to_string()));
      next_seq_ = json_uint(account, "seq");
    }
    TM_CLI_ASSIGN(ledger::Tx tx,
                  ledger::make_tx(session_.ctx.key, session_.ctx.chain_id, *next_seq_, session_.ctx.fee, op));
    Outcome<nlohmann::json> posted =
        session_.node.post_json("/v1/txs", to_string(tx.encode()), "application/cbor");
    if (posted.ok()) {
      ++*next_seq_;
      hash = to_hex(tx.hash());
    } else {
      // Someone else used the account's sequence (or a tx of ours was dropped):
      // start again from what the node says, the patient way.
      next_seq_.reset();
      if (posted.failure().error.code != ErrorCode::kBadSequence) return posted.failure();
      TM_CLI_ASSIGN(nlohmann::json answer, submit_tx(session_.node, session_.ctx, op, step, progress));
      hash = json_str(answer, "hash");
    }
  }
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(node_url_, timeout_s_));
  return wait_committed(node, hash, timeout_s_, progress, step);
}

EstReply EstService::enroll(pki::EstOp op, const std::string& content_type, const std::string& body,
                            const std::optional<Bytes>& client_cert) {
  const std::string client =
      client_cert ? "client " + to_hex(sha256(*client_cert)).substr(0, 16) : "no client cert";
  if (media_type(content_type) != "application/pkcs10")
    return refuse(op, client,
                  make_error(ErrorCode::kMalformed,
                             "Content-Type must be application/pkcs10 (base64 DER of a CSR), not '" +
                                 content_type + "'"));
  auto csr = pki::parse_csr_base64(body);
  if (!csr.ok()) return refuse(op, client, csr.error());
  const std::string who = "'" + csr->cn + "' (" + client + ")";

  // What the ledger says about the name.
  auto node = NodeClient::open(node_url_, timeout_s_);
  if (!node.ok()) return refuse(op, who, node.failure().error);
  nlohmann::json record;  // null: the node said the name is not registered
  auto got = node->get_json("/v1/names/" + path_segment(csr->cn));
  if (!got.ok()) {
    const Failure& f = got.failure();
    if (f.exit == kExitUnreachable)
      return refuse(
          op, who,
          make_error(ErrorCode::kLedgerUnavailable, "the ledger node is unreachable: " + f.error.message));
    if (f.error.code != ErrorCode::kNameNotFound) return refuse(op, who, f.error);
  } else {
    record = std::move(*got);
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  pki::RaRequest ra{.op = op,
                    .name = csr->cn,
                    .wants_dns = !csr->dns_names.empty(),
                    .csr_subject_der = csr->subject_der,
                    .client_cert = client_cert};
  auto grant = pki::ra_check(record, ra, ca_->ca_cert(), now);
  if (!grant.ok()) return refuse(op, who, grant.error());
  if (grant->via == pki::kViaIssuedByThisCa) {
    if (auto st = check_on_ledger(*node, *client_cert, ca_->ca_cert(), csr->cn); !st.ok())
      return refuse(op, who, st.error());
  }

  auto cert = ca_->issue(*csr, ra.wants_dns, now);
  if (!cert.ok())
    return refuse(op, who, make_error(ErrorCode::kInternal, "issuing failed: " + cert.error().message));
  auto facts = x509::parse_certificate(*cert);
  if (!facts.ok()) return refuse(op, who, facts.error());

  // Recorded on the ledger before it is handed out.
  auto committed = record_on_ledger(*cert, csr->cn);
  if (!committed.ok()) {
    const Failure& f = committed.failure();
    const ErrorCode code = f.exit == kExitUnreachable || f.exit == kExitTimeout
                               ? ErrorCode::kLedgerUnavailable
                               : ErrorCode::kInternal;
    return refuse(op, who,
                  make_error(code, "the certificate could not be recorded on the ledger (none was issued): " +
                                       f.error.to_string()));
  }
  if (!tx_applied(*committed)) {
    const Failure f = tx_failure(*committed, "cert.add");
    return refuse(
        op, who,
        make_error(ErrorCode::kInternal,
                   "the ledger refused to record the certificate (none was issued): " + f.error.to_string()));
  }
  log_line("est: " + std::string(op_name(op)) + " " + who + " by " + grant->via +
           (grant->stage.empty() ? "" : ", stage " + grant->stage) + ": issued " + to_hex(facts->hash) +
           " serial " + to_hex(facts->serial) + " (" + csr->key_type +
           (ra.wants_dns ? ", dns " + csr->dns_names.front() : "") + "), cert.add " +
           json_str(*committed, "hash") + " at height " + std::to_string(json_uint(*committed, "height")));
  return certs_only({*cert});
}

}  // namespace trustmesh::cli
