// pull_from_node / exchange_with_peer / Syncer (sync.h). HTTP through
// cpp-httplib; every answer is checked by Replica::ingest.
#include "edge/sync.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <functional>

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

struct Answer {
  int status = 0;
  std::string body;
  size_t next = 0;  // X-Edge-Next: the offset of the next page (0: none)
};

// One request whose answer is read whole but never beyond
// kMaxSyncAnswerBytes: a hostile node or peer cannot make this server hold more.
using Clock = std::chrono::steady_clock;
// How long one request, and one whole exchange of pages, may take: a peer
// that trickles or pages forever cannot hold the sync thread.
constexpr auto kAskTime = std::chrono::seconds(120);
constexpr auto kExchangeTime = std::chrono::seconds(600);

Result<Answer> ask(httplib::Client& c, const std::string& url, const std::string& method,
                   const std::string& path, std::string body = {}, const std::string& type = {},
                   Clock::time_point deadline = Clock::now() + kAskTime) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  if (!type.empty()) req.set_header("Content-Type", type);
  req.body = std::move(body);
  Answer a;
  bool over = false, late = false;
  req.content_receiver = [&a, &over, &late, deadline](const char* data, size_t len, uint64_t, uint64_t) {
    if (a.body.size() + len > kMaxSyncAnswerBytes) {
      over = true;
      return false;
    }
    if (Clock::now() > deadline) {
      late = true;
      return false;
    }
    a.body.append(data, len);
    return true;
  };
  httplib::Result res = c.send(req);
  if (over) {
    return make_error(ErrorCode::kTooLarge, url + " sent an answer to " + method + " " + path +
                                                " larger than " + std::to_string(kMaxSyncAnswerBytes >> 20) +
                                                " MiB; refused");
  }
  if (late) {
    return make_error(ErrorCode::kLedgerUnavailable,
                      url + " took too long to answer " + method + " " + path + "; given up");
  }
  if (!res) return unreachable(url, res);
  a.status = res->status;
  const std::string next = res->get_header_value("X-Edge-Next");
  if (!next.empty()) {
    if (next.size() > 12 || next.find_first_not_of("0123456789") != std::string::npos)
      return make_error(ErrorCode::kMalformed, url + " sent a bad X-Edge-Next header");
    a.next = std::stoull(next);
  }
  return a;
}

Error refused(const std::string& url, const std::string& what, const Answer& a) {
  return make_error(
      ErrorCode::kLedgerUnavailable,
      url + " refused " + what + ": HTTP " + std::to_string(a.status) + " " + a.body.substr(0, 300));
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
  TM_ASSIGN_OR_RETURN(Answer a, ask(c, url, "GET", "/v1/edge"));
  if (a.status != 200) return refused(url, "GET /v1/edge", a);
  return needs_since(a.body, url);
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
  const size_t asks = proof_ask_count(r.domain());
  IngestResult total;
  for (size_t first = 0; first < asks;) {
    const size_t n = std::min(chunk, asks - first);
    json req = json::object();
    for (size_t i = first; i < first + n; ++i) {
      ProofAsk a = proof_ask(r.domain(), i);
      if (a.field != nullptr) req[a.field].push_back(std::move(a.item));
    }
    TM_ASSIGN_OR_RETURN(Answer a, ask(*c, node_url, "POST", "/v1/proofs", req.dump(), "application/json"));
    if (a.status == 413 && n > 1) {  // subjects with many claims: ask for fewer at once
      chunk = n / 2;
      continue;
    }
    if (a.status != 200) return refused(node_url, "POST /v1/proofs", a);
    TM_ASSIGN_OR_RETURN(IngestResult in, ingest_body(r, node_url, a.body));
    add(total, in);
    first += n;
  }
  return total;
}

namespace {

// Every page of GET /v1/edge/bundle?since= from an edge server, each handed
// to `take` in order.
Status pull_pages(httplib::Client& c, const std::string& url, uint64_t since,
                  const std::function<Status(std::string body)>& take) {
  const Clock::time_point deadline = Clock::now() + kExchangeTime;
  for (size_t offset = 0;;) {
    if (Clock::now() > deadline) {
      return make_error(
          ErrorCode::kLedgerUnavailable,
          url + " kept sending pages for " + std::to_string(kExchangeTime.count()) + " s; given up");
    }
    std::string path = "/v1/edge/bundle?since=" + std::to_string(since);
    if (offset != 0) path += "&offset=" + std::to_string(offset);
    TM_ASSIGN_OR_RETURN(Answer a,
                        ask(c, url, "GET", path, {}, {}, std::min(deadline, Clock::now() + kAskTime)));
    if (a.status != 200) return refused(url, "GET /v1/edge/bundle", a);
    TM_TRY(take(std::move(a.body)));
    if (a.next == 0) return Status::Ok();
    if (a.next <= offset)
      return make_error(ErrorCode::kMalformed, url + " sent a page offset that goes back");
    offset = a.next;
  }
}

// Pushes one bundle to an edge server; what it took.
Result<IngestResult> push_bundle(httplib::Client& c, const std::string& url, std::string body) {
  TM_ASSIGN_OR_RETURN(Answer a, ask(c, url, "POST", "/v1/edge/bundle", std::move(body), "application/cbor"));
  if (a.status != 200) return refused(url, "the pushed bundle", a);
  json j = json::parse(a.body, nullptr, false);
  IngestResult took;
  if (j.is_object()) {
    for (auto [field, n] : {std::pair{"updated", &took.updated}, std::pair{"unchanged", &took.unchanged},
                            std::pair{"ignored", &took.ignored}}) {
      if (j.contains(field) && j[field].is_number_unsigned()) *n = j[field].get<size_t>();
    }
  }
  return took;
}

}  // namespace

Result<Exchange> exchange_with_peer(Replica& r, const std::string& peer_url) {
  auto c = client_for(peer_url);
  Exchange ex;
  // Pull: what the peer holds that is newer than what this replica needs.
  TM_TRY(pull_pages(*c, peer_url, needs_since(r.stats()), [&](std::string body) -> Status {
    TM_ASSIGN_OR_RETURN(IngestResult in, ingest_body(r, peer_url, body));
    add(ex.pulled, in);
    return Status::Ok();
  }));
  // Push: what the peer lacks by its own report.
  TM_ASSIGN_OR_RETURN(uint64_t since, peer_needs_since(*c, peer_url));
  for (size_t offset = 0;;) {
    TM_ASSIGN_OR_RETURN(Replica::Page page, r.since(since, offset));
    if (page.bundle.entries.empty()) break;
    ex.pushed += page.bundle.entries.size();
    Bytes body = store::encode_bundle(page.bundle);
    TM_ASSIGN_OR_RETURN(IngestResult took, push_bundle(*c, peer_url, std::string(body.begin(), body.end())));
    add(ex.peer_took, took);
    if (page.next == 0) break;
    offset = page.next;
  }
  return ex;
}

Result<Relay> relay(const std::string& from, const std::string& to) {
  auto src = client_for(from);
  auto dst = client_for(to);
  TM_ASSIGN_OR_RETURN(uint64_t since, peer_needs_since(*dst, to));
  Relay out;
  TM_TRY(pull_pages(*src, from, since, [&](std::string body) -> Status {
    ++out.pages;
    out.bytes += body.size();
    TM_ASSIGN_OR_RETURN(IngestResult took, push_bundle(*dst, to, std::move(body)));
    add(out.took, took);
    return Status::Ok();
  }));
  return out;
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
