// Blocking TCP and frames (net.h).
#include "device/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace trustmesh::device {

namespace {

Error sys_error(const std::string& what) {
  return make_error(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

Result<sockaddr_in> address(const Endpoint& e) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(e.port);
  std::string host = e.host == "localhost" ? "127.0.0.1" : e.host;
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    return make_error(ErrorCode::kInvalidArgument, "'" + e.host + "' is not an IPv4 address");
  }
  return a;
}

void set_timeouts(int fd, uint64_t ms) {
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Status write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return sys_error("send");
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status read_all(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return make_error(ErrorCode::kIo, "connection closed by the peer");
    if (r < 0) return sys_error(errno == EAGAIN ? "recv timed out" : "recv");
    p += r;
    n -= static_cast<size_t>(r);
  }
  return Status::Ok();
}

}  // namespace

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Socket::~Socket() {
  close();
}

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<Endpoint> parse_endpoint(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) {
    return make_error(ErrorCode::kInvalidArgument, "'" + std::string(s) + "' is not host:port");
  }
  uint64_t port = 0;
  for (char c : s.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535)
      return make_error(ErrorCode::kInvalidArgument, "bad port in '" + std::string(s) + "'");
    port = port * 10 + static_cast<uint64_t>(c - '0');
  }
  if (port > 65535) return make_error(ErrorCode::kInvalidArgument, "bad port in '" + std::string(s) + "'");
  return Endpoint{std::string(s.substr(0, colon)), static_cast<uint16_t>(port)};
}

Result<Socket> tcp_listen(const Endpoint& at) {
  TM_ASSIGN_OR_RETURN(sockaddr_in a, address(at));
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return sys_error("socket");
  int one = 1;
  setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    return sys_error("bind " + at.to_string());
  if (::listen(s.fd(), 64) != 0) return sys_error("listen");
  return s;
}

Result<uint16_t> local_port(const Socket& s) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (getsockname(s.fd(), reinterpret_cast<sockaddr*>(&a), &len) != 0) return sys_error("getsockname");
  return ntohs(a.sin_port);
}

Result<Socket> tcp_accept(const Socket& listener, uint64_t io_timeout_ms) {
  for (;;) {
    int fd = ::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0 && errno == EINTR) continue;
    if (fd < 0) return sys_error("accept");
    set_timeouts(fd, io_timeout_ms);
    return Socket(fd);
  }
}

Result<Socket> tcp_connect(const Endpoint& to, uint64_t io_timeout_ms) {
  TM_ASSIGN_OR_RETURN(sockaddr_in a, address(to));
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return sys_error("socket");
  set_timeouts(s.fd(), io_timeout_ms);
  if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return sys_error("connect to " + to.to_string());
  }
  return s;
}

Status write_frame(const Socket& s, ByteView data) {
  if (data.size() > UINT32_MAX) return make_error(ErrorCode::kTooLarge, "frame too large");
  uint8_t len[4] = {static_cast<uint8_t>(data.size() >> 24), static_cast<uint8_t>(data.size() >> 16),
                    static_cast<uint8_t>(data.size() >> 8), static_cast<uint8_t>(data.size())};
  TM_TRY(write_all(s.fd(), len, 4));
  return write_all(s.fd(), data.data(), data.size());
}

Result<Bytes> read_frame(const Socket& s, size_t max) {
  uint8_t len[4];
  TM_TRY(read_all(s.fd(), len, 4));
  size_t n = (size_t{len[0]} << 24) | (size_t{len[1]} << 16) | (size_t{len[2]} << 8) | len[3];
  if (n > max) {
    return make_error(ErrorCode::kTooLarge,
                      "frame of " + std::to_string(n) + " bytes; the limit is " + std::to_string(max));
  }
  Bytes out(n);
  TM_TRY(read_all(s.fd(), out.data(), n));
  return out;
}

}  // namespace trustmesh::device
