// The edge server's HTTP API (docs/API.md, Edge servers), on cpp-httplib:
//   GET  /v1/names/{name}/status  the proven status from the replica, in the
//                                 node's ?prove=true form plus header_time,
//                                 header_age_s and served_by (any query is
//                                 accepted: answers are always proven)
//   GET  /v1/genesis              the genesis the server was started with
//   GET  /v1/edge                 the replica and sync report
//   GET  /v1/edge/bundle?since=H  held entries newer than H, as a CBOR bundle
//   POST /v1/edge/bundle          a pushed CBOR bundle; verified, then kept if newer
//   GET  /v1/edge/claims/{subject} the claims about a device, model or org of
//                                 the domain, as a CBOR proof bundle
//                                 (light::proven_claims checks it complete)
//   GET  /v1/blobs/{sha256}       a blob of the off-chain store, from the edge
//                                 server's own store or fetched (and verified)
//                                 from a ledger node first (edge/blob_cache.h);
//                                 a device configuration only to a caller with
//                                 read in its device's domain (edge/access.h)
// Errors are JSON {"error", "message"} with the node's error names.
//
// Callers sign requests as they do for a node (core/request_auth.h) with the
// edge server's own authority in the Host header; a header that does not
// verify, or names another server, is 401 on every endpoint.
//
// Invariants: every answer comes from the replica (verified data only); a
// name outside the domain is 404 and never fetched on demand, so a cut-off
// site answers exactly as it would connected, only older. Access decisions
// are made from the replica's verified domain records and fail closed while
// those are not synced.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "edge/blob_cache.h"
#include "edge/replica.h"
#include "edge/sync.h"

namespace trustmesh::edge {

struct HttpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = pick a free one
  std::string genesis_json;
  size_t max_bundle_bytes = 64u << 20;  // a pushed bundle (about 90,000 entries)
  int threads = 32;
  // The names this server takes signed requests for (host[:port]); none:
  // derived from host and the bound port (core/request_auth.h AuthorityPolicy).
  std::vector<std::string> public_hosts;
  // How old the domain records an access decision rests on may be (edge/access.h).
  uint64_t access_max_age_s = 7 * 24 * 3600;
};

class HttpServer {
 public:
  // Binds and starts serving on its own threads. `sync` and `blobs` may be null.
  static Result<std::unique_ptr<HttpServer>> start(Replica& r, const Syncer* sync, HttpOptions opts,
                                                   const BlobCache* blobs = nullptr);
  ~HttpServer();
  uint16_t port() const { return port_; }
  void stop();

 private:
  HttpServer() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace trustmesh::edge
