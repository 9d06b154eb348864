// HttpSession (http_session.h). Beast's exceptions never escape: every
// operation uses the error_code overloads, and a handler that throws
// (bad_alloc) is answered with 500 here, at the edge.
#include "api/http_session.h"

#include <array>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <exception>
#include <limits>

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
// Bytes moved per step when a blob streams (upload or download).
constexpr size_t kChunkBytes = 64 * 1024;

Method method_of(http::verb v) {
  switch (v) {
    case http::verb::get: return Method::kGet;
    case http::verb::head: return Method::kHead;
    case http::verb::post: return Method::kPost;
    case http::verb::put: return Method::kPut;
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
  upload_parser_.reset();
  upload_plan_.reset();
  upload_.reset();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(shared_.cfg.max_header_bytes, UINT32_MAX)));
  // No limit while the header is read (Beast would refuse a Content-Length
  // over it then, before we know the route): a blob upload has its own;
  // every other request gets max_body_bytes in on_header.
  // (Not boost::none: this Beast compares `len > none` as true.)
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  set_deadline(std::chrono::milliseconds(shared_.cfg.request_timeout_ms));
  http::async_read_header(socket_, buffer_, *parser_,
                          [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
}

void HttpSession::on_header(error_code ec) {
  if (ec) return on_read_error(ec);
  {
    const auto& msg = parser_->get();
    Request head;
    head.method = method_of(msg.method());
    std::string_view target(msg.target().data(), msg.target().size());
    size_t q = target.find('?');
    head.path = target.substr(0, q);
    if (q != std::string_view::npos) head.query = target.substr(q + 1);
    if (auto blob = blob_upload_target(head)) return start_upload(*blob, head.query);
  }
  if (auto n = parser_->content_length(); n && *n > shared_.cfg.max_body_bytes) {
    return on_read_error(http::error::body_limit);
  }
  parser_->body_limit(shared_.cfg.max_body_bytes);
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
  auto host = msg[http::field::host];
  req.host = std::string_view(host.data(), host.size());

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
  if (parser_ && !upload_parser_) version_ = parser_->get().version() == 10 ? 10 : 11;
  res_.reset();
  write_error(res_, status, code, message);
  refuse_answer();
}

void HttpSession::refuse_answer() {
  upload_.reset();  // removes the temp file of an upload cut short
  linger_ = true;
  // A fresh, short deadline for writing the answer (the request's may be spent).
  set_deadline(kLingerTime);
  send(false, false);
}

// --- blob uploads: header checked, then the body streams to the store ---

void HttpSession::start_upload(std::string_view target, std::string_view query) {
  state_ = State::kHandling;
  started_ = Clock::now();
  version_ = parser_->get().version() == 10 ? 10 : 11;
  std::optional<uint64_t> length;
  if (auto n = parser_->content_length()) length = *n;
  res_.reset();
  try {
    upload_plan_ = plan_blob_upload(shared_.ctx, target, query, length, res_);
  } catch (const std::exception& e) {
    write_error(res_, 500, ErrorCode::kInternal, std::string("internal error: ") + e.what());
    return refuse_answer();
  }
  if (!upload_plan_) return refuse_answer();
  auto writer = shared_.ctx.blobs->begin(upload_plan_->sha256, upload_plan_->size, upload_plan_->limit);
  if (!writer.ok()) {
    write_error(res_, blob_upload_status(writer.error().code), writer.error().code, writer.error().message);
    return refuse_answer();
  }
  upload_.emplace(std::move(writer).value());
  const bool wants_continue = [&] {
    auto expect = parser_->get()[http::field::expect];
    return iequals(std::string_view(expect.data(), expect.size()), "100-continue");
  }();
  // Same parser state (header read, body not started), another body type.
  upload_parser_.emplace(std::move(*parser_));
  upload_parser_->body_limit(upload_plan_->limit);
  chunk_.resize(kChunkBytes);
  state_ = State::kReading;
  if (upload_parser_->is_done()) return finish_upload();
  if (wants_continue) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->close();
                        self->read_upload_chunk();
                      });
    return;
  }
  read_upload_chunk();
}

void HttpSession::read_upload_chunk() {
  auto& body = upload_parser_->get().body();
  body.data = chunk_.data();
  body.size = chunk_.size();
  body.more = true;
  http::async_read(socket_, buffer_, *upload_parser_,
                   [self = shared_from_this()](error_code ec, size_t) { self->on_upload_chunk(ec); });
}

