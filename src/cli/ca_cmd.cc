// Implementation of `trustmesh ca serve` (ca_cmd.h): options, start-up checks
// and the HTTPS server (cpp-httplib's SSLServer over OpenSSL).
//
// A second thread publishes the CA's CRL after every block that revokes one
// of its certificates (EstService::publish_crl_if_stale).
//
// TLS: 1.3 only; the server asks for a client certificate but does not
// require one, and its verify callback accepts any chain: whether a client
// certificate entitles anything is decided per request by the RA check
// (pki/est_ra.h), from the ledger, not by a trust store.
#include "cli/ca_cmd.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <thread>

#include "cli/compliance_util.h"
#include "cli/est_service.h"
#include "cli/http_client.h"
#include "core/x509.h"
#include "pki/est_base64.h"

namespace trustmesh::cli {

namespace {

struct CaOptions {
  TxOptions tx;
  std::string org, ca_cert, ca_key, tls_cert, tls_key;
  std::string listen = "127.0.0.1:8443";
  uint32_t days = 365;
  uint64_t crl_days = 7;       // nextUpdate of the CRLs it publishes
  uint64_t crl_poll_ms = 500;  // how often it looks for a new block
  size_t threads = 64;         // requests served at once
};

std::optional<Bytes> peer_certificate(const httplib::Request& req) {
  if (!req.ssl) return std::nullopt;
  X509* x = SSL_get1_peer_certificate(req.ssl);
  if (!x) return std::nullopt;
  unsigned char* der = nullptr;
  const int n = i2d_X509(x, &der);
  X509_free(x);
  if (n <= 0) return std::nullopt;
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

void reply(httplib::Response& res, const EstReply& r) {
  res.status = r.status;
  if (r.base64) res.set_header("Content-Transfer-Encoding", "base64");
  res.set_content(r.body, r.content_type.c_str());
}

Outcome<std::pair<std::string, int>> parse_listen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon + 1 < listen.size() && listen.size() - colon <= 6 &&
      listen.find_first_not_of("0123456789", colon + 1) == std::string::npos)
    port = std::stoi(listen.substr(colon + 1));
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535)
    return make_error(ErrorCode::kInvalidArgument, "--listen must be HOST:PORT, e.g. 127.0.0.1:8443");
  return std::make_pair(listen.substr(0, colon), port);
}

