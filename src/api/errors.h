// Error answers: the body {"code": <ErrorCode>, "error": "<snake_case name>",
// "message": "..."} and the HTTP status each ErrorCode maps to
// (docs/API.md, HTTP API, Errors).
//
// Invariant: every non-2xx answer the API sends is written by write_error, so
// clients can always read code/error/message.
#pragma once

#include <string_view>

#include "api/exchange.h"
#include "core/result.h"

namespace trustmesh::api {

// 400 malformed input, 401 a request signature that fails, 403 access denied
// (a private domain's detail), 404 unknown, 413 too large, 422 refused tx, 503 mempool
// full, 500 storage or internal faults.
int http_status_for(ErrorCode code);

// Fills `res` with an error answer (clears any body written so far).
void write_error(Response& res, int http_status, ErrorCode code, std::string_view message);
inline void write_error(Response& res, const Error& e) {
  write_error(res, http_status_for(e.code), e.code, e.message);
}

// The reason phrase of an HTTP status ("OK", "Not Found", ...).
std::string_view reason_phrase(int http_status);

}  // namespace trustmesh::api
