// The edge server's CoAP API (RFC 7252, CBOR payloads, content format 60),
// for devices too small for HTTP and TLS stacks:
//   GET /v1/status/{name}   the status answer of light/status_cbor.h
//                           (check it with light::verify_status_cbor)
//   GET /v1/edge            {"chain_id", "tracked", "held", "oldest_height",
//                            "newest_height", "newest_header_time", "header_age_s"}
// Errors are CBOR {"error": text, "message": text} with 4.00 (bad name or
// query), 4.04 (a name outside the domain, or no such path), 4.05 (not GET)
// and 5.03 (no verified answer held yet).
//
// Invariants: as the HTTP API: answers come from the replica only.
#pragma once

#include "edge/coap_server.h"
#include "edge/replica.h"

namespace trustmesh::edge {

// Answers one request at server time `now` (seconds since the epoch).
CoapReply answer_coap(const Replica& r, const CoapRequest& req, uint64_t now);

}  // namespace trustmesh::edge