void HttpSession::on_upload_chunk(error_code ec) {
  if (ec == http::error::need_buffer) ec = {};
  if (closed_) return;
  if (ec) {
    upload_.reset();
    if (ec == asio::error::operation_aborted && timed_out_)
      return refuse(408, ErrorCode::kIo,
                    "upload stalled: no data for " + std::to_string(shared_.cfg.request_timeout_ms) +
                        " ms; nothing was stored");
    return close();  // the client went away (or sent a broken body): nothing is stored
  }
  const size_t got = chunk_.size() - upload_parser_->get().body().size;
  if (got > 0) {
    Status s = upload_->write(ByteView(chunk_.data(), got));
    if (!s.ok()) return refuse(blob_upload_status(s.error().code), s.error().code, s.error().message);
    set_deadline(std::chrono::milliseconds(shared_.cfg.request_timeout_ms));  // progress: idle limit
  }
  if (upload_parser_->is_done()) return finish_upload();
  read_upload_chunk();
}

void HttpSession::finish_upload() {
  state_ = State::kHandling;
  const uint64_t size = upload_->written();
  // A configuration's device subject goes on disk before the configuration,
  // so it is never served without the access check of its domain.
  Result<bool> created = Result<bool>(make_error(ErrorCode::kInternal, "not committed"));
  // Only verified content is tagged: a failed upload must not attach a
  // subject to someone else's configuration.
  Status verified = upload_->verify();  // fsync + hash and size check, or refused with nothing kept
  if (verified.ok() && !upload_plan_->subject.empty()) {
    verified = shared_.ctx.blobs->add_subject(upload_plan_->sha256, upload_plan_->subject);
  }
  if (verified.ok()) {
    created = upload_->commit();  // rename into place
  } else {
    upload_->abort();
    created = verified.error();
  }
  upload_.reset();
  res_.reset();
  if (created.ok()) {
    answer_blob_upload(*upload_plan_, size, *created, res_);
  } else {
    write_error(res_, blob_upload_status(created.error().code), created.error().code,
                created.error().message);
  }
  res_.route = node::Route::kBlob;
  bool keep_alive = upload_parser_->get().keep_alive() && !shared_.stopping.load(std::memory_order_relaxed);
  send(keep_alive, false);
}

void HttpSession::send(bool keep_alive, bool head_only) {
  std::string_view payload = res_.file ? std::string_view() : res_.payload();
  const uint64_t length = res_.file ? res_.file->size() : payload.size();
  head_.clear();
  head_ += "HTTP/1.1 ";
  append_uint(head_, static_cast<uint64_t>(res_.status));
  head_ += ' ';
  head_ += reason_phrase(res_.status);
  head_ += "\r\nContent-Type: ";
  head_ += res_.content_type;
  head_ += "\r\nContent-Length: ";
  append_uint(head_, length);
  if (!res_.allow.empty()) {
    head_ += "\r\nAllow: ";
    head_ += res_.allow;
  }
  if (!keep_alive) {
    head_ += "\r\nConnection: close";
  } else if (version_ == 10) {
    head_ += "\r\nConnection: keep-alive";
  }
  head_ += "\r\n";
  head_ += res_.extra_headers;
  head_ += "\r\n";
  state_ = State::kWriting;
  if (res_.file) {
    // A blob: the head, then the file in chunks (HEAD: the head only).
    file_sent_ = 0;
    asio::async_write(socket_, asio::buffer(head_),
                      [self = shared_from_this(), keep_alive, head_only](error_code ec, size_t) {
                        if (ec || head_only) return self->on_written(ec, keep_alive);
                        self->chunk_.resize(kChunkBytes);
                        self->write_file_chunk(keep_alive);
                      });
    return;
  }
  std::array<asio::const_buffer, 2> bufs = {asio::buffer(head_),
                                            asio::buffer(payload.data(), head_only ? 0 : payload.size())};
  asio::async_write(socket_, bufs, [self = shared_from_this(), keep_alive](error_code ec, size_t) {
    self->on_written(ec, keep_alive);
  });
}

void HttpSession::write_file_chunk(bool keep_alive) {
  const uint64_t left = res_.file->size() - file_sent_;
  if (left == 0) return on_written({}, keep_alive);
  auto n = res_.file->read(chunk_.data(), static_cast<size_t>(std::min<uint64_t>(chunk_.size(), left)));
  // The file shrank or cannot be read after its length went out: cut the
  // connection, so the client sees a short body rather than wrong bytes.
  if (!n.ok() || *n == 0) return close();
  file_sent_ += *n;
  asio::async_write(socket_, asio::buffer(chunk_.data(), *n),
                    [self = shared_from_this(), keep_alive](error_code ec, size_t) {
                      if (ec) return self->on_written(ec, keep_alive);
                      self->set_deadline(std::chrono::milliseconds(self->shared_.cfg.request_timeout_ms));
                      self->write_file_chunk(keep_alive);
                    });
}

void HttpSession::on_written(error_code ec, bool keep_alive) {
  auto elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  shared_.node.metrics().observe_request(res_.route, res_.status, elapsed);
  res_.file.reset();
  std::vector<uint8_t>().swap(chunk_);
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
