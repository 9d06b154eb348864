// Verified name look-ups over HTTP (ledger_client.h).
#include "device/ledger_client.h"

#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "ledger/executor.h"
#include "ledger/params.h"
#include "light/status_json.h"

namespace trustmesh::device {

namespace {

using nlohmann::json;

std::string segment(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

uint64_t system_now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// The facts of a plain GET /v1/names/{name} answer (quorum mode).
Result<NameFacts> facts_of_plain(const std::string& name, int status, const std::string& body) {
  NameFacts f;
  f.name = name;
  json j = json::parse(body, nullptr, false);
  if (status == 404) {
    if (j.is_object() && j.value("error", "") == "name_not_found") {
      f.status = "unregistered";
      return f;
    }
    return make_error(ErrorCode::kMalformed, "404 without name_not_found");
  }
  if (status != 200 || !j.is_object()) {
    return make_error(ErrorCode::kMalformed, "HTTP " + std::to_string(status));
  }
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : ""; };
  f.status = str("status");
  if (f.status != "active" && f.status != "revoked" && f.status != "expired" && f.status != "retired") {
    return make_error(ErrorCode::kMalformed, "unknown status '" + f.status + "'");
  }
  TM_ASSIGN_OR_RETURN(Address owner, Address::parse(str("owner")));
  f.owner = owner;
  TM_ASSIGN_OR_RETURN(f.cert_hash, hash32_from_hex(str("cert_hash")));
  if (!str("cert_der").empty()) {
    TM_ASSIGN_OR_RETURN(Bytes der, from_hex(str("cert_der")));
    f.cert_der = std::move(der);
  }
  if (!str("config_hash").empty()) {
    TM_ASSIGN_OR_RETURN(Hash32 h, hash32_from_hex(str("config_hash")));
    f.config_hash = h;
  }
  if (!j.contains("expires_at") || !j["expires_at"].is_number_unsigned()) {
    return make_error(ErrorCode::kMalformed, "expires_at missing");
  }
  f.expires_at = j["expires_at"].get<uint64_t>();
  if (j.contains("height") && j["height"].is_number_unsigned()) f.height = j["height"].get<uint64_t>();
  return f;
}

// What quorum members must agree on (height may differ by a block).
std::string agreement_key(const NameFacts& f) {
  std::string k = f.status + "|" + (f.owner ? f.owner->to_string() : "") + "|" + to_hex(f.cert_hash) + "|" +
                  (f.cert_der ? to_hex(*f.cert_der) : "") + "|" +
                  (f.config_hash ? to_hex(*f.config_hash) : "") + "|" + std::to_string(f.expires_at);
  return k;
}

}  // namespace

struct LedgerClient::Conn {
  std::mutex mu;
  std::unique_ptr<httplib::Client> http;
};

struct LedgerClient::Membership {
  std::vector<std::string> nodes;
  std::optional<light::TrustAnchor> anchor;
  size_t quorum = 1;
  std::vector<std::unique_ptr<Conn>> conns;  // one per node, same order
};

LedgerClient::LedgerClient(LedgerOptions opts) : opts_(std::move(opts)) {}

LedgerClient::~LedgerClient() = default;

Result<std::shared_ptr<LedgerClient::Membership>> LedgerClient::make_membership(
    const LedgerOptions& opts, std::vector<std::string> nodes, std::optional<light::TrustAnchor> anchor) {
  if (nodes.empty())
    return make_error(ErrorCode::kInvalidArgument, "the membership list names no ledger node");
  if (opts.mode == LookupMode::kProof && !anchor) {
    return make_error(ErrorCode::kInvalidArgument,
                      "proof mode needs a trust anchor (the chain's genesis file)");
  }
  auto m = std::make_shared<Membership>();
  m->quorum = opts.quorum == 0 ? nodes.size() / 2 + 1 : opts.quorum;
  if (opts.mode == LookupMode::kQuorum && m->quorum > nodes.size()) {
    return make_error(ErrorCode::kInvalidArgument, "quorum " + std::to_string(m->quorum) + " exceeds the " +
                                                       std::to_string(nodes.size()) + " listed nodes");
  }
  m->nodes = std::move(nodes);
  m->anchor = std::move(anchor);
  for (size_t i = 0; i < m->nodes.size(); ++i) m->conns.push_back(std::make_unique<Conn>());
  return m;
}

std::shared_ptr<LedgerClient::Membership> LedgerClient::members() const {
  std::lock_guard lock(mu_);
  return members_;
}

Status LedgerClient::set_membership(std::vector<std::string> nodes,
                                    std::optional<light::TrustAnchor> anchor) {
  if (!anchor) anchor = members()->anchor;
  TM_ASSIGN_OR_RETURN(auto m, make_membership(opts_, std::move(nodes), std::move(anchor)));
  std::lock_guard lock(mu_);
  members_ = std::move(m);
  return Status::Ok();
}

std::vector<std::string> LedgerClient::nodes() const {
  return members()->nodes;
}

LedgerClient::Reply LedgerClient::get(Membership& m, size_t node, const std::string& path) {
  Conn& c = *m.conns[node];
  std::lock_guard lock(c.mu);
  Reply r;
  try {
    if (!c.http) {
      c.http = std::make_unique<httplib::Client>(m.nodes[node]);
      time_t s = static_cast<time_t>(opts_.timeout_ms / 1000);
      long us = static_cast<long>((opts_.timeout_ms % 1000) * 1000);
      c.http->set_connection_timeout(s, us);
      c.http->set_read_timeout(s, us);
      c.http->set_write_timeout(s, us);
      c.http->set_keep_alive(true);
    }
    auto res = c.http->Get(path);
    if (!res) {
      r.error = httplib::to_string(res.error());
      c.http.reset();
      return r;
    }
    r.answered = true;
    r.status = res->status;
    r.body = std::move(res->body);
  } catch (const std::exception& e) {  // httplib throws on a URL it cannot parse
    r.error = e.what();
    c.http.reset();
  }
  return r;
}

Result<LookupMode> parse_lookup_mode(std::string_view s) {
  if (s == "proof") return LookupMode::kProof;
  if (s == "quorum") return LookupMode::kQuorum;
  return make_error(ErrorCode::kInvalidArgument,
                    "lookup mode must be 'proof' or 'quorum', not '" + std::string(s) + "'");
}

Result<std::unique_ptr<LedgerClient>> LedgerClient::open(LedgerOptions opts) {
  TM_ASSIGN_OR_RETURN(auto m, make_membership(opts, opts.nodes, opts.anchor));
  if (opts.cache_entries == 0) opts.cache_entries = 1;
  if (!opts.now) opts.now = system_now;
  std::unique_ptr<LedgerClient> c(new LedgerClient(std::move(opts)));
  c->members_ = std::move(m);
  return c;
}

Result<NameFacts> LedgerClient::lookup_proof(Membership& m, const std::string& name, bool& any_answered,
                                             std::string& errors) {
  size_t start;
  {
    std::lock_guard lock(mu_);
    start = next_node_++ % m.nodes.size();
  }
  light::Freshness fresh{.now = opts_.now(), .max_age_s = opts_.max_age_s};
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    size_t at = (start + i) % m.nodes.size();
    const std::string& node = m.nodes[at];
    Reply r = get(m, at, "/v1/names/" + segment(name) + "/status?prove=true");
    if (!r.answered || r.status >= 500) {
      errors += "; " + node + ": " + (r.answered ? "HTTP " + std::to_string(r.status) : r.error);
      continue;
    }
    any_answered = true;
    Result<light::VerifiedNameStatus> v = light::verify_status_body(*m.anchor, name, r.body, fresh);
    if (!v.ok()) {
      errors += "; " + node + " answered but it does not verify: " + v.error().message;
      continue;
    }
    NameFacts f;
    f.name = name;
    f.status = v->status;
    f.height = v->height;
    f.source = "proof from " + node + " at height " + std::to_string(v->height);
    if (v->record) {
      f.owner = v->record->owner;
      f.cert_hash = v->record->value.cert_hash;
      f.cert_der = v->record->value.cert_der;
      f.config_hash = v->record->value.config_hash;
      f.expires_at = v->record->expires_at;
    }
    return f;
  }
  return make_error(ErrorCode::kVerificationFailure, "no ledger node gave a verifiable answer");
}

