// The edge server's CoAP API (RFC 7252, CBOR payloads, content format 60),
// for devices too small for HTTP and TLS stacks:
//   GET /v1/status/{name}   the status answer of light/status_cbor.h
//                           (check it with light::verify_status_cbor)
//   GET /v1/claims/{subject} the claims about a device, model or org, as a
//                           CBOR proof bundle (light::proven_claims)
//   GET /v1/blobs/{sha256}  a blob of at most kMaxCoapBlob bytes (a device's
//                           configuration, checked as over HTTP: edge/access.h)
//   GET /v1/edge            {"chain_id", "tracked", "held", "oldest_height",
//                            "newest_height", "newest_header_time", "header_age_s"}
// A request may be signed: kCoapOptionAuthorization with Uri-Host and
// Uri-Port naming this server (a bad signature is 4.01 on every path).
// Errors are CBOR {"error": text, "message": text} with 4.00 (bad name or
// query), 4.01 (a signature that does not verify), 4.03 (no read right),
// 4.04 (outside the domain, or no such path), 4.05 (not GET), 4.13 (a blob
// too large for CoAP) and 5.03 (no verified answer held yet).
//
// Invariants: as the HTTP API: answers come from the replica only, and
// access is decided from its verified domain records.
#pragma once

#include "core/request_auth.h"
#include "edge/blob_cache.h"
#include "edge/coap_server.h"
#include "edge/replica.h"

namespace trustmesh::edge {

inline constexpr uint64_t kMaxCoapBlob = 1 << 20;  // larger blobs: fetch them over HTTP

struct CoapContext {
  const Replica& replica;
  const BlobCache* blobs = nullptr;                    // null: no blobs served
  const auth::AuthorityPolicy* authorities = nullptr;  // null: no signed request is taken
  uint64_t access_max_age_s = 7 * 24 * 3600;           // edge/access.h AccessClock
};

// Answers one request at server time `now` (seconds since the epoch).
CoapReply answer_coap(const CoapContext& ctx, const CoapRequest& req, uint64_t now);
inline CoapReply answer_coap(const Replica& r, const CoapRequest& req, uint64_t now) {
  return answer_coap(CoapContext{r}, req, now);
}

}  // namespace trustmesh::edge
