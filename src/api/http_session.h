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
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "api/exchange.h"
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
