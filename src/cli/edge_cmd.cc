// Implementation of `trustmesh edge ...` (edge_cmd.h).
//
// `serve` blocks SIGINT/SIGTERM in every thread before any starts and waits
// for them with sigwait, then stops the servers, then the sync loop, so the
// replica's last write batch is complete when the process exits.
#include "cli/edge_cmd.h"

#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cli/client_opts.h"
#include "cli/failure.h"
#include "cli/keyring.h"
#include "cli/private_files.h"
#include "core/cbor.h"
#include "core/hash.h"
#include "core/request_auth.h"
#include "edge/coap_client.h"
#include "edge/coap_routes.h"
#include "edge/http_server.h"
#include "edge/replica.h"
#include "edge/sync.h"
#include "ledger/compliance.h"
#include "ledger/domains.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "light/proven_claims.h"
#include "light/status_cbor.h"
#include "light/trust_anchor.h"
#include "store/proof_bundle.h"
#include "trust/json.h"

namespace trustmesh::cli {

namespace {

using nlohmann::json;

struct EdgeOptions {
  std::string genesis, data = "edge-data", listen = "127.0.0.1:8090", coap;
  std::vector<std::string> nodes, peers, names, orgs, models;
  std::string names_file;
  std::string key, keyring;  // the server's member key, to fetch private configurations
  std::vector<std::string> public_hosts;
  uint64_t interval_ms = 1000;
  uint64_t refresh_s = 60;
  uint64_t access_max_age_s = 7 * 24 * 3600;
  std::vector<std::string> coap_public_hosts;
  int threads = 32;
  // sync / status / ask
  std::string from, to, url, name, out;
  uint64_t max_age_s = 3600;
  bool json = false;
};

Outcome<std::pair<std::string, uint16_t>> parse_host_port(const std::string& s, const char* flag) {
  const size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size() || s.size() - colon > 6 ||
      s.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
      std::stoul(s.substr(colon + 1)) > 65535) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(flag) + " must be HOST:PORT, e.g. 127.0.0.1:8090");
  }
  return std::make_pair(s.substr(0, colon), static_cast<uint16_t>(std::stoul(s.substr(colon + 1))));
}

Outcome<std::vector<std::string>> read_names_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kIo, "cannot read --names-file " + path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    out.push_back(line.substr(start));
  }
  return out;
}

uint64_t now_s() {
  return static_cast<uint64_t>(std::time(nullptr));
}

