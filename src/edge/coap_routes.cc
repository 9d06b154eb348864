// answer_coap (coap_routes.h).
#include "edge/coap_routes.h"

#include "core/cbor.h"
#include "edge/answers.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/schema.h"

namespace trustmesh::edge {

namespace {

constexpr std::string_view kStatusPrefix = "/v1/status/";
constexpr std::string_view kClaimsPrefix = "/v1/claims/";

// "%2F" (a '/' inside one Uri-Path option) back to '/'; any other escape is
// left as it is, and check_name refuses it.
std::string slashes_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && s[i + 1] == '2' && (s[i + 2] == 'F' || s[i + 2] == 'f')) {
      out.push_back('/');
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

CoapReply stats_reply(const Replica& r, uint64_t now) {
  using cbor::Value;
  ReplicaStats st = r.stats();
  CoapReply rep;
  rep.payload = cbor::encode(Value::map({
      {Value::text("chain_id"), Value::text(r.anchor().chain_id)},
      {Value::text("tracked"), Value::uint(st.tracked)},
      {Value::text("held"), Value::uint(st.held)},
      {Value::text("oldest_height"), Value::uint(st.oldest_height)},
      {Value::text("newest_height"), Value::uint(st.newest_height)},
      {Value::text("newest_header_time"), Value::uint(st.newest_time)},
      {Value::text("header_age_s"),
       Value::uint(st.newest_time != 0 && now > st.newest_time ? now - st.newest_time : 0)},
  }));
  return rep;
}

CoapReply status_reply(const Replica& r, std::string_view name, uint64_t now) {
  Status syntax = ledger::check_name(name, ledger::kHardMaxNameLen);
  if (!syntax.ok())
    return coap_error(coap_code::kBadRequest, error_code_name(syntax.error().code), syntax.error().message);
  Bytes key = ledger::schema::name_key(name);
  if (!r.tracks(key)) {
    return coap_error(
        coap_code::kNotFound, "not_found",
        "name '" + std::string(name) + "' is not in this edge server's domain; ask a ledger node");
  }
  Result<std::optional<HeldEntry>> held = r.lookup(key);
  if (!held.ok())
    return coap_error(coap_code::kInternalServerError, error_code_name(held.error().code),
                      held.error().message);
  if (!*held) {
    return coap_error(coap_code::kServiceUnavailable, "ledger_unavailable",
                      "no verified answer for '" + std::string(name) + "' yet");
  }
  Result<light::StatusAnswer> a = status_answer(**held, name, now);
  if (!a.ok())
    return coap_error(coap_code::kInternalServerError, error_code_name(a.error().code), a.error().message);
  CoapReply rep;
  rep.payload = light::encode_status_answer(*a);
  return rep;
}

CoapReply claims_reply(const Replica& r, std::string_view subject) {
  Result<store::ProofBundle> b = claims_bundle(r, subject);
  if (!b.ok()) {
    const Error& e = b.error();
    const uint8_t code = e.code == ErrorCode::kNotFound            ? coap_code::kNotFound
                         : e.code == ErrorCode::kLedgerUnavailable ? coap_code::kServiceUnavailable
                         : e.code == ErrorCode::kInvalidArgument   ? coap_code::kBadRequest
                                                                   : coap_code::kInternalServerError;
    return coap_error(code, error_code_name(e.code), e.message);
  }
  CoapReply rep;
  rep.payload = store::encode_bundle(*b);
  return rep;
}

}  // namespace

CoapReply answer_coap(const Replica& r, const CoapRequest& req, uint64_t now) {
  // Names may hold '/': as more Uri-Path options, or "%2F" inside one.
  const bool status = req.path.size() > kStatusPrefix.size() && req.path.starts_with(kStatusPrefix);
  const bool claims = req.path.size() > kClaimsPrefix.size() && req.path.starts_with(kClaimsPrefix);
  if (!status && !claims && req.path != "/v1/edge") {
    return coap_error(coap_code::kNotFound, "not_found",
                      "no such resource; try /v1/status/{name}, /v1/claims/{subject} or /v1/edge");
  }
  if (req.method != "GET")
    return coap_error(coap_code::kMethodNotAllowed, "unsupported", "only GET is served here");
  if (!req.query.empty())
    return coap_error(coap_code::kBadRequest, "invalid_argument", "no query is accepted here");
  if (claims)
    return claims_reply(r, slashes_decoded(std::string_view(req.path).substr(kClaimsPrefix.size())));
  if (!status) return stats_reply(r, now);
  return status_reply(r, slashes_decoded(std::string_view(req.path).substr(kStatusPrefix.size())), now);
}

}  // namespace trustmesh::edge
