// pull_from_node / exchange_with_peer / Syncer (sync.h). HTTP through
// cpp-httplib; every answer is checked by Replica::ingest.
#include "edge/sync.h"

#include <httplib.h>

#include <condition_variable>
#include <ctime>

#include "store/proof_bundle.h"

namespace trustmesh::edge {

namespace {

using nlohmann::json;

uint64_t now_s() {
  return static_cast<uint64_t>(std::time(nullptr));
}

std::unique_ptr<httplib::Client> client_for(const std::string& url) {
  auto c = std::make_unique<httplib::Client>(url);
  c->set_connection_timeout(2, 0);
  c->set_read_timeout(60, 0);
  c->set_write_timeout(60, 0);
  c->set_tcp_nodelay(true);
  return c;
}

Error unreachable(const std::string& url, const httplib::Result& res) {
  return make_error(ErrorCode::kLedgerUnavailable,
                    url + " did not answer (" + httplib::to_string(res.error()) + ")");
}

Error refused(const std::string& url, const std::string& what, const httplib::Response& res) {
  return make_error(
      ErrorCode::kLedgerUnavailable,
      url + " refused " + what + ": HTTP " + std::to_string(res.status) + " " + res.body.substr(0, 300));
}

void add(IngestResult& total, const IngestResult& r) {
  total.updated += r.updated;
  total.unchanged += r.unchanged;
  total.ignored += r.ignored;
}

Result<IngestResult> ingest_body(Replica& r, const std::string& from, const std::string& body) {
  Result<store::ProofBundle> b = store::decode_bundle(as_bytes(body));
  if (!b.ok()) return make_error(b.error().code, "bundle from " + from + ": " + b.error().message);
  Result<IngestResult> in = r.ingest(std::move(b).value());
  if (!in.ok()) return make_error(in.error().code, "bundle from " + from + " refused: " + in.error().message);
  return in;
}

// What the peer says of itself (GET /v1/edge): the height from which it needs entries.
Result<uint64_t> peer_needs_since(httplib::Client& c, const std::string& url) {
  auto res = c.Get("/v1/edge");
  if (!res) return unreachable(url, res);
  if (res->status != 200) return refused(url, "GET /v1/edge", *res);
  return needs_since(res->body, url);
}

}  // namespace

uint64_t needs_since(const ReplicaStats& s) {
  // Missing some keys: everything; otherwise what is newer than its oldest entry.
  return s.held < s.tracked ? 0 : s.oldest_height;
}

Result<uint64_t> needs_since(std::string_view report, const std::string& url) {
  const json j = json::parse(report, nullptr, false);
  if (!j.is_object() || !j.contains("held") || !j["held"].is_number_unsigned() || !j.contains("tracked") ||
      !j["tracked"].is_number_unsigned() || !j.contains("oldest_height") ||
      !j["oldest_height"].is_number_unsigned()) {
    return make_error(ErrorCode::kMalformed,
                      url + " is not an edge server (its GET /v1/edge is no edge report)");
  }
  ReplicaStats s;
  s.held = j["held"].get<size_t>();
  s.tracked = j["tracked"].get<size_t>();
  s.oldest_height = j["oldest_height"].get<uint64_t>();
  return needs_since(s);
}

Result<IngestResult> pull_from_node(Replica& r, const std::string& node_url, size_t chunk) {
  chunk = std::clamp<size_t>(chunk, 1, 1000);
  auto c = client_for(node_url);
  const Domain& d = r.domain();
  IngestResult total;
  json req = {{"names", json::array()}, {"orgs", json::array()}, {"models", json::array()}};
  size_t pending = 0;
  auto flush = [&]() -> Status {
    for (const char* k : {"names", "orgs", "models"}) {
      if (req[k].empty()) req.erase(k);
    }
    auto res = c->Post("/v1/proofs", req.dump(), "application/json");
    if (!res) return unreachable(node_url, res);
    if (res->status != 200) return refused(node_url, "POST /v1/proofs", *res);
    TM_ASSIGN_OR_RETURN(IngestResult in, ingest_body(r, node_url, res->body));
    add(total, in);
    req = {{"names", json::array()}, {"orgs", json::array()}, {"models", json::array()}};
    pending = 0;
    return Status::Ok();
  };
  auto push = [&](const char* kind, const std::vector<std::string>& ids) -> Status {
    for (const std::string& id : ids) {
      req[kind].push_back(id);
      if (++pending == chunk) TM_TRY(flush());
    }
    return Status::Ok();
  };
  TM_TRY(push("names", d.names));
  TM_TRY(push("orgs", d.orgs));
  TM_TRY(push("models", d.models));
  if (pending > 0) TM_TRY(flush());
  return total;
}

Result<Exchange> exchange_with_peer(Replica& r, const std::string& peer_url) {
  auto c = client_for(peer_url);
  Exchange ex;
  // Pull: what the peer holds that is newer than what this replica needs.
  auto res = c->Get("/v1/edge/bundle?since=" + std::to_string(needs_since(r.stats())));
  if (!res) return unreachable(peer_url, res);
  if (res->status != 200) return refused(peer_url, "GET /v1/edge/bundle", *res);
  TM_ASSIGN_OR_RETURN(ex.pulled, ingest_body(r, peer_url, res->body));
  // Push: what the peer lacks by its own report.
  TM_ASSIGN_OR_RETURN(uint64_t since, peer_needs_since(*c, peer_url));
  TM_ASSIGN_OR_RETURN(store::ProofBundle b, r.since(since));
  if (b.entries.empty()) return ex;
  ex.pushed = b.entries.size();
  Bytes body = store::encode_bundle(b);
  res =
      c->Post("/v1/edge/bundle", reinterpret_cast<const char*>(body.data()), body.size(), "application/cbor");
  if (!res) return unreachable(peer_url, res);
  if (res->status != 200) return refused(peer_url, "the pushed bundle", *res);
  json j = json::parse(res->body, nullptr, false);
  if (j.is_object() && j["updated"].is_number_unsigned()) ex.peer_took.updated = j["updated"].get<size_t>();
  return ex;
}

nlohmann::ordered_json sync_report_json(const SyncReport& s) {
  nlohmann::ordered_json j;
  j["rounds"] = s.rounds;
  j["node"] = s.node;
  j["node_ok_at"] = s.node_ok_at;
  if (!s.node_error.empty()) j["node_error"] = s.node_error;
  nlohmann::ordered_json peers = nlohmann::ordered_json::object();
  for (const auto& [url, at] : s.peer_ok_at) peers[url]["ok_at"] = at;
  for (const auto& [url, err] : s.peer_error) peers[url]["error"] = err;
  j["peers"] = std::move(peers);
  return j;
}

Syncer::Syncer(Replica& r, SyncOptions opts) : replica_(r), opts_(std::move(opts)) {
  thread_ = std::jthread([this](std::stop_token st) { run(st); });
}

Syncer::~Syncer() {
  stop();
}

void Syncer::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    cv_.notify_all();
    thread_.join();
  }
}