Done run_serve(const EdgeOptions& o) {
  ::signal(SIGPIPE, SIG_IGN);
  TM_CLI_ASSIGN(auto where, parse_host_port(o.listen, "--listen"));
  TM_CLI_ASSIGN(std::string genesis, read_small_file(o.genesis, 16 << 20));
  Result<light::TrustAnchor> anchor = light::TrustAnchor::from_genesis_json(genesis);
  if (!anchor.ok())
    return make_error(anchor.error().code, "--genesis " + o.genesis + ": " + anchor.error().message);
  edge::Domain domain{o.names, o.orgs, o.models};
  if (!o.names_file.empty()) {
    TM_CLI_ASSIGN(auto more, read_names_file(o.names_file));
    domain.names.insert(domain.names.end(), more.begin(), more.end());
  }
  if (domain.size() == 0) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "the domain is empty: name the devices this server answers for with --name or --names-file "
        "(and the orgs and models they depend on with --org and --model)");
  }
  if (o.nodes.empty() && o.peers.empty()) {
    std::cerr << "warning: no --node and no --peer: this server only answers from what it already holds and "
                 "what peers push to it\n";
  }
  TM_CLI_ASSIGN(auto replica, edge::Replica::open(o.data, std::move(anchor).value(), std::move(domain)));

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);  // every thread started below inherits the mask

  replica->set_refresh(o.refresh_s);
  edge::SyncOptions so{o.nodes, o.peers, std::chrono::milliseconds(o.interval_ms)};
  edge::Syncer syncer(*replica, so);
  edge::HttpOptions ho;
  ho.host = where.first;
  ho.port = where.second;
  ho.genesis_json = genesis;
  ho.threads = o.threads;
  ho.public_hosts = o.public_hosts;
  ho.access_max_age_s = o.access_max_age_s;
  TM_CLI_ASSIGN(store::BlobStore blob_store, store::BlobStore::open(o.data + "/blobs"));
  edge::BlobCache blobs(std::move(blob_store), o.nodes);
  if (!o.key.empty()) {
    Result<KeyPair> key = Keyring(o.keyring).load(o.key);
    if (!key.ok()) return make_error(key.error().code, "--key " + o.key + ": " + key.error().message);
    blobs.sign_with(std::move(key).value(), replica->anchor().chain_id);
  }
  TM_CLI_ASSIGN(auto http, edge::HttpServer::start(*replica, &syncer, ho, &blobs));
  std::unique_ptr<edge::CoapServer> coap;
  // The names signed CoAP requests are taken for: set once the port is bound.
  std::mutex coap_names_mu;
  auth::AuthorityPolicy coap_names;
  if (!o.coap.empty()) {
    TM_CLI_ASSIGN(auto at, parse_host_port(o.coap, "--coap"));
    const edge::Replica& rep = *replica;
    TM_CLI_ASSIGN(coap, edge::CoapServer::start(at.first, at.second, [&](const edge::CoapRequest& req) {
                    std::lock_guard lock(coap_names_mu);
                    return edge::answer_coap(edge::CoapContext{rep, &blobs, &coap_names, o.access_max_age_s},
                                             req, now_s());
                  }));
    Result<auth::AuthorityPolicy> names =
        auth::AuthorityPolicy::make(o.coap_public_hosts, at.first, coap->port());
    if (!names.ok()) return make_error(names.error().code, "--coap-public-host: " + names.error().message);
    std::lock_guard lock(coap_names_mu);
    coap_names = std::move(names).value();
  }
  edge::ReplicaStats st = replica->stats();
  json ready = {{"event", "ready"},
                {"http", "http://" + where.first + ":" + std::to_string(http->port())},
                {"chain_id", replica->anchor().chain_id},
                {"tracked", st.tracked},
                {"held", st.held},
                {"newest_height", st.newest_height}};
  if (coap)
    ready["coap"] = "coap://" + o.coap.substr(0, o.coap.rfind(':')) + ":" + std::to_string(coap->port());
  std::cout << ready.dump() << std::endl;
  std::cerr << "edge server for " << st.tracked << " keys on http://" << where.first << ":" << http->port()
            << " (holds " << st.held << "). Try: curl http://" << where.first << ":" << http->port()
            << "/v1/edge\n";
  int sig = 0;
  sigwait(&sigs, &sig);
  http->stop();
  if (coap) coap->stop();
  syncer.stop();
  std::cout << json{{"event", "stopped"}, {"signal", sig}}.dump() << std::endl;
  return kDone;
}

