// The EST service behind `trustmesh ca serve` (RFC 7030), independent of the
// HTTP server that carries it: each call takes what the request carried and
// returns the whole answer (status, content type, body).
//
//   cacerts      200 certs-only of the CA chain (base64)
//   csrattrs     200 base64 DER CsrAttrs (pki/est_csr.h)
//   enroll       simpleenroll / simplereenroll: parse and verify the CSR
//                (pki/est_csr.h), read the name from the ledger
//                (GET /v1/names/{name}), the RA check (pki/est_ra.h), for a
//                re-enrolment with a certificate this CA issued its ledger
//                status (the node's OCSP responder, pki/est_revocation.h), issue
//                (pki/est_ca.h), record it on the ledger (cert.add, level
//                device, signed by the service's --key, waited for until
//                committed), then 200 certs-only of the new certificate.
//
// Invariants: no certificate leaves the service unless its cert.add was
// committed with outcome ok (the cert.add names the device, so the ledger
// lists it in the name's history); txs are signed and submitted one at a
// time with sequence numbers the service counts itself (a mutex around sign +
// submit), then waited for in parallel, so concurrent enrolments never race
// for a sequence number and share blocks; ledger reads use a fresh connection
// per request. Refusals are
// text/plain with one line saying what to do; every enrolment attempt logs
// one line to stderr.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cli/crl_cmd.h"
#include "cli/tx_flow.h"
#include "pki/est_ca.h"
#include "pki/est_ra.h"

namespace trustmesh::cli {

struct EstReply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  bool base64 = false;  // add Content-Transfer-Encoding: base64
};

class EstService {
 public:
  EstService(std::unique_ptr<pki::EstCa> ca, std::string org, TxSession session);

  EstReply cacerts() const;
  EstReply csrattrs() const;
  // client_cert: DER of the TLS client certificate, if one was presented.
  EstReply enroll(pki::EstOp op, const std::string& content_type, const std::string& body,
                  const std::optional<Bytes>& client_cert);

  const pki::EstCa& ca() const { return *ca_; }

  // Signs and publishes a CRL of the CA (crl_cmd.h build_ledger_crl) when the
  // ledger has revocations under it newer than its last CRL, or it has none
  // yet; nullopt when there is nothing to do (or the CA itself is revoked).
  // `trustmesh ca serve` calls it after every block.
  Outcome<std::optional<LedgerCrl>> publish_crl_if_stale(uint64_t next_update_days);

 private:
  EstReply refuse(pki::EstOp op, const std::string& who, const Error& e) const;
  // cert.add (level device, certified for `name`), waited for until committed.
  Outcome<nlohmann::json> record_on_ledger(const Bytes& der, const std::string& name);
  // Signs `op` with the next sequence and submits it (serialised), then waits
  // for its commit (not serialised).
  Outcome<nlohmann::json> submit_and_wait(const ledger::Operation& op, const std::string& step);

  std::unique_ptr<pki::EstCa> ca_;
  std::string org_;
  std::string node_url_;
  uint64_t timeout_s_;
  std::mutex tx_mu_;  // guards session_ and next_seq_
  TxSession session_;
  std::optional<uint64_t> next_seq_;  // the sequence of the service's next tx, once known
};

}  // namespace trustmesh::cli
