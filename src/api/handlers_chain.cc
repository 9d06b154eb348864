// Chain-level endpoints: GET /v1/status, /v1/genesis, /v1/openapi.json,
// /metrics and the start of GET /v1/events/blocks (see handlers.h).
#include "api/errors.h"
#include "api/handlers.h"
#include "api/json_writer.h"
#include "api/openapi.h"
#include "consensus/block.h"
#include "node/node.h"
#include "store/block_store.h"

namespace trustmesh::api {

namespace {
constexpr std::string_view kVersion = "0.1.0";
}

void handle_status(const Context& ctx, Response& res) {
  node::Node& n = ctx.node;
  auto view = n.view();
  const uint64_t height = view->height();
  uint64_t time = n.genesis().genesis_time;
  Hash32 block_hash{};
  if (height > 0) {
    auto hc = store::read_header_commit(*view, height);
    if (!hc.ok()) return write_error(res, hc.error());
    if (!hc->has_value()) {
      return write_error(res, 500, ErrorCode::kInternal,
                         "no header stored at height " + std::to_string(height));
    }
    auto header = consensus::BlockHeader::decode(hc->value().first);
    if (!header.ok())
      return write_error(res, 500, ErrorCode::kInternal, "stored header: " + header.error().message);
    time = header->time;
    block_hash = header->hash();
  }
  JsonWriter w(res.body);
  w.begin_object()
      .field("chain_id", n.chain_id())
      .field("height", height)
      .field("time", time)
      .field_hex("block_hash", block_hash)
      .field_hex("state_root", view->root());
  w.key("validator");
  if (auto v = n.validator_address()) {
    w.str(v->to_string());
  } else {
    w.null();
  }
  w.key("node_id");
  if (auto id = n.node_id()) {
    w.str(id->to_string());
  } else {
    w.null();
  }
  w.field("peers", n.metrics().peers.load(std::memory_order_relaxed));
  // The node's gauges, not the mempool itself: its lock is held while it is
  // re-checked after a block, and status must not wait for that.
  w.key("mempool")
      .begin_object()
      .field("txs", n.metrics().mempool_txs.load(std::memory_order_relaxed))
      .field("bytes", n.metrics().mempool_bytes.load(std::memory_order_relaxed))
      .end_object();
  w.field("version", kVersion).end_object();
}

void handle_genesis(const Context& ctx, Response& res) {
  res.external_body = ctx.node.genesis_json();
}

void handle_openapi(const Context&, Response& res) {
  res.external_body = openapi_json();
}

void handle_metrics(const Context& ctx, Response& res) {
  res.content_type = kMetricsType;
  res.body = ctx.node.metrics().render();
}

void handle_events(const Context&, Response& res) {
  res.event_stream = true;
}

}  // namespace trustmesh::api