Outcome<std::string> get_text(const std::string& url, const std::string& path) {
  httplib::Client c(url);
  c.set_connection_timeout(3, 0);
  c.set_read_timeout(60, 0);
  auto res = c.Get(path);
  if (!res) {
    return Failure{make_error(ErrorCode::kLedgerUnavailable,
                              "cannot reach " + url + " (" + httplib::to_string(res.error()) + ")"),
                   kExitUnreachable};
  }
  if (res->status != 200) {
    return make_error(
        ErrorCode::kInvalidArgument,
        url + path + " answered HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 300));
  }
  return res->body;
}

// A maintenance visit: what `from` holds that `to` lacks goes to `to`.
Done run_sync(const EdgeOptions& o) {
  Result<edge::Relay> r = edge::relay(o.from, o.to);
  if (!r.ok()) {
    const bool down = r.error().code == ErrorCode::kLedgerUnavailable;  // unreachable, or refused
    return Failure{r.error(), down ? kExitUnreachable : kExitError};
  }
  if (o.json) {
    std::cout << json{{"updated", r->took.updated},
                      {"unchanged", r->took.unchanged},
                      {"ignored", r->took.ignored},
                      {"pages", r->pages},
                      {"bytes", r->bytes}}
                     .dump()
              << "\n";
  } else {
    std::cout << "sent " << r->bytes << " bytes in " << r->pages << " page(s) from " << o.from << " to "
              << o.to << ": " << r->took.updated << " entries newer, " << r->took.unchanged << " not newer, "
              << r->took.ignored << " outside its domain\n";
  }
  return kDone;
}

// A CoAP answer that must be 2.05 Content: unreachable (exit 3) or the
// server's code and diagnostic otherwise.
Outcome<edge::CoapReply> coap_content(const std::string& url, Result<edge::CoapReply> reply) {
  if (!reply.ok()) return Failure{reply.error(), kExitUnreachable};
  if (reply->code != edge::coap_code::kContent) {
    return make_error(ErrorCode::kInvalidArgument, url + " answered " +
                                                       edge::coap_code::to_string(reply->code) + ": " +
                                                       edge::coap_diagnostic(reply->payload));
  }
  return std::move(reply).value();
}

Outcome<light::TrustAnchor> anchor_from(const std::string& path) {
  TM_CLI_ASSIGN(std::string genesis, read_small_file(path, 16 << 20));
  Result<light::TrustAnchor> anchor = light::TrustAnchor::from_genesis_json(genesis);
  if (!anchor.ok())
    return make_error(anchor.error().code, "--genesis " + path + ": " + anchor.error().message);
  return std::move(anchor).value();
}

// What a constrained device does: GET coap://HOST:PORT/v1/status/NAME and
// check the CBOR answer with the light client against the anchor.
Done run_ask(const EdgeOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  constexpr std::string_view kScheme = "coap://";
  if (!o.url.starts_with(kScheme)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the URL must be coap://HOST:PORT, e.g. coap://127.0.0.1:5683");
  }
  TM_CLI_ASSIGN(auto at, parse_host_port(o.url.substr(kScheme.size()), "the URL"));
  TM_CLI_ASSIGN(light::TrustAnchor anchor, anchor_from(o.genesis));
  TM_CLI_ASSIGN(edge::CoapReply reply,
                coap_content(o.url, edge::coap_request(at.first, at.second, "GET", "/v1/status/" + o.name)));
  light::Freshness fresh;
  fresh.now = now_s();
  fresh.max_age_s = o.max_age_s;
  Result<light::VerifiedNameStatus> v = light::verify_status_cbor(anchor, o.name, reply.payload, fresh);
  if (!v.ok())
    return make_error(v.error().code, "verification of " + o.name + " failed: " + v.error().message);
  json out = {{"name", v->name},
              {"verified", true},
              {"status", v->status},
              {"height", v->height},
              {"header_time", v->header_time},
              {"age_s", v->age_s},
              {"bytes", reply.payload.size()}};
  if (o.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::cout << "verified over CoAP: " << o.name << " is " << v->status << ", block " << v->height << ", "
              << v->age_s << " s old (" << reply.payload.size() << " bytes)\n";
  }
  return kDone;
}

// The claims about a subject from an edge server, over HTTP or CoAP, read
// out of a proof bundle that is verified against the anchor and checked
// complete (light::proven_claims): a server cannot leave one out.
Done run_claims(const EdgeOptions& o) {
  TM_CLI_TRY(ledger::parse_subject(o.name));
  if (o.name.size() > ledger::kMaxSubjectLen)
    return make_error(ErrorCode::kInvalidArgument, "a subject is at most 255 bytes");
  TM_CLI_ASSIGN(light::TrustAnchor anchor, anchor_from(o.genesis));
  constexpr std::string_view kCoap = "coap://";
  std::string body;
  if (o.url.starts_with(kCoap)) {
    TM_CLI_ASSIGN(auto at, parse_host_port(o.url.substr(kCoap.size()), "the URL"));
    TM_CLI_ASSIGN(edge::CoapReply reply, coap_content(o.url, edge::coap_request(at.first, at.second, "GET",
                                                                                "/v1/claims/" + o.name)));
    body.assign(reply.payload.begin(), reply.payload.end());
  } else {
    TM_CLI_ASSIGN(body, get_text(o.url, "/v1/edge/claims/" + o.name));
  }
  Result<store::ProofBundle> b = store::decode_bundle(as_bytes(body));
  if (!b.ok()) return make_error(b.error().code, o.url + " sent no proof bundle: " + b.error().message);
  Result<light::VerifiedBundle> vb = light::verify_bundle(anchor, std::move(b).value());
  if (!vb.ok()) return make_error(vb.error().code, "verification failed: " + vb.error().message);
  Result<light::ProvenClaims> pc = light::proven_claims(*vb, o.name);
  if (!pc.ok()) return make_error(pc.error().code, "verification failed: " + pc.error().message);
  const uint64_t now = now_s();
  // The oldest part decides: a fresh count with a stale claim record (one
  // withdrawn since) is as old as that record.
  const uint64_t age = now > pc->oldest_time ? now - pc->oldest_time : 0;
  if (o.max_age_s != 0 && age > o.max_age_s) {
    return make_error(ErrorCode::kInvalidArgument, "the answer rests on block " +
                                                       std::to_string(pc->oldest_height) + ", " +
                                                       std::to_string(age) + " s old: older than --max-age " +
                                                       std::to_string(o.max_age_s));
  }
  json claims = json::array();
  for (const light::ProvenClaim& c : pc->claims) {
    json j = trust::claim_json(c.claim, c.height);
    j["proven_at"] = c.height;
    claims.push_back(std::move(j));
  }
  json out = {{"subject", pc->subject}, {"verified", true}, {"count", pc->count},
              {"height", pc->height},   {"age_s", age},     {"claims", std::move(claims)}};
  if (o.json) {
    std::cout << out.dump() << "\n";
    return kDone;
  }
  std::cout << "verified: " << pc->claims.size() << " claim(s) about " << pc->subject << " at block "
            << pc->height << ", " << age << " s old\n";
  for (const json& c : out["claims"]) {
    std::cout << "  #" << c.value("id", 0) << " " << c.value("type", "") << " by " << c.value("issuer", "")
              << " (" << c.value("state", "") << ")";
    if (c.contains("data") && !c["data"].empty()) std::cout << " " << c["data"].dump();
    std::cout << "\n";
  }
  return kDone;
}

// What a device does to fetch its configuration from its gateway over CoAP:
// GET coap://HOST:PORT/v1/blobs/SHA, signed with its key if it has one
// (the gateway checks the read right from its replica), the bytes checked
// against the hash before they are written.
Done run_blob(const EdgeOptions& o) {
  constexpr std::string_view kCoap = "coap://";
  if (!o.url.starts_with(kCoap))
    return make_error(ErrorCode::kInvalidArgument,
                      "the URL must be coap://HOST:PORT, e.g. coap://127.0.0.1:5683");
  TM_CLI_ASSIGN(Hash32 want, hash32_from_hex(o.name));
  TM_CLI_ASSIGN(auto at, parse_host_port(o.url.substr(kCoap.size()), "the URL"));
  TM_CLI_ASSIGN(auto client, edge::CoapClient::connect(at.first, at.second));
  const std::string path = "/v1/blobs/" + to_hex(want);
  std::string authorization;
  if (!o.key.empty()) {
    TM_CLI_ASSIGN(KeyPair key, Keyring(o.keyring).load(o.key));
    Result<edge::CoapReply> about = client->request("GET", "/v1/edge");
    if (!about.ok()) return Failure{about.error(), kExitUnreachable};
    auto stats = cbor::decode(about->payload);
    const cbor::Value* chain = stats.ok() ? stats->find("chain_id") : nullptr;
    if (chain == nullptr || !chain->is_text())
      return make_error(ErrorCode::kMalformed,
                        o.url + " is not an edge server (its /v1/edge names no chain)");
    TM_CLI_ASSIGN(authorization,
                  auth::sign_request(key, *chain->as_text(), client->authority(), "GET", path, now_s()));
  }
  TM_CLI_ASSIGN(edge::CoapReply reply,
                coap_content(o.url, client->request("GET", path, {}, std::chrono::seconds(30), std::nullopt,
                                                    authorization)));
  if (sha256(reply.payload) != want) {
    return make_error(ErrorCode::kVerificationFailure,
                      "what " + o.url + " sent does not hash to " + to_hex(want) + "; nothing written");
  }
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(reply.payload.data()),
            static_cast<std::streamsize>(reply.payload.size()));
  out.close();
  if (!out) return make_error(ErrorCode::kIo, "cannot write " + o.out);
  if (o.json) {
    std::cout << json{{"sha256", to_hex(want)},
                      {"size", reply.payload.size()},
                      {"file", o.out},
                      {"verified", true}}
                     .dump()
              << "\n";
  } else {
    std::cout << "verified " << to_hex(want) << " (" << reply.payload.size() << " bytes) -> " << o.out
              << "\n";
  }
  return kDone;
}

