// GET /v1/events/blocks: a server-sent event stream, one "block" event per
// committed block, taken over from an HttpSession once the request is read.
//
// Threads: the block callback runs on the node's consensus thread. It only
// formats the event and posts it to this session's executor (holding a
// weak_ptr), so it never touches the socket, never blocks on a slow client
// and never keeps a closed session alive. Everything else runs on the
// session's executor.
//
// Invariants: the stream starts with the response head and the comment
// ": ok"; an idle stream gets a ": keepalive" comment every
// Shared::sse_keepalive_ms; at most kMaxQueued messages wait for the client,
// beyond that it is too slow and is disconnected; on disconnect (or server
// stop) the subscription is removed and metrics.sse_clients decremented
// exactly once.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "api/shared.h"

namespace trustmesh::api {

// The text of one event: "event: block\ndata: {...}\n\n".
std::string format_block_event(const node::BlockEvent& ev);

class SseSession : public std::enable_shared_from_this<SseSession> {
 public:
  static constexpr size_t kMaxQueued = 256;

  SseSession(boost::asio::ip::tcp::socket socket, Shared& shared);
  ~SseSession();
  void start();

 private:
  void push(std::string message);
  void write_next();
  void arm_keepalive();
  void watch_client();
  void close();
  void release();  // unsubscribe + metrics, once

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer keepalive_;
  Shared& shared_;
  std::deque<std::string> queue_;  // queue_.front() is being written while writing_
  std::optional<uint64_t> subscription_;
  std::array<char, 256> scratch_{};  // what the client sends is read and dropped
  bool writing_ = false;
  bool closed_ = false;
  bool counted_ = false;
};

}  // namespace trustmesh::api
