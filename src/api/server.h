// The node's HTTP/1.1 JSON API (docs/API.md "HTTP API", docs/openapi.json),
// served with Boost.Beast over a running node::Node.
//
// Threads: cfg.threads I/O threads. By default each runs its own io_context
// with its own acceptor on the same port (SO_REUSEPORT: the kernel spreads
// connections, and a connection lives on one thread, so no locks or strands
// on the request path). Handlers run inline on the I/O thread and read
// through node.view() snapshots, so they never wait for block production.
//
// Invariants: the node outlives the server; after stop() returns no thread of
// the server runs, every connection (including event streams) is closed and
// every block subscription is removed, so the node may be stopped or
// destroyed. stop() is idempotent and called by the destructor.
#pragma once

#include <cstdint>
#include <memory>

#include "core/result.h"
#include "node/config.h"

namespace trustmesh::node {
class Node;
}

namespace trustmesh::api {

class ApiServer {
 public:
  // Knobs for benchmarks and tests; the defaults are what the node uses.
  struct Tuning {
    // true: one io_context + acceptor per thread (SO_REUSEPORT); false: one
    // io_context run by all threads, a strand per connection.
    bool reuse_port = true;
    uint64_t sse_keepalive_ms = 15000;  // comment line on idle event streams
  };

  // Binds cfg.host:cfg.port (port 0 = an ephemeral port, see port()) and
  // starts serving; signed requests are taken for cfg.public_hosts, else for
  // the bound address (auth::AuthorityPolicy). Errors: kInvalidArgument for a
  // bad host or public host, kIo if the address cannot be bound.
  static Result<std::unique_ptr<ApiServer>> start(node::Node& node, const node::ApiConfig& cfg);
  static Result<std::unique_ptr<ApiServer>> start(node::Node& node, const node::ApiConfig& cfg,
                                                  const Tuning& tuning);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  uint16_t port() const;  // the bound port
  void stop();

 private:
  struct Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trustmesh::api