Done run_status(const EdgeOptions& o) {
  TM_CLI_ASSIGN(std::string body, get_text(o.url, "/v1/edge"));
  json j = json::parse(body, nullptr, false);
  if (!j.is_object())
    return make_error(ErrorCode::kMalformed, o.url + " is not an edge server (GET /v1/edge)");
  if (o.json) {
    std::cout << j.dump() << "\n";
    return kDone;
  }
  std::cout << "chain          " << j.value("chain_id", "") << "\n"
            << "held/tracked   " << j.value("held", 0) << "/" << j.value("tracked", 0) << "\n"
            << "heights        " << j.value("oldest_height", 0) << ".." << j.value("newest_height", 0) << "\n"
            << "newest header  " << j.value("header_age_s", 0) << " s old\n";
  return kDone;
}

}  // namespace

void add_edge_commands(CLI::App& app) {
  CLI::App* edge = app.add_subcommand(
      "edge", "Edge identity servers: answer devices at a gateway or site from a verified light replica");
  edge->require_subcommand(1);
  auto o = std::make_shared<EdgeOptions>();

  CLI::App* serve = edge->add_subcommand(
      "serve",
      "Follow the chain as a light replica of a domain (device names, orgs, models), verified by the "
      "validators' signatures, and answer devices with proofs; keeps answering from what it holds when no "
      "ledger "
      "node can be reached, with the age of its newest header in every answer");
  serve
      ->add_option("--genesis", o->genesis, "The chain's genesis JSON (the trust anchor; get it out of band)")
      ->required();
  serve->add_option("--data", o->data, "Directory of the replica (RocksDB)")->capture_default_str();
  serve->add_option("--node", o->nodes, "Ledger node base URL to pull from (repeatable; tried in order)");
  serve->add_option("--peer", o->peers, "Peer edge server base URL to exchange bundles with (repeatable)");
  serve->add_option("--name", o->names, "A device name this server answers for (repeatable)");
  serve->add_option("--names-file", o->names_file, "File of device names, one per line ('#' comments)");
  serve->add_option("--org", o->orgs, "An org id whose record the replica keeps (repeatable)");
  serve->add_option("--model", o->models, "A model VID/PID whose record the replica keeps (repeatable)");
  serve->add_option("--listen", o->listen, "HOST:PORT of the HTTP API (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--coap", o->coap,
                    "HOST:PORT of the CoAP API over UDP (port 0: any free port; default: none)");
  serve
      ->add_option(
          "--refresh-s", o->refresh_s,
          "Re-store an unchanged record only when the held proof is this many seconds older than the "
          "offered one (changes are always taken at once; 0: every round). Bounds the age of answers "
          "about unchanged records and the flash writes of a gateway")
      ->capture_default_str();
  serve->add_option("--interval-ms", o->interval_ms, "Time between sync rounds, in milliseconds")
      ->check(CLI::Range(uint64_t{50}, uint64_t{86'400'000}))
      ->capture_default_str();
  serve->add_option("--threads", o->threads, "HTTP worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve->add_option(
      "--key", o->key,
      "Keyring key the server fetches configurations with: a member with read in the access "
      "domains of its devices (trustmesh domain grant); it serves them only to callers with read "
      "there");
  add_keyring_option(serve, o->keyring);
  serve->add_option("--public-host", o->public_hosts,
                    "A HOST:PORT callers reach this server by, for signed requests (repeatable; default: the "
                    "--listen address)");
  serve->add_option("--coap-public-host", o->coap_public_hosts,
                    "The same for CoAP: a HOST:PORT devices address it by (repeatable; default: the --coap "
                    "address)");
  serve
      ->add_option(
          "--access-max-age", o->access_max_age_s,
          "Seconds: a configuration is served only on access-domain records proven by a block at most "
          "this old (a cut-off server stops serving configurations after that; status answers go on)")
      ->capture_default_str();
  set_examples(
      serve,
      "Example: trustmesh edge serve --genesis genesis.json --data gw-edge --node http://10.0.0.5:8080 "
      "--names-file my-devices.txt --listen 0.0.0.0:8090\n"
      "Then:    trustmesh verify dev-1 --node http://127.0.0.1:8090 --max-age 86400\n"
      "         curl http://127.0.0.1:8090/v1/edge");
  on_run_done(serve, [o] { return run_serve(*o); });

  CLI::App* sync = edge->add_subcommand(
      "sync", "One-shot sync between edge servers (a maintenance visit): push what FROM holds that TO lacks");
  sync->add_option("--from", o->from, "Base URL of the edge server that has the news")->required();
  sync->add_option("--to", o->to, "Base URL of the edge server to bring up to date")->required();
  add_json_flag(sync, o->json);
  set_examples(sync, "Example: trustmesh edge sync --from http://127.0.0.1:8091 --to http://127.0.0.1:8090");
  on_run_done(sync, [o] { return run_sync(*o); });

  CLI::App* ask = edge->add_subcommand(
      "ask", "Ask an edge server over CoAP for a device's status and verify the answer as a device does");
  ask->add_option("url", o->url, "coap://HOST:PORT of the edge server")->required();
  ask->add_option("name", o->name, "Device name")->required();
  ask->add_option("--genesis", o->genesis, "The chain's genesis JSON (the trust anchor)")->required();
  ask->add_option("--max-age", o->max_age_s, "Refuse answers whose block is older than this (seconds)")
      ->capture_default_str();
  add_json_flag(ask, o->json);
  set_examples(
      ask, "Example: trustmesh edge ask coap://127.0.0.1:5683 dev-1 --genesis genesis.json --max-age 86400");
  on_run_done(ask, [o] { return run_ask(*o); });

  CLI::App* claims = edge->add_subcommand(
      "claims",
      "Ask an edge server (http:// or coap://) for the claims about a device, model or org, and verify "
      "that the answer is proven and complete");
  claims->add_option("url", o->url, "Base URL of the edge server: http://HOST:PORT or coap://HOST:PORT")
      ->required();
  claims->add_option("subject", o->name, "device:NAME, model:VID/PID or org:ID")->required();
  claims->add_option("--genesis", o->genesis, "The chain's genesis JSON (the trust anchor)")->required();
  claims
      ->add_option("--max-age", o->max_age_s,
                   "Refuse answers whose block is older than this (seconds; 0: any)")
      ->capture_default_str();
  add_json_flag(claims, o->json);
  set_examples(claims,
               "Example: trustmesh edge claims coap://127.0.0.1:5683 device:dev-1 --genesis genesis.json");
  on_run_done(claims, [o] { return run_claims(*o); });

  CLI::App* blob = edge->add_subcommand(
      "blob",
      "Fetch a blob (a device's configuration, at most 1 MiB) from an edge server over CoAP, as a "
      "device does, signed with --key, and write it once its hash checks");
  blob->add_option("url", o->url, "coap://HOST:PORT of the edge server")->required();
  blob->add_option("sha256", o->name, "The blob's SHA-256 (64 hex digits)")->required();
  blob->add_option("-o,--out", o->out, "File to write")->required();
  blob->add_option("--key", o->key, "Keyring key to sign the request with (a reader of the device's domain)");
  add_keyring_option(blob, o->keyring);
  add_json_flag(blob, o->json);
  set_examples(blob,
               "Example: trustmesh edge blob coap://192.168.1.1:5683 9ac0...1707 -o lock-7.cfg --key lock-7");
  on_run_done(blob, [o] { return run_blob(*o); });

  CLI::App* status =
      edge->add_subcommand("status", "Show an edge server's replica: what it holds and how old");
  status->add_option("url", o->url, "Base URL of the edge server")->required();
  add_json_flag(status, o->json);
  on_run_done(status, [o] { return run_status(*o); });
}

}  // namespace trustmesh::cli