Done run_ca_serve(const CaOptions& o) {
  TM_CLI_ASSIGN(auto where, parse_listen(o.listen));
  TM_CLI_ASSIGN(std::unique_ptr<pki::EstCa> ca, pki::EstCa::load(o.ca_cert, o.ca_key, o.days));
  TM_CLI_ASSIGN(x509::CertFacts ca_facts, x509::parse_certificate(ca->ca_cert()));
  TM_CLI_ASSIGN(std::vector<Bytes> tls_chain, read_cert_file(o.tls_cert));
  if (tls_chain.empty()) return make_error(ErrorCode::kInvalidArgument, o.tls_cert + " holds no certificate");
  if (auto st = pki::check_key_file_mode(o.tls_key); !st.ok())
    return make_error(
        ErrorCode::kInvalidArgument,
        "the TLS key file " + o.tls_key + " must be readable by its owner only: chmod 600 " + o.tls_key);

  // The ledger must know the CA as a certificate of the org, or every cert.add would fail.
  TM_CLI_ASSIGN(TxSession session, open_tx_session(o.tx.node, o.tx.keyring, o.tx.key, o.tx.fee));
  TM_CLI_ASSIGN(nlohmann::json org, session.node.get_json("/v1/orgs/" + path_segment(o.org)));
  bool known = false;
  for (const auto& c : org.value("certificates", nlohmann::json::array()))
    if (c.value("sha256", "") == to_hex(ca_facts.hash) && !c.value("revoked", false)) known = true;
  if (!known)
    return make_error(ErrorCode::kCertNotFound,
                      "'" + ca_facts.subject + "' is not an unrevoked certificate of '" + o.org +
                          "' on the ledger: add it first (trustmesh cert add --org " + o.org +
                          " --level intermediate --cert " + o.ca_cert + " --key ...)");
  if (json_str(org, "admin") != session.from.to_string())
    std::cerr << "warning: --key " << o.tx.key << " (" << session.from.to_string()
              << ") is not the admin of '" << o.org
              << "'; the ledger will refuse its cert.add unless it acts for the org\n";

  EstService service(std::move(ca), o.org, std::move(session));
  const std::string tls_cert = o.tls_cert, tls_key = o.tls_key;
  bool tls_ok = false;
  httplib::SSLServer server([&](SSL_CTX& ctx) {
    tls_ok = SSL_CTX_set_min_proto_version(&ctx, TLS1_3_VERSION) == 1 &&
             SSL_CTX_use_certificate_chain_file(&ctx, tls_cert.c_str()) == 1 &&
             SSL_CTX_use_PrivateKey_file(&ctx, tls_key.c_str(), SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_check_private_key(&ctx) == 1;
    // Ask for a client certificate, accept any: the RA check decides.
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    return tls_ok;
  });
  if (!server.is_valid() || !tls_ok)
    return make_error(ErrorCode::kInvalidArgument, "cannot set up TLS with " + tls_cert + " and " + tls_key +
                                                       " (a PEM certificate and its key)");
  server.set_payload_max_length(pki::kMaxEstBody);
  // An enrolment waits for its block: enough threads that waiting ones share blocks.
  const size_t threads = o.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  const std::string base = "/.well-known/est";
  server.Get(base + "/cacerts",
             [&](const httplib::Request&, httplib::Response& res) { reply(res, service.cacerts()); });
  server.Get(base + "/csrattrs",
             [&](const httplib::Request&, httplib::Response& res) { reply(res, service.csrattrs()); });
  auto enroll = [&](pki::EstOp op) {
    return [&service, op](const httplib::Request& req, httplib::Response& res) {
      reply(res, service.enroll(op, req.get_header_value("Content-Type"), req.body, peer_certificate(req)));
    };
  };
  server.Post(base + "/simpleenroll", enroll(pki::EstOp::kEnroll));
  server.Post(base + "/simplereenroll", enroll(pki::EstOp::kReenroll));
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty())
      res.set_content(
          "no such EST endpoint: use /.well-known/est/{cacerts,simpleenroll,simplereenroll,csrattrs}\n",
          "text/plain");
  });

  int port = where.second;
  if (port == 0) {
    port = server.bind_to_any_port(where.first.c_str());
  } else if (!server.bind_to_port(where.first.c_str(), port)) {
    port = -1;
  }
  if (port <= 0)
    return make_error(ErrorCode::kIo,
                      "cannot listen on " + o.listen + " (in use, or not an address of this host)");
  const std::string url = "https://" + where.first + ":" + std::to_string(port) + base;
  if (o.tx.node.json) {
    std::cout << nlohmann::json{{"est", url},
                                {"org", o.org},
                                {"ca", ca_facts.subject},
                                {"ca_sha256", to_hex(ca_facts.hash)},
                                {"node", o.tx.node.node}}
                     .dump()
              << std::endl;
  } else {
    std::cout << "EST service of '" << o.org << "' (CA '" << ca_facts.subject << "') at " << url
              << ", recording certificates on " << o.tx.node.node << std::endl;
  }
  // The CA's CRL follows the ledger: after every block, if a certificate of
  // this CA was revoked since its last CRL (or it has none yet), a new one is
  // signed and published, so the distribution point (GET /v1/crls/{ca})
  // lists it from the next block on.
  std::jthread crl_publisher([&service, &o](std::stop_token stop) {
    auto node = NodeClient::open(o.tx.node.node, o.tx.node.timeout_s);
    if (!node.ok()) {
      std::cerr << ("crl: no CRLs will be published: " + node.failure().error.to_string() + "\n")
                << std::flush;
      return;
    }
    uint64_t seen = 0, retry_at = 0, failures = 0;
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(o.crl_poll_ms));
      auto height = fetch_height(*node);
      if (!height.ok() || *height == seen || *height < retry_at) continue;
      seen = *height;
      Outcome<std::optional<LedgerCrl>> published = Failure{make_error(ErrorCode::kInternal, "not run")};
      try {
        published = service.publish_crl_if_stale(o.crl_days);
      } catch (const std::exception& e) {  // e.g. a node answer of an unexpected shape
        published = Failure{make_error(ErrorCode::kInternal, e.what())};
      }
      if (published.ok()) {
        failures = 0;
        continue;
      }
      // A failure that repeats (a fee each time, e.g. --key not acting for the
      // org) is retried ever more rarely: after 1, 2, 4 ... 64 blocks.
      retry_at = *height + (uint64_t{1} << std::min<uint64_t>(failures++, 6));
      std::cerr << ("crl: cannot publish the CRL (retrying at block " + std::to_string(retry_at) +
                    "): " + published.failure().error.to_string() + "\n")
                << std::flush;
    }
  });
  if (!server.listen_after_bind()) return make_error(ErrorCode::kIo, "the HTTPS server stopped");
  return kDone;
}

}  // namespace

