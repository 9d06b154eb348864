// The route table (router.h): prefix checks on the raw path, then the
// handler. Percent-decoding happens only for a parameter that contains '%'.
#include "api/router.h"

#include <ctime>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/url.h"
#include "core/request_auth.h"
#include "node/node.h"

namespace trustmesh::api {

namespace {

using node::Route;

// How an operator makes the node take signed requests for another name
// (AuthorityPolicy::check ends its refusal with this).
constexpr std::string_view kPublicHostRemedy =
    "start the node with --public-host {authority} (repeatable; or public_hosts = [\"{authority}\"] under "
    "[api] in node.toml)";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// A GET-only endpoint (HEAD too). False (and a 405 answer) for other methods.
bool get_only(const Request& req, Response& res) {
  if (req.method == Method::kGet || req.method == Method::kHead) return true;
  res.allow = "GET, HEAD";
  write_error(res, 405, ErrorCode::kUnsupported, "method not allowed here; use GET");
  return false;
}

// Calls fn(decoded parameter) or answers 400 for a bad percent-escape.
template <typename Fn>
void with_param(std::string_view raw, Response& res, Fn&& fn) {
  if (!needs_decoding(raw)) {
    fn(raw);
    return;
  }
  Result<std::string> decoded = percent_decode(raw);
  if (!decoded.ok()) {
    write_error(res, decoded.error());
    return;
  }
  fn(std::string_view(*decoded));
}

void route_names(const Context& ctx, const Request& req, std::string_view rest, Response& res) {
  constexpr std::string_view kStatus = "/status";
  if (rest.size() > kStatus.size() && rest.substr(rest.size() - kStatus.size()) == kStatus) {
    rest.remove_suffix(kStatus.size());
    Result<bool> prove = query_flag(req.query, "prove");  // an invalid value is the handler's 400
    res.route = prove.ok() && *prove ? Route::kNameStatusProof : Route::kNameStatus;
    if (!get_only(req, res)) return;
    with_param(rest, res, [&](std::string_view name) { handle_name_status(ctx, name, req.query, res); });
    return;
  }
  res.route = Route::kName;
  if (!get_only(req, res)) return;
  with_param(rest, res, [&](std::string_view name) { handle_name(ctx, name, req.caller, res); });
}

// /v1/orgs/{id}, /v1/vendors/{vid}, /v1/models/{vid}/{pid}, /v1/releases/{sha},
// /v1/crls/{issuer}[/entries], /v1/ocsp[/{base64}], /v1/claims/{id}, /v1/claims?subject=, POST /v1/admission.
// False if p is none of them.
bool route_compliance(const Context& ctx, const Request& req, std::string_view p, Response& res) {
  auto one_segment = [&](std::string_view prefix) {
    return starts_with(p, prefix) && p.size() > prefix.size() &&
           p.find('/', prefix.size()) == std::string_view::npos;
  };
  if (p == "admission") {
    res.route = Route::kAdmission;
    if (req.method != Method::kPost) {
      res.allow = "POST";
      write_error(res, 405, ErrorCode::kUnsupported, "method not allowed here; ask for admission with POST");
      return true;
    }
    handle_admission(ctx, req, res);
    return true;
  }
  res.route = Route::kCompliance;
  if (one_segment("orgs/")) {
    if (get_only(req, res))
      with_param(p.substr(5), res, [&](std::string_view id) { handle_org(ctx, id, res); });
    return true;
  }
  if (one_segment("vendors/")) {
    if (get_only(req, res)) handle_vendor(ctx, p.substr(8), res);
    return true;
  }
  if (starts_with(p, "models/")) {
    // {vid}/{pid} or {vid}/{pid}/versions/{n}
    std::vector<std::string_view> parts;
    for (std::string_view rest = p.substr(7);;) {
      size_t slash = rest.find('/');
      parts.push_back(rest.substr(0, slash));
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
    if (parts.size() == 2) {
      if (get_only(req, res)) handle_model(ctx, parts[0], parts[1], res);
    } else if (parts.size() == 4 && parts[2] == "versions") {
      if (get_only(req, res)) handle_model_version(ctx, parts[0], parts[1], parts[3], res);
    } else {
      write_error(res, 404, ErrorCode::kNotFound,
                  "models are at /v1/models/{vid}/{pid} and /v1/models/{vid}/{pid}/versions/{n}");
    }
    return true;
  }
  if (p == "ocsp") {
    if (req.method != Method::kPost) {
      res.allow = "POST";
      write_error(res, 405, ErrorCode::kUnsupported,
                  "send the DER OCSP request with POST, or GET /v1/ocsp/{base64}");
      return true;
    }
    handle_ocsp(ctx, req, "", res);
    return true;
  }
  if (starts_with(p, "ocsp/")) {
    // The base64 may hold '/', so everything after "ocsp/" is the request.
    if (get_only(req, res)) handle_ocsp(ctx, req, p.substr(5), res);
    return true;
  }
  if (starts_with(p, "crls/") && p.size() > 13 && p.substr(p.size() - 8) == "/entries" &&
      p.find('/', 5) == p.size() - 8) {
    if (get_only(req, res)) handle_crl_entries(ctx, p.substr(5, p.size() - 13), res);
    return true;
  }
  if (one_segment("crls/")) {
    if (get_only(req, res)) handle_crl(ctx, p.substr(5), req.query, res);
    return true;
  }
  if (one_segment("releases/")) {
    if (get_only(req, res)) handle_release(ctx, p.substr(9), res);
    return true;
  }
  if (one_segment("domains/")) {
    if (get_only(req, res))
      with_param(p.substr(8), res, [&](std::string_view id) { handle_domain(ctx, id, req.caller, res); });
    return true;
  }
  if (p == "claims") {
    if (get_only(req, res)) handle_claims(ctx, req.query, res);
    return true;
  }
  if (one_segment("claims/")) {
    if (get_only(req, res)) handle_claim(ctx, p.substr(7), res);
    return true;
  }
  res.route = Route::kOther;
  return false;
}

void route_v1(const Context& ctx, const Request& req, std::string_view p, Response& res) {
  // p is the path after "/v1/".
  if (starts_with(p, "names/") && p.size() > 6) {
    route_names(ctx, req, p.substr(6), res);
    return;
  }
  if (p == "status") {
    res.route = Route::kStatus;
    if (get_only(req, res)) handle_status(ctx, res);
    return;
  }
  if (p == "txs") {
    res.route = Route::kTxSubmit;
    if (req.method != Method::kPost) {
      res.allow = "POST";
      write_error(res, 405, ErrorCode::kUnsupported,
                  "method not allowed here; submit transactions with POST");
      return;
    }
    handle_tx_submit(ctx, req, res);
    return;
  }
  if (starts_with(p, "txs/") && p.size() > 4 && p.find('/', 4) == std::string_view::npos) {
    res.route = Route::kTxGet;
    if (!get_only(req, res)) return;
    with_param(p.substr(4), res, [&](std::string_view hash) { handle_tx_get(ctx, hash, res); });
    return;
  }
  if (starts_with(p, "blocks/") && p.size() > 7 && p.find('/', 7) == std::string_view::npos) {
    res.route = Route::kBlock;
    if (!get_only(req, res)) return;
    std::string_view h = p.substr(7);
    if (h == "latest") {
      handle_block_latest(ctx, res);
    } else {
      with_param(h, res, [&](std::string_view height) { handle_block(ctx, height, res); });
    }
    return;
  }
  if (starts_with(p, "accounts/") && p.size() > 9 && p.find('/', 9) == std::string_view::npos) {
    res.route = Route::kAccount;
    if (!get_only(req, res)) return;
    with_param(p.substr(9), res, [&](std::string_view addr) { handle_account(ctx, addr, res); });
    return;
  }
  if (starts_with(p, "blobs/") && p.size() > 6) {
    res.route = Route::kBlob;
    if (req.method == Method::kGet || req.method == Method::kHead) {
      with_param(p.substr(6), res, [&](std::string_view sha) { handle_blob_get(ctx, sha, req.caller, res); });
    } else {
      res.allow = "GET, HEAD, PUT";
      write_error(res, 405, ErrorCode::kUnsupported,
                  "method not allowed here; download with GET, upload with PUT");
    }
    return;
  }
  if (route_compliance(ctx, req, p, res)) return;
  if (p == "events/blocks") {
    res.route = Route::kEvents;
    if (req.method != Method::kGet) {
      res.allow = "GET";
      write_error(res, 405, ErrorCode::kUnsupported,
                  "method not allowed here; open the event stream with GET");
      return;
    }
    handle_events(ctx, res);
    return;
  }
  if (p == "proofs") {
    if (req.method != Method::kPost) {
      res.allow = "POST";
      write_error(res, 405, ErrorCode::kUnsupported,
                  "method not allowed here; ask for proofs with POST {\"names\": [...]}");
      return;
    }
    handle_proofs(ctx, req, res);
    return;
  }
  if (p == "genesis") {
    if (get_only(req, res)) handle_genesis(ctx, res);
    return;
  }
  if (p == "validators") {
    if (get_only(req, res)) handle_validators(ctx, res);
    return;
  }
  if (p == "net") {
    if (get_only(req, res)) handle_net(ctx, res);
    return;
  }
  if (p == "openapi.json") {
    if (get_only(req, res)) handle_openapi(ctx, res);
    return;
  }
  write_error(res, 404, ErrorCode::kNotFound, "no such endpoint; see GET /v1/openapi.json for the API");
}

}  // namespace

std::optional<std::string_view> blob_upload_target(const Request& req) {
  constexpr std::string_view kBlobs = "/v1/blobs/";
  if (req.method != Method::kPut || !starts_with(req.path, kBlobs)) return std::nullopt;
  return req.path.substr(kBlobs.size());
}

void route_request(const Context& ctx, const Request& signed_req, Response& res) {
  // Who is asking (core/request_auth.h): a header that does not verify is 401
  // on every endpoint, so a client learns at once that its signing is wrong.
  // The Host it was sent with must be a name of this node (else a header
  // signed for another server could be replayed here); it is part of what
  // was signed.
  const Request* in = &signed_req;
  Request with_caller;
  if (!signed_req.authorization.empty()) {
    static const auth::AuthorityPolicy kNone;
    const auth::AuthorityPolicy& authorities = ctx.authorities ? *ctx.authorities : kNone;
    if (Status s = authorities.check(signed_req.host, kPublicHostRemedy); !s.ok())
      return write_error(res, s.error());
    std::string_view target = signed_req.target.empty() ? signed_req.path : signed_req.target;
    std::string_view method = signed_req.method_name.empty() ? "GET" : signed_req.method_name;
    Result<Address> caller =
        auth::verify_request(signed_req.authorization, ctx.node.chain_id(), signed_req.host, method, target,
                             static_cast<uint64_t>(std::time(nullptr)));
    if (!caller.ok()) return write_error(res, caller.error());
    with_caller = signed_req;
    with_caller.caller = *caller;
    in = &with_caller;
  }
  const Request& req = *in;
  constexpr std::string_view kV1 = "/v1/";
  if (starts_with(req.path, kV1)) {
    route_v1(ctx, req, req.path.substr(kV1.size()), res);
    return;
  }
  if (req.path == "/metrics") {
    if (get_only(req, res)) handle_metrics(ctx, res);
    return;
  }
  write_error(res, 404, ErrorCode::kNotFound, "no such endpoint; see GET /v1/openapi.json for the API");
}

}  // namespace trustmesh::api
