// answer_coap (coap_routes.h).
#include "edge/coap_routes.h"

#include "core/cbor.h"
#include "edge/access.h"
#include "edge/answers.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/schema.h"

namespace trustmesh::edge {

namespace {

constexpr std::string_view kStatusPrefix = "/v1/status/";
constexpr std::string_view kClaimsPrefix = "/v1/claims/";
constexpr std::string_view kBlobsPrefix = "/v1/blobs/";

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

uint8_t coap_status(ErrorCode c) {
  switch (c) {
    case ErrorCode::kNotFound: return coap_code::kNotFound;
    case ErrorCode::kUnauthenticated: return coap_code::kUnauthorized;
    case ErrorCode::kAccessDenied: return coap_code::kForbidden;
    case ErrorCode::kTooLarge: return coap_code::kRequestEntityTooLarge;
    case ErrorCode::kLedgerUnavailable: return coap_code::kServiceUnavailable;
    case ErrorCode::kVerificationFailure: return coap_code::kBadGateway;
    case ErrorCode::kInternal:
    case ErrorCode::kIo: return coap_code::kInternalServerError;
    default: return coap_code::kBadRequest;
  }
}

CoapReply error_reply(const Error& e) {
  return coap_error(coap_status(e.code), error_code_name(e.code), e.message);
}

CoapReply claims_reply(const Replica& r, std::string_view subject) {
  Result<store::ProofBundle> b = claims_bundle(r, subject);
  if (!b.ok()) return error_reply(b.error());
  CoapReply rep;
  rep.payload = store::encode_bundle(*b);
  return rep;
}

// A blob whole in the answer (block-wise on the wire), access checked as over HTTP.
Result<Bytes> blob_bytes(const CoapContext& ctx, std::string_view hex, const std::optional<Address>& caller,
                         uint64_t now) {
  if (ctx.blobs == nullptr) return make_error(ErrorCode::kNotFound, "this edge server keeps no blobs");
  Result<Hash32> h = hash32_from_hex(hex);
  if (!h.ok()) return make_error(ErrorCode::kInvalidArgument, "a blob is named by 64 hex digits of SHA-256");
  // Never more than a CoAP answer carries is fetched on the CoAP thread.
  TM_TRY(authorize_blob(ctx.replica, *ctx.blobs, *h, caller, AccessClock{now, ctx.access_max_age_s},
                        kMaxCoapBlob));
  TM_ASSIGN_OR_RETURN(store::BlobReader reader, ctx.blobs->store().open_read(*h));
  if (reader.size() > kMaxCoapBlob) {
    return make_error(ErrorCode::kTooLarge,
                      "blob " + to_hex(*h) + " is " + std::to_string(reader.size()) +
                          " bytes, more than CoAP answers here carry; fetch it over HTTP");
  }
  Bytes out(reader.size());
  for (size_t at = 0; at < out.size();) {
    TM_ASSIGN_OR_RETURN(size_t n, reader.read(out.data() + at, out.size() - at));
    if (n == 0) return make_error(ErrorCode::kIo, "blob " + to_hex(*h) + " is shorter than its size");
    at += n;
  }
  return out;
}

}  // namespace

CoapReply answer_coap(const CoapContext& ctx, const CoapRequest& req, uint64_t now) {
  const Replica& r = ctx.replica;
  // Who is asking: a signature that does not verify is refused on every path.
  std::optional<Address> caller;
  if (!req.authorization.empty()) {
    if (ctx.authorities == nullptr) {
      return coap_error(coap_code::kUnauthorized, "unauthenticated", "this server takes no signed requests");
    }
    if (req.authority.empty()) {
      return coap_error(coap_code::kUnauthorized, "unauthenticated",
                        "a signed request names the server it is for in Uri-Host and Uri-Port");
    }
    const std::string target = req.query.empty() ? req.path : req.path + "?" + req.query;
    Result<std::optional<Address>> who = caller_of(
        *ctx.authorities, r.anchor().chain_id, req.authorization, req.authority, req.method, target, now,
        "start the edge server with --coap-public-host NAME:PORT for each name it is reached by");
    if (!who.ok()) return error_reply(who.error());
    caller = *who;
  }
  // Names may hold '/': as more Uri-Path options, or "%2F" inside one.
  const bool status = req.path.size() > kStatusPrefix.size() && req.path.starts_with(kStatusPrefix);
  const bool claims = req.path.size() > kClaimsPrefix.size() && req.path.starts_with(kClaimsPrefix);
  const bool blob = req.path.size() > kBlobsPrefix.size() && req.path.starts_with(kBlobsPrefix);
  if (!status && !claims && !blob && req.path != "/v1/edge") {
    return coap_error(coap_code::kNotFound, "not_found",
                      "no such resource; try /v1/status/{name}, /v1/claims/{subject}, /v1/blobs/{sha256} or "
                      "/v1/edge");
  }
  if (req.method != "GET")
    return coap_error(coap_code::kMethodNotAllowed, "unsupported", "only GET is served here");
  if (!req.query.empty())
    return coap_error(coap_code::kBadRequest, "invalid_argument", "no query is accepted here");
  if (blob) {
    Result<Bytes> bytes =
        blob_bytes(ctx, std::string_view(req.path).substr(kBlobsPrefix.size()), caller, now);
    if (!bytes.ok()) return error_reply(bytes.error());
    CoapReply rep;
    rep.content_format = coap_format::kOctetStream;
    rep.payload = std::move(bytes).value();
    return rep;
  }
  if (claims)
    return claims_reply(r, slashes_decoded(std::string_view(req.path).substr(kClaimsPrefix.size())));
  if (!status) return stats_reply(r, now);
  return status_reply(r, slashes_decoded(std::string_view(req.path).substr(kStatusPrefix.size())), now);
}

}  // namespace trustmesh::edge
