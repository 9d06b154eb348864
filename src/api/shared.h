// State shared by every connection of one ApiServer: the handler context, the
// block-event subscriptions of open event streams, and the stopping flag.
//
// Invariants: a Shared outlives every session that refers to it (the server
// destroys its io_contexts, and with them all sessions, before it);
// `authorities` is written only before the first session starts; once
// SseHub::close() has returned, no subscription callback is running or will
// run, so nothing posts into the io_contexts any more.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>

#include "api/exchange.h"
#include "node/node.h"
#include "pki/ocsp_responder.h"

namespace trustmesh::api {

class SseHub {
 public:
  explicit SseHub(node::Node& node) : node_(node) {}
  // Subscribes fn to committed blocks (called on the consensus thread);
  // nullopt once the hub is closed.
  std::optional<uint64_t> subscribe(std::function<void(const node::BlockEvent&)> fn);
  void unsubscribe(uint64_t id);
  // Removes every subscription and refuses new ones.
  void close();

 private:
  node::Node& node_;
  std::mutex mu_;
  std::set<uint64_t> ids_;
  bool closed_ = false;
};

struct Shared {
  Shared(node::Node& n, const node::ApiConfig& c, uint64_t keepalive_ms,
         std::unique_ptr<const pki::OcspResponder> o = nullptr,
         std::optional<store::BlobStore> b = std::nullopt)
      : node(n),
        cfg(c),
        ocsp(std::move(o)),
        blobs(std::move(b)),
        ctx{n, cfg, ocsp.get(), blobs ? &*blobs : nullptr, &authorities},
        hub(n),
        sse_keepalive_ms(keepalive_ms) {}
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  node::Node& node;
  const node::ApiConfig cfg;
  const std::unique_ptr<const pki::OcspResponder> ocsp;
  const std::optional<store::BlobStore> blobs;  // <data dir>/blobs (or ApiConfig::blob_dir)
  // Set by ApiServer::start once the port is bound, before any session starts.
  auth::AuthorityPolicy authorities;
  const Context ctx;
  SseHub hub;
  const uint64_t sse_keepalive_ms;
  std::atomic<bool> stopping{false};
};

}  // namespace trustmesh::api
