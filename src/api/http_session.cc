// HttpSession (http_session.h). Beast's exceptions never escape: every
// operation uses the error_code overloads, and a handler that throws
// (bad_alloc) is answered with 500 here, at the edge.
#include "api/http_session.h"

#include <array>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <exception>

#include "api/errors.h"
#include "api/json_writer.h"
#include "api/router.h"
#include "api/sse.h"

namespace trustmesh::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

// How long a refused or timed-out connection gets to read our answer.
constexpr auto kLingerTime = std::chrono::milliseconds(1000);
// Buffer capacity kept between requests of one connection.
constexpr size_t kKeepCapacity = 64 * 1024;

Method method_of(http::verb v) {
  switch (v) {
    case http::verb::get: return Method::kGet;
    case http::verb::head: return Method::kHead;
    case http::verb::post: return Method::kPost;
    default: return Method::kOther;
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, Shared& shared)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(shared) {}

// --- reading ---

void HttpSession::read_request() {
  state_ = State::kReading;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(shared_.cfg.max_header_bytes, UINT32_MAX)));
  parser_->body_limit(shared_.cfg.max_body_bytes);
  set_deadline(std::chrono::milliseconds(shared_.cfg.request_timeout_ms));
  http::async_read_header(socket_, buffer_, *parser_,
                          [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
}

void HttpSession::on_header(error_code ec) {
  if (ec) return on_read_error(ec);
  if (parser_->is_done()) return dispatch();
  auto expect = parser_->get()[http::field::expect];
  if (iequals(std::string_view(expect.data(), expect.size()), "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->close();
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void HttpSession::read_body() {
  http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](error_code ec, size_t) {
    if (ec) return self->on_read_error(ec);
    self->dispatch();
  });
}

void HttpSession::on_read_error(error_code ec) {
  if (closed_) return;
  if (ec == asio::error::operation_aborted) {
    // Cancelled by the timer: answer 408 if a request had started arriving.
    if (timed_out_ && (buffer_.size() > 0 || parser_->got_some())) {
      return refuse(408, ErrorCode::kIo,
                    "request not received within " + std::to_string(shared_.cfg.request_timeout_ms) + " ms");
    }
    return close();
  }
  if (ec == http::error::header_limit) {
    return refuse(431, ErrorCode::kTooLarge,
                  "request headers exceed " + std::to_string(shared_.cfg.max_header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return refuse(413, ErrorCode::kTooLarge,
                  "request body exceeds " + std::to_string(shared_.cfg.max_body_bytes) + " bytes");
  }
  const bool protocol_error = &ec.category() == &http::make_error_code(http::error::bad_target).category();
  if (!protocol_error || ec == http::error::end_of_stream || ec == http::error::partial_message) {
    return close();  // the client went away (or a socket error)
  }
  refuse(400, ErrorCode::kMalformed, "malformed HTTP request: " + ec.message());
}

// --- answering ---

void HttpSession::dispatch() {
  state_ = State::kHandling;
  started_ = Clock::now();
  const auto& msg = parser_->get();
  version_ = msg.version();
  Request req;
  req.method = method_of(msg.method());
  std::string_view target(msg.target().data(), msg.target().size());
  size_t q = target.find('?');
  req.target = target;
  auto mname = msg.method_string();
  req.method_name = std::string_view(mname.data(), mname.size());
  req.path = target.substr(0, q);
  if (q != std::string_view::npos) req.query = target.substr(q + 1);
  auto ct = msg[http::field::content_type];
  req.content_type = std::string_view(ct.data(), ct.size());
  req.body = msg.body();
  auto auth = msg[http::field::authorization];
  req.authorization = std::string_view(auth.data(), auth.size());

  res_.reset();
  try {
    route_request(shared_.ctx, req, res_);
  } catch (const std::exception& e) {
    write_error(res_, 500, ErrorCode::kInternal, std::string("internal error: ") + e.what());
  }
  if (res_.event_stream) return start_event_stream();
  bool keep_alive = msg.keep_alive() && !shared_.stopping.load(std::memory_order_relaxed);
  send(keep_alive, req.method == Method::kHead);
}

void HttpSession::refuse(int status, ErrorCode code, std::string_view message) {
  started_ = Clock::now();
  if (parser_) version_ = parser_->get().version() == 10 ? 10 : 11;
  linger_ = true;
  res_.reset();
  write_error(res_, status, code, message);
  // A fresh, short deadline for writing the answer (the request's may be spent).
  set_deadline(kLingerTime);
  send(false, false);
}

void HttpSession::send(bool keep_alive, bool head_only) {
  std::string_view payload = res_.payload();
  head_.clear();
  head_ += "HTTP/1.1 ";
  append_uint(head_, static_cast<uint64_t>(res_.status));
  head_ += ' ';
  head_ += reason_phrase(res_.status);
  head_ += "\r\nContent-Type: ";
  head_ += res_.content_type;
  head_ += "\r\nContent-Length: ";
  append_uint(head_, payload.size());
  if (!res_.allow.empty()) {
    head_ += "\r\nAllow: ";
    head_ += res_.allow;
  }
  if (!keep_alive) {
    head_ += "\r\nConnection: close";
  } else if (version_ == 10) {
    head_ += "\r\nConnection: keep-alive";
  }
  head_ += "\r\n\r\n";
  state_ = State::kWriting;
  std::array<asio::const_buffer, 2> bufs = {asio::buffer(head_),
                                            asio::buffer(payload.data(), head_only ? 0 : payload.size())};
  asio::async_write(socket_, bufs, [self = shared_from_this(), keep_alive](error_code ec, size_t) {
    self->on_written(ec, keep_alive);
  });
}

void HttpSession::on_written(error_code ec, bool keep_alive) {
  auto elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  shared_.node.metrics().observe_request(res_.route, res_.status, elapsed);
  if (ec) return close();
  if (!keep_alive) return finish();
  // Buffers are reused, but a rare large request or answer (a 1 MiB tx, a
  // full block) should not stay allocated for the connection's lifetime.
  if (res_.body.capacity() > kKeepCapacity) std::string().swap(res_.body);
  if (buffer_.capacity() > kKeepCapacity && buffer_.size() == 0) buffer_.shrink_to_fit();
  read_request();
}

void HttpSession::start_event_stream() {
  auto elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  shared_.node.metrics().observe_request(node::Route::kEvents, 200, elapsed);
  closed_ = true;  // this object is done; the socket moves on
  timer_.cancel();
  std::make_shared<SseSession>(std::move(socket_), shared_)->start();
}

// --- deadline and closing ---

void HttpSession::set_deadline(Clock::duration d) {
  deadline_ = Clock::now() + d;
  // Later deadlines (the common case: the next request) leave the pending wait
  // alone; it re-arms itself when it fires early. Only a shorter one re-arms.
  if (timer_armed_ && deadline_ >= timer_.expiry()) return;
  timer_armed_ = true;
  timer_.expires_at(deadline_);  // a pending wait completes as superseded
  uint64_t gen = ++timer_gen_;
  timer_.async_wait([self = shared_from_this(), gen](error_code ec) { self->on_timer(ec, gen); });
}

void HttpSession::on_timer(error_code ec, uint64_t gen) {
  if (gen != timer_gen_) return;  // superseded by a shorter deadline
  timer_armed_ = false;
  if (closed_ || ec == asio::error::operation_aborted) return;
  if (Clock::now() < deadline_) {
    timer_armed_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this(), gen](error_code ec) { self->on_timer(ec, gen); });
    return;
  }
  timed_out_ = true;
  if (state_ == State::kReading) {
    error_code ignored;
    socket_.cancel(ignored);  // the read completes with operation_aborted
  } else {
    close();
  }
}

void HttpSession::finish() {
  // A request answered in full with nothing more from the client: close now
  // (the kernel sends our answer, then FIN). Otherwise the client may still
  // be sending (a refused body, pipelined requests), and closing with unread
  // data would reset the connection and could destroy our answer before the
  // client reads it: stop sending, drain for a while, then close.
  if (!linger_ && buffer_.size() == 0) return close();
  state_ = State::kClosing;
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  set_deadline(kLingerTime);
  buffer_.consume(buffer_.size());
  drain();
}

void HttpSession::drain() {
  // Read and drop what the client still sends until it closes or the linger
  // time ends; closing with unread data would reset the connection and could
  // destroy our answer before the client reads it.
  socket_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](error_code ec, size_t) {
    if (ec || self->closed_) return self->close();
    self->drain();
  });
}

void HttpSession::close() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace trustmesh::api
