// Request routing: maps (method, path) to a handler with plain string
// comparisons (no regex, no allocation unless a segment is percent-encoded).
//
//   GET  /v1/status                 GET /v1/genesis          GET /v1/openapi.json
//   POST /v1/txs                    GET /v1/txs/{hash}       GET /metrics
//   GET  /v1/blocks/latest          GET /v1/blocks/{height}  GET /v1/events/blocks
//   GET  /v1/names/{name}           GET /v1/names/{name}/status[?prove=true]
//   GET  /v1/accounts/{address}     GET /v1/validators       GET /v1/net
//   GET  /v1/blobs/{sha256}         PUT /v1/blobs/{sha256}   (and the compliance reads)
//   GET  /v1/domains/{id}
//
// A request with an Authorization header (core/request_auth.h) is verified
// first: a Host that is not one of the node's own names (Context::authorities)
// or a header that fails is 401 on every endpoint; one that verifies sets
// Request::caller, which the access checks of private domains read.
// Names may contain '/', so under /v1/names/ a path ending in "/status" is the
// status of the name before it, anything else is the name itself; a name whose
// last component is "status" must be written with %2F for its slashes.
// HEAD is accepted wherever GET is (the session sends no body). A known path
// with another method is 405 (with Allow); an unknown path is 404.
#pragma once

#include "api/exchange.h"

namespace trustmesh::api {

void route_request(const Context& ctx, const Request& req, Response& res);

// PUT /v1/blobs/{...}: the one request whose body is streamed to disk, not
// buffered; the session checks its header with plan_blob_upload (handlers.h)
// before reading the body. Returns the {sha256} segment (still encoded).
std::optional<std::string_view> blob_upload_target(const Request& req);

}  // namespace trustmesh::api
