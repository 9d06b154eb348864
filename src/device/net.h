// Blocking TCP for the DM <-> device channel and IoTAKE: listen, accept,
// connect (IPv4, e.g. 127.0.0.1) and length-prefixed frames.
//
// Frame: 4-byte big-endian length, then that many bytes. A frame longer than
// the reader's limit is refused before anything is allocated.
//
// Invariants: every socket has send and receive timeouts (io_timeout_ms), so
// no call blocks forever on a silent peer; a Socket owns its descriptor.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.h"

namespace trustmesh::device {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept;
  Socket(const Socket&) = delete;
  ~Socket();
  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void close();

 private:
  int fd_ = -1;
};

struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};
Result<Endpoint> parse_endpoint(std::string_view s);  // "host:port"

Result<Socket> tcp_listen(const Endpoint& at);  // port 0 = any free port
Result<uint16_t> local_port(const Socket& s);
Result<Socket> tcp_accept(const Socket& listener, uint64_t io_timeout_ms);
Result<Socket> tcp_connect(const Endpoint& to, uint64_t io_timeout_ms);

Status write_frame(const Socket& s, ByteView data);
Result<Bytes> read_frame(const Socket& s, size_t max);

}  // namespace trustmesh::device
