// One HTTP/1.1 connection: reads requests with Beast's parser (header and
// body limits from ApiConfig), routes them, writes the answers, and keeps the
// connection open between requests (keep-alive, HTTP/1.0 "Connection:
// keep-alive" too) until the client asks to close, an error, or the timeout.
//
// Invariants: at most one read or write is in flight (requests on one
// connection are answered in order); the flat_buffer, response body and head
// buffers are reused for every request; all handlers of a session run on its
// executor (one thread, or a strand), so the session needs no locks.
// Timeout: each request must be read and answered within
// cfg.request_timeout_ms from the moment the server starts reading it (an
// idle keep-alive connection is closed after that long); a request cut off
// mid-way gets 408 before the close. Protocol errors answer 400/413/431 and
// close after draining what the client sent, so it can read the answer.
//
// Blobs (PUT/GET /v1/blobs/{sha256}) are the exception to "read the whole
// body, then answer": an upload's header is checked against the ledger first
// (plan_blob_upload), then its body streams through a buffer_body parser in
// 64 KiB chunks into a store::BlobWriter (never held in memory), and a
// download streams the file after the head. While a blob streams, the
// timeout is an idle limit: each chunk moved restarts cfg.request_timeout_ms.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "api/exchange.h"
#include "api/handlers.h"
#include "api/shared.h"

namespace trustmesh::api {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, Shared& shared);
  void start() { read_request(); }

 private:
  using Clock = std::chrono::steady_clock;
  enum class State : uint8_t { kReading, kHandling, kWriting, kClosing };

  void read_request();
  void on_header(boost::system::error_code ec);
  void read_body();
  void on_read_error(boost::system::error_code ec);
  void dispatch();
  void send(bool keep_alive, bool head_only);
  void on_written(boost::system::error_code ec, bool keep_alive);
  void refuse(int status, ErrorCode code, std::string_view message);
  void start_event_stream();
  void start_upload(std::string_view target, std::string_view query);
  void read_upload_chunk();
  void on_upload_chunk(boost::system::error_code ec);
  void finish_upload();
  void refuse_answer();  // sends res_ (an error) and closes, the body unread
  void write_file_chunk(bool keep_alive);

  void set_deadline(Clock::duration d);
  void on_timer(boost::system::error_code ec, uint64_t gen);
  void finish();  // graceful close: stop sending, drain the client briefly, close
  void drain();
  void close();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  Shared& shared_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Response res_;
  // A blob upload in progress: its parser (converted from parser_ after the
  // header), what the ledger allows, and the temp file being written.
  std::optional<boost::beast::http::request_parser<boost::beast::http::buffer_body>> upload_parser_;
  std::optional<BlobUpload> upload_plan_;
  std::optional<store::BlobWriter> upload_;
  std::vector<uint8_t> chunk_;  // blob transfer buffer (uploads and downloads)
  uint64_t file_sent_ = 0;
  std::string head_;
  Clock::time_point deadline_;
  Clock::time_point started_;
  State state_ = State::kReading;
  unsigned version_ = 11;
  uint64_t timer_gen_ = 0;
  bool timer_armed_ = false;
  bool timed_out_ = false;
  bool linger_ = false;  // refused: the client may still be sending
  bool closed_ = false;
};

}  // namespace trustmesh::api
