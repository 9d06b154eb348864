// Chain-level endpoints: GET /v1/status, /v1/genesis, /v1/openapi.json,
// /metrics and the start of GET /v1/events/blocks (see handlers.h).
#include "api/errors.h"
#include "api/handlers.h"
#include "api/json_writer.h"
#include "api/openapi.h"
#include "consensus/block.h"
#include "ledger/validators.h"
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

// The set that signs the next block, and the governance changes scheduled.
void handle_validators(const Context& ctx, Response& res) {
  auto view = ctx.node.view();
  node::ViewReader reader(view);
  const uint64_t next = view->height() + 1;
  auto set = ledger::validators_for(reader, next);
  if (!set.ok()) return write_error(res, set.error());
  auto pending = ledger::pending_validator_changes(reader);
  if (!pending.ok()) return write_error(res, pending.error());
  uint64_t total = 0;
  for (const auto& v : *set) total += v.power;
  JsonWriter w(res.body);
  w.begin_object().field("height", next).field("total_power", total);
  w.key("validators").begin_array();
  for (const auto& v : *set) {
    w.begin_object()
        .field("address", Address::of(v.key).to_string())
        .field_hex("pub_key", v.key.encoded())
        .field("power", v.power)
        .end_object();
  }
  w.end_array();
  w.key("pending").begin_array();
  for (const auto& p : *pending) {
    w.begin_object().field("effective_height", p.effective_height);
    w.key("changes").begin_array();
    for (const auto& c : p.changes) {
      w.begin_object()
          .field("address", Address::of(c.key).to_string())
          .field_hex("pub_key", c.key.encoded())
          .field("power", c.power)
          .end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
}

// This node's p2p identity and its linked peers.
void handle_net(const Context& ctx, Response& res) {
  JsonWriter w(res.body);
  w.begin_object();
  w.key("node_id");
  if (auto id = ctx.node.node_id()) {
    w.str(id->to_string());
  } else {
    w.null();
  }
  w.key("peers").begin_array();
  for (const p2p::PeerInfo& p : ctx.node.peers()) {
    w.begin_object()
        .field("id", p.id.to_string())
        .field("address", p.address)
        .field("listen", p.listen)
        .field("direction", p.outbound ? "out" : "in")
        .field("sent_bytes", p.sent_bytes)
        .field("received_bytes", p.received_bytes)
        .end_object();
  }
  w.end_array().end_object();
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