SyncReport Syncer::report() const {
  std::lock_guard lock(mu_);
  return report_;
}

void Syncer::run(std::stop_token st) {
  while (!st.stop_requested()) {
    try {
      round();
    } catch (const std::exception& e) {  // a bug or a hostile answer must not end the sync thread
      std::lock_guard lock(mu_);
      report_.node_error = std::string("sync round failed: ") + e.what();
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, st, opts_.interval, [] { return false; });
  }
}

void Syncer::round() {
  std::string node, node_error;
  bool node_ok = false;
  for (const std::string& url : opts_.nodes) {
    Result<IngestResult> r = pull_from_node(replica_, url);
    if (r.ok()) {
      node = url;
      node_ok = true;
      break;
    }
    node_error = r.error().message;
  }
  std::map<std::string, std::string> peer_errors;
  std::vector<std::string> peer_ok;
  for (const std::string& url : opts_.peers) {
    Result<Exchange> r = exchange_with_peer(replica_, url);
    if (r.ok()) {
      peer_ok.push_back(url);
    } else {
      peer_errors[url] = r.error().message;
    }
  }
  std::lock_guard lock(mu_);
  ++report_.rounds;
  const uint64_t now = now_s();
  if (node_ok) {
    report_.node = node;
    report_.node_ok_at = now;
    report_.node_error.clear();
  } else if (!opts_.nodes.empty()) {
    report_.node_error = node_error;
  }
  for (const std::string& url : peer_ok) {
    report_.peer_ok_at[url] = now;
    report_.peer_error.erase(url);
  }
  for (auto& [url, err] : peer_errors) report_.peer_error[url] = std::move(err);
}

}  // namespace trustmesh::edge
