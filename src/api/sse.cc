// SseSession and SseHub (sse.h, shared.h).
#include "api/sse.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "api/json_writer.h"

namespace trustmesh::api {

namespace asio = boost::asio;
using boost::system::error_code;

// --- SseHub ---

std::optional<uint64_t> SseHub::subscribe(std::function<void(const node::BlockEvent&)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return std::nullopt;
  uint64_t id = node_.subscribe(std::move(fn));
  ids_.insert(id);
  return id;
}

void SseHub::unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ids_.erase(id) > 0) node_.unsubscribe(id);
}

void SseHub::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  // Node::unsubscribe waits for a callback in progress, so after this no
  // callback of ours runs any more.
  for (uint64_t id : ids_) node_.unsubscribe(id);
  ids_.clear();
}

// --- SseSession ---

std::string format_block_event(const node::BlockEvent& ev) {
  std::string out = "event: block\ndata: ";
  JsonWriter w(out);
  w.begin_object()
      .field("height", ev.height)
      .field_hex("hash", ev.hash)
      .field("time", ev.time)
      .field_hex("state_root", ev.state_root)
      .field("txs", static_cast<uint64_t>(ev.txs))
      .end_object();
  out += "\n\n";
  return out;
}

SseSession::SseSession(asio::ip::tcp::socket socket, Shared& shared)
    : socket_(std::move(socket)), keepalive_(socket_.get_executor()), shared_(shared) {}

SseSession::~SseSession() {
  release();
}

void SseSession::start() {
  shared_.node.metrics().sse_clients.fetch_add(1, std::memory_order_relaxed);
  counted_ = true;
  queue_.emplace_back(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
      "X-Accel-Buffering: no\r\n\r\n: ok\n\n");
  write_next();
  std::weak_ptr<SseSession> weak = weak_from_this();
  auto executor = socket_.get_executor();
  subscription_ = shared_.hub.subscribe([weak, executor](const node::BlockEvent& ev) {
    // Consensus thread: format and hand over, nothing else.
    asio::post(executor, [weak, msg = format_block_event(ev)]() mutable {
      if (auto self = weak.lock()) self->push(std::move(msg));
    });
  });
  if (!subscription_) return close();  // the server is stopping
  arm_keepalive();
  watch_client();
}

void SseSession::push(std::string message) {
  if (closed_) return;
  if (queue_.size() >= kMaxQueued) return close();  // the client does not keep up
  queue_.push_back(std::move(message));
  if (!writing_) write_next();
}

void SseSession::write_next() {
  if (closed_ || queue_.empty()) return;
  writing_ = true;
  asio::async_write(socket_, asio::buffer(queue_.front()),
                    [self = shared_from_this()](error_code ec, size_t) {
                      self->writing_ = false;
                      if (ec) return self->close();
                      self->queue_.pop_front();
                      self->write_next();
                    });
}

void SseSession::arm_keepalive() {
  keepalive_.expires_after(std::chrono::milliseconds(shared_.sse_keepalive_ms));
  keepalive_.async_wait([weak = weak_from_this()](error_code ec) {
    auto self = weak.lock();
    if (!self || ec || self->closed_) return;
    if (self->queue_.empty()) self->push(": keepalive\n\n");
    self->arm_keepalive();
  });
}

void SseSession::watch_client() {
  // The client sends nothing; a completed read means it closed or broke.
  socket_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](error_code ec, size_t) {
    if (ec || self->closed_) return self->close();
    self->watch_client();
  });
}

void SseSession::close() {
  if (closed_) return;
  closed_ = true;
  release();
  keepalive_.cancel();
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void SseSession::release() {
  if (subscription_) {
    shared_.hub.unsubscribe(*subscription_);
    subscription_.reset();
  }
  if (counted_) {
    shared_.node.metrics().sse_clients.fetch_sub(1, std::memory_order_relaxed);
    counted_ = false;
  }
}

}  // namespace trustmesh::api
