// The request/response pair the router and handlers work on, free of Beast
// types: the HTTP session (http_session.cc) fills a Request from the parsed
// message, the router picks a handler, the handler fills the Response, and the
// session serializes it. One Response object lives per connection and is
// reset between requests, so its body buffer's capacity is reused.
//
// Invariants: every string_view in a Request points into the session's parser
// and stays valid until the response is written; Response::content_type and
// external_body point to storage that outlives the connection (literals, the
// node's genesis text, the embedded OpenAPI document). A Response with a
// `file` streams that blob instead of a body (GET /v1/blobs/{sha256}).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/address.h"
#include "core/request_auth.h"
#include "node/config.h"
#include "node/metrics.h"
#include "store/blob_store.h"

namespace trustmesh::node {
class Node;
}

namespace trustmesh::pki {
class OcspResponder;
}

namespace trustmesh::api {

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kMetricsType = "text/plain; version=0.0.4";
inline constexpr std::string_view kCrlType = "application/pkix-crl";
inline constexpr std::string_view kPemType = "application/x-pem-file";
inline constexpr std::string_view kOctetType = "application/octet-stream";

enum class Method : uint8_t { kGet, kHead, kPost, kPut, kOther };

struct Request {
  Method method = Method::kGet;
  std::string_view path;   // before '?', still percent-encoded
  std::string_view query;  // after '?', may be empty
  std::string_view content_type;
  std::string_view body;
  std::string_view method_name;    // "GET", "POST", ... as sent
  std::string_view target;         // path and query exactly as sent (what a request signature covers)
  std::string_view authorization;  // the Authorization header, "" if none
  std::string_view host;           // the Host header as sent, "" if none (signed with the request)
  // The verified signer of the request (core/request_auth.h); nullopt = anonymous.
  // Set by route_request, never by the session.
  std::optional<Address> caller;
};

struct Response {
  int status = 200;
  std::string_view content_type = kJsonType;
  std::string body;                // JSON (or text) written by the handler
  std::string_view external_body;  // if non-empty, sent instead of body (no copy)
  std::string_view allow;          // "Allow" header value for 405 answers
  node::Route route = node::Route::kOther;
  bool event_stream = false;              // the handler asks to switch to server-sent events
  std::optional<store::BlobReader> file;  // if set, streamed as the body (its size is Content-Length)
  std::string extra_headers;              // "Name: value\r\n" lines added to the head

  void reset() {
    status = 200;
    content_type = kJsonType;
    body.clear();
    external_body = {};
    allow = {};
    route = node::Route::kOther;
    event_stream = false;
    file.reset();
    extra_headers.clear();
  }
  std::string_view payload() const { return external_body.empty() ? std::string_view(body) : external_body; }
};

// What handlers read from: the node and the API limits.
struct Context {
  node::Node& node;
  const node::ApiConfig& cfg;
  const pki::OcspResponder* ocsp = nullptr;  // null: no OCSP signer configured
  const store::BlobStore* blobs = nullptr;   // null: /v1/blobs answers 503 (no store opened)
  // The Host values signed requests are taken for (ApiConfig::public_hosts,
  // else the listening address); null: no signed request is taken.
  const auth::AuthorityPolicy* authorities = nullptr;
};

}  // namespace trustmesh::api