void add_ca_commands(CLI::App& app) {
  CLI::App* ca =
      app.add_subcommand("ca", "An organisation's certificate authority (EST enrolment, RFC 7030)");
  ca->require_subcommand(1);
  auto o = std::make_shared<CaOptions>();
  CLI::App* serve = ca->add_subcommand(
      "serve",
      "Serve EST over HTTPS: devices (or their owners) enrol and re-enrol with a CSR; the ledger decides who "
      "may have a certificate for a device name, and every certificate issued is recorded on it (cert.add, "
      "level device) before it is returned");
  serve->add_option("--org", o->org, "The organisation whose CA this is")->required();
  serve
      ->add_option(
          "--ca-cert", o->ca_cert,
          "PEM of the issuing CA certificate (on the ledger for --org), optionally followed by its chain")
      ->required();
  serve->add_option("--ca-key", o->ca_key, "PEM private key of the CA (file mode 0600: chmod 600 FILE)")
      ->required();
  serve->add_option("--tls-cert", o->tls_cert, "PEM certificate (chain) of this HTTPS server")->required();
  serve->add_option("--tls-key", o->tls_key, "Its PEM private key (mode 0600)")->required();
  serve->add_option("--listen", o->listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--days", o->days, "Validity of issued certificates, in days (1..3650)")
      ->check(CLI::Range(1u, 3650u))
      ->capture_default_str();
  serve
      ->add_option(
          "--threads", o->threads,
          "Requests served at once (each enrolment waits for its block, so waiting ones share blocks)")
      ->check(CLI::Range(size_t{1}, size_t{1024}))
      ->capture_default_str();
  serve->add_option("--crl-days", o->crl_days, "nextUpdate of the CRLs it publishes, in days (1..3650)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{3650}))
      ->capture_default_str();
  add_tx_options(serve, o->tx);
  set_examples(
      serve,
      "Example: trustmesh ca serve --org acme --ca-cert acme-ca.pem --ca-key acme-ca.key "
      "--tls-cert est.pem --tls-key est.key --key acme\n"
      "Then:    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout dev.key "
      "-subj /CN=<device name> -outform DER | base64 > csr.b64\n"
      "         curl --cacert est-ca.pem --cert owner.pem --key owner.key -H 'Content-Type: "
      "application/pkcs10' --data-binary @csr.b64 https://127.0.0.1:8443/.well-known/est/simpleenroll "
      "| base64 -d | openssl pkcs7 -inform DER -print_certs\n"
      "Auth:    a TLS client certificate that is the device's certificate bound to the name, or any "
      "certificate of the owner's ledger key (openssl req -x509 -new -key <keyring>/<owner>.pem -subj "
      "/CN=owner); "
      "simplereenroll also takes the certificate this CA issued\n"
      "Needs:   the CA certificate on the ledger (trustmesh cert add --level intermediate), the device name "
      "registered and active (trustmesh name register), --key acting for the org (its admin)");
  on_run_done(serve, [o] { return run_ca_serve(*o); });
}

}  // namespace trustmesh::cli