Result<NameFacts> LedgerClient::lookup_quorum(Membership& m, const std::string& name, bool& any_answered,
                                              std::string& errors) {
  std::map<std::string, std::pair<size_t, NameFacts>> votes;
  size_t answered = 0;
  for (size_t at = 0; at < m.nodes.size(); ++at) {
    const std::string& node = m.nodes[at];
    Reply r = get(m, at, "/v1/names/" + segment(name));
    if (!r.answered || r.status >= 500) {
      errors += "; " + node + ": " + (r.answered ? "HTTP " + std::to_string(r.status) : r.error);
      continue;
    }
    ++answered;
    Result<NameFacts> f = facts_of_plain(name, r.status, r.body);
    if (!f.ok()) {
      errors += "; " + node + " gave an unusable answer: " + f.error().message;
      continue;
    }
    auto& slot = votes[agreement_key(*f)];
    if (slot.first++ == 0) slot.second = std::move(f).value();
  }
  any_answered = answered > 0;
  for (auto& [key, vote] : votes) {
    if (vote.first >= m.quorum) {
      NameFacts f = std::move(vote.second);
      f.source = std::to_string(vote.first) + " of " + std::to_string(m.nodes.size()) + " nodes agree";
      return f;
    }
  }
  if (answered < m.quorum) {
    // Too few answers to reach n: like no answer, so the fail policy decides.
    any_answered = false;
    return make_error(ErrorCode::kLedgerUnavailable,
                      "only " + std::to_string(answered) + " of " + std::to_string(m.nodes.size()) +
                          " nodes answered; the quorum is " + std::to_string(m.quorum));
  }
  return make_error(ErrorCode::kVerificationFailure, "ledger nodes disagree: no answer has " +
                                                         std::to_string(m.quorum) + " of " +
                                                         std::to_string(m.nodes.size()) + " votes");
}

Result<NameFacts> LedgerClient::lookup(const std::string& name) {
  TM_TRY(ledger::check_name(name, ledger::kHardMaxNameLen));
  bool any_answered = false;
  std::string errors;
  std::shared_ptr<Membership> m = members();
  Result<NameFacts> f = opts_.mode == LookupMode::kProof ? lookup_proof(*m, name, any_answered, errors)
                                                         : lookup_quorum(*m, name, any_answered, errors);
  if (f.ok()) {
    remember(*f);
    return f;
  }
  if (any_answered) return make_error(f.error().code, f.error().message + errors);
  if (opts_.soft_fail) {
    if (std::optional<NameFacts> cached = recall(name)) return *cached;
  }
  return make_error(ErrorCode::kLedgerUnavailable,
                    std::string("no ledger node answered (") +
                        (opts_.soft_fail ? "soft-fail: nothing usable cached" : "hard-fail policy") + ")" +
                        errors);
}

void LedgerClient::remember(const NameFacts& f) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = cache_.insert_or_assign(f.name, Cached{f, opts_.now()});
  if (fresh) order_.push_back(f.name);
  while (cache_.size() > opts_.cache_entries && !order_.empty()) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<NameFacts> LedgerClient::recall(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(name);
  if (it == cache_.end()) return std::nullopt;
  uint64_t now = opts_.now();
  uint64_t age = now > it->second.at ? now - it->second.at : 0;
  if (age > opts_.soft_fail_max_stale_s) return std::nullopt;
  NameFacts f = it->second.facts;
  f.from_cache = true;
  f.cache_age_s = age;
  f.source = "cache (soft-fail, " + std::to_string(age) + " s old)";
  return f;
}

}  // namespace trustmesh::device
