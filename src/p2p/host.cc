// The p2p host (see host.h): Boost.Asio with OpenSSL streams on one io thread.
#include "p2p/host.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/cbor.h"
#include "p2p/tls.h"

namespace trustmesh::p2p {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kVersion = 1;
constexpr size_t kHeaderBytes = 5;
constexpr size_t kMaxPexAddresses = 64;
constexpr size_t kMaxBook = 1024;
constexpr auto kPexEvery = std::chrono::seconds(5);
constexpr auto kHelloTimeout = std::chrono::seconds(10);

// A token bucket: `rate` per second, burst of one second's worth.
struct Bucket {
  double rate = 0;
  double tokens = 0;
  Clock::time_point last = Clock::now();
  explicit Bucket(double r = 0) : rate(r), tokens(r) {}
  bool take(double n) {
    auto now = Clock::now();
    tokens = std::min(rate, tokens + rate * std::chrono::duration<double>(now - last).count());
    last = now;
    if (tokens < n) return false;
    tokens -= n;
    return true;
  }
};

// "id@host:port" or "host:port" -> (id, host, port).
struct Endpoint {
  std::optional<NodeId> id;
  std::string host;
  uint16_t port = 0;
  std::string addr() const { return host + ":" + std::to_string(port); }
};

std::optional<Endpoint> parse_endpoint(const std::string& s) {
  Endpoint e;
  std::string rest = s;
  if (size_t at = s.find('@'); at != std::string::npos) {
    auto id = Address::parse(s.substr(0, at));
    if (!id.ok()) return std::nullopt;
    e.id = *id;
    rest = s.substr(at + 1);
  }
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  try {
    int port = std::stoi(rest.substr(colon + 1));
    if (port <= 0 || port > 65535) return std::nullopt;
    e.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  e.host = rest.substr(0, colon);
  return e;
}

void log_line(const std::string& s) {
  std::fprintf(stderr, "p2p: %s\n", s.c_str());
}

}  // namespace

struct Peer;

struct Host::Impl : std::enable_shared_from_this<Host::Impl> {
  HostConfig cfg;
  MessageHandler on_message;
  PeerHandler on_peer;
  NodeId self;
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls};
  tcp::acceptor acceptor{io};
  asio::steady_timer dial_timer{io};
  std::thread thread;
  uint16_t bound_port = 0;
  std::string listen_addr;
  Clock::time_point last_pex = Clock::now();

  // io thread only.
  std::map<NodeId, std::shared_ptr<Peer>> peers;      // linked (hello done)
  std::set<std::shared_ptr<Peer>> pending;            // TLS or hello in progress
  std::map<std::string, std::optional<NodeId>> book;  // dialable addresses
  std::set<std::string> dialing;
  std::map<NodeId, Clock::time_point> bans;

  // Snapshot for peers() / peer_count() from other threads.
  mutable std::mutex info_mu;
  std::vector<PeerInfo> info;
  std::atomic<bool> stopped{false};

  void accept();
  void dial_tick();
  void dial(const std::string& addr, std::optional<NodeId> expect);
  void on_handshake(const std::shared_ptr<Peer>& p);
  void on_hello(const std::shared_ptr<Peer>& p, const cbor::Value& v);
  void on_p2p_message(const std::shared_ptr<Peer>& p, ByteView payload);
  // Takes `p` by value: callers may pass the map entry this erases.
  void close(std::shared_ptr<Peer> p, const std::string& reason);
  void publish_info();
  void send_pex_request();
  bool banned(const NodeId& id) {
    auto it = bans.find(id);
    if (it == bans.end()) return false;
    if (it->second < Clock::now()) {
      bans.erase(it);
      return false;
    }
    return true;
  }
};

struct Peer : std::enable_shared_from_this<Peer> {
  Host::Impl& host;
  asio::ssl::stream<tcp::socket> stream;
  bool outbound;
  std::string remote;
  std::string dialed;  // address dialed (outbound)
  std::optional<NodeId> expect;
  NodeId id;
  bool linked = false;  // hello received and registered
  bool closed = false;
  std::string listen;
  std::array<uint8_t, kHeaderBytes> header{};
  Bytes body;
  std::deque<Bytes> outq;
  size_t out_bytes = 0;
  bool writing = false;
  Bucket msgs, bytes;
  uint64_t sent = 0, received = 0;
  asio::steady_timer hello_timer;

  Peer(Host::Impl& h, tcp::socket s, bool out)
      : host(h),
        stream(std::move(s), h.ssl),
        outbound(out),
        msgs(h.cfg.max_messages_per_s),
        bytes(h.cfg.max_bytes_per_s),
        hello_timer(h.io) {}

  void send_frame(uint8_t channel, ByteView payload) {
    if (closed) return;
    Bytes frame(kHeaderBytes + payload.size());
    uint32_t len = static_cast<uint32_t>(payload.size());
    frame[0] = static_cast<uint8_t>(len >> 24);
    frame[1] = static_cast<uint8_t>(len >> 16);
    frame[2] = static_cast<uint8_t>(len >> 8);
    frame[3] = static_cast<uint8_t>(len);
    frame[4] = channel;
    std::copy(payload.begin(), payload.end(), frame.begin() + kHeaderBytes);
    out_bytes += frame.size();
    if (out_bytes > host.cfg.max_send_queue_bytes) {
      host.close(shared_from_this(), "send queue over " + std::to_string(host.cfg.max_send_queue_bytes) +
                                         " bytes: peer too slow");
      return;
    }
    outq.push_back(std::move(frame));
    write_next();
  }

  void write_next() {
    if (writing || outq.empty() || closed) return;
    writing = true;
    auto self = shared_from_this();
    asio::async_write(stream, asio::buffer(outq.front()), [self](boost::system::error_code ec, size_t n) {
      self->writing = false;
      if (ec) return self->host.close(self, "write: " + ec.message());
      self->sent += n;
      self->out_bytes -= self->outq.front().size();
      self->outq.pop_front();
      self->write_next();
    });
  }

  void read_header() {
    auto self = shared_from_this();
    asio::async_read(stream, asio::buffer(header), [self](boost::system::error_code ec, size_t) {
      if (ec)
        return self->host.close(self, ec == asio::error::eof ? "closed by peer" : "read: " + ec.message());
      uint32_t len = uint32_t{self->header[0]} << 24 | uint32_t{self->header[1]} << 16 |
                     uint32_t{self->header[2]} << 8 | self->header[3];
      if (len > self->host.cfg.max_message_bytes)
        return self->host.close(self, "frame of " + std::to_string(len) + " bytes over the limit");
      if (!self->msgs.take(1) || !self->bytes.take(len + kHeaderBytes)) {
        self->host.bans[self->id] = Clock::now() + std::chrono::seconds(10);
        return self->host.close(self, "rate limit exceeded");
      }
      self->body.resize(len);
      asio::async_read(self->stream, asio::buffer(self->body), [self](boost::system::error_code ec2, size_t) {
        if (ec2) return self->host.close(self, "read: " + ec2.message());
        self->received += self->body.size() + kHeaderBytes;
        const uint8_t channel = self->header[4];
        if (channel == kChannelP2p) {
          self->host.on_p2p_message(self, self->body);
        } else if (!self->linked) {
          return self->host.close(self, "message before hello");
        } else if (self->host.on_message) {
          self->host.on_message(self->id, channel, std::move(self->body));
        }
        if (!self->closed) self->read_header();
      });
    });
  }
};

void Host::Impl::publish_info() {
  std::vector<PeerInfo> out;
  for (const auto& [id, p] : peers) {
    out.push_back(PeerInfo{id, p->remote, p->listen, p->outbound, p->sent, p->received});
  }
  std::lock_guard<std::mutex> lock(info_mu);
  info = std::move(out);
}

void Host::Impl::close(std::shared_ptr<Peer> p, const std::string& reason) {
  if (p->closed) return;
  p->closed = true;
  p->hello_timer.cancel();
  boost::system::error_code ec;
  p->stream.lowest_layer().shutdown(tcp::socket::shutdown_both, ec);
  p->stream.lowest_layer().close(ec);
  pending.erase(p);
  if (!p->dialed.empty()) dialing.erase(p->dialed);
  if (p->linked) {
    auto it = peers.find(p->id);
    if (it != peers.end() && it->second == p) {
      peers.erase(it);
      publish_info();
      log_line("disconnected " + p->id.to_string() + " (" + reason + ")");
      if (on_peer) on_peer(p->id, false);
    }
  } else if (!stopped) {
    log_line("link to " + p->remote + " failed: " + reason);
  }
}

void Host::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
    if (self->stopped) return;
    if (!ec) {
      if (self->peers.size() + self->pending.size() >= self->cfg.max_peers * 2) {
        boost::system::error_code ignore;
        s.close(ignore);
      } else {
        auto p = std::make_shared<Peer>(*self, std::move(s), false);
        boost::system::error_code ep_ec;
        auto ep = p->stream.lowest_layer().remote_endpoint(ep_ec);
        p->remote = ep_ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
        self->pending.insert(p);
        p->hello_timer.expires_after(kHelloTimeout);
        p->hello_timer.async_wait([self, p](boost::system::error_code tec) {
          if (!tec && !p->linked) self->close(p, "no hello in time");
        });
        p->stream.async_handshake(asio::ssl::stream_base::server, [self, p](boost::system::error_code hec) {
          if (hec) return self->close(p, "TLS handshake: " + hec.message());
          self->on_handshake(p);
        });
      }
    }
    self->accept();
  });
}

void Host::Impl::dial(const std::string& addr, std::optional<NodeId> expect) {
  auto ep = parse_endpoint(addr);
  if (!ep) return;
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(ep->host, ec);
  if (ec) return;
  dialing.insert(addr);
  auto p = std::make_shared<Peer>(*this, tcp::socket(io), true);
  p->dialed = addr;
  p->remote = addr;
  p->expect = expect;
  pending.insert(p);
  p->hello_timer.expires_after(kHelloTimeout);
  auto self = shared_from_this();
  p->hello_timer.async_wait([self, p](boost::system::error_code tec) {
    if (!tec && !p->linked) self->close(p, "no hello in time");
  });
  p->stream.lowest_layer().async_connect(
      tcp::endpoint(ip, ep->port), [self, p](boost::system::error_code cec) {
        if (cec) return self->close(p, "connect: " + cec.message());
        boost::system::error_code nd;
        p->stream.lowest_layer().set_option(tcp::no_delay(true), nd);
        p->stream.async_handshake(asio::ssl::stream_base::client, [self, p](boost::system::error_code hec) {
          if (hec) return self->close(p, "TLS handshake: " + hec.message());
          self->on_handshake(p);
        });
      });
}

void Host::Impl::on_handshake(const std::shared_ptr<Peer>& p) {
  if (p->closed) return;
  auto id = peer_id(p->stream.native_handle());
  if (!id.ok()) return close(p, id.error().message);
  p->id = *id;
  if (p->id == self) {
    if (!p->dialed.empty()) book.erase(p->dialed);  // our own address
    return close(p, "connected to itself");
  }
  if (p->expect && *p->expect != p->id)
    return close(p, "expected node " + p->expect->to_string() + ", found " + p->id.to_string());
  if (banned(p->id)) return close(p, "banned");
  cbor::Value hello = cbor::Value::map({{cbor::Value::text("chain"), cbor::Value::text(cfg.chain_id)},
                                        {cbor::Value::text("version"), cbor::Value::uint(kVersion)},
                                        {cbor::Value::text("listen"), cbor::Value::text(listen_addr)}});
  Bytes enc = cbor::encode(cbor::Value::array({cbor::Value::text("hello"), std::move(hello)}));
  p->send_frame(kChannelP2p, enc);
  p->read_header();
}

void Host::Impl::on_hello(const std::shared_ptr<Peer>& p, const cbor::Value& v) {
  auto r = cbor::MapReader::of(v, "hello");
  if (!r.ok()) return close(p, "bad hello");
  auto chain = r->get_text("chain");
  auto version = r->get_uint("version");
  auto listen = r->get_text("listen");
  if (!chain.ok() || !version.ok() || !listen.ok()) return close(p, "bad hello");
  if (*chain != cfg.chain_id)
    return close(p, "peer is on chain '" + *chain + "', we are on '" + cfg.chain_id + "'");
  if (*version != kVersion) return close(p, "peer speaks protocol version " + std::to_string(*version));
  p->listen = *listen;
  auto existing = peers.find(p->id);
  if (existing != peers.end()) {
    // Two links to one peer: keep the one whose dialer has the smaller id.
    const NodeId& new_dialer = p->outbound ? self : p->id;
    const NodeId& old_dialer = existing->second->outbound ? self : p->id;
    if (new_dialer < old_dialer) {
      auto old = existing->second;
      old->linked = false;  // replaced silently: the peer stays connected
      peers.erase(existing);
      close(old, "replaced by a new link");
    } else {
      return close(p, "already linked");
    }
  } else if (peers.size() >= cfg.max_peers) {
    return close(p, "too many peers");
  }
  p->linked = true;
  p->hello_timer.cancel();
  pending.erase(p);
  if (!p->dialed.empty()) dialing.erase(p->dialed);
  peers[p->id] = p;
  if (cfg.pex && parse_endpoint(p->listen) && book.size() < kMaxBook) book[p->listen] = p->id;
  publish_info();
  log_line("connected " + p->id.to_string() + " (" + (p->outbound ? "out " : "in ") + p->remote + ")");
  if (on_peer) on_peer(p->id, true);
}

void Host::Impl::on_p2p_message(const std::shared_ptr<Peer>& p, ByteView payload) {
  auto v = cbor::decode(payload);
  if (!v.ok() || !v->is_array() || v->array_items().size() != 2 || !v->array_items()[0].is_text())
    return close(p, "bad p2p message");
  const std::string kind = *v->array_items()[0].as_text();
  const cbor::Value& body = v->array_items()[1];
  if (kind == "hello") {
    if (p->linked) return close(p, "second hello");
    return on_hello(p, body);
  }
  if (!p->linked) return close(p, "message before hello");
  if (kind == "pex?") {
    cbor::Array addrs;
    for (const auto& [id, other] : peers) {
      if (id == p->id || !parse_endpoint(other->listen) || addrs.size() >= kMaxPexAddresses) continue;
      addrs.push_back(cbor::Value::text(id.to_string() + "@" + other->listen));
    }
    p->send_frame(kChannelP2p,
                  cbor::encode(cbor::Value::array({cbor::Value::text("pex"), cbor::Value::array(addrs)})));
    return;
  }
  if (kind == "pex") {
    if (!body.is_array() || body.array_items().size() > kMaxPexAddresses) return close(p, "bad peer list");
    if (!cfg.pex) return;
    for (const cbor::Value& a : body.array_items()) {
      auto text = a.as_text();
      if (!text.ok()) return close(p, "bad peer list");
      auto ep = parse_endpoint(*text);
      if (!ep || !ep->id || *ep->id == self || book.size() >= kMaxBook) continue;
      book.emplace(ep->addr(), ep->id);
    }
    return;
  }
  close(p, "unknown p2p message '" + kind + "'");
}

void Host::Impl::send_pex_request() {
  Bytes req = cbor::encode(cbor::Value::array({cbor::Value::text("pex?"), cbor::Value::null()}));
  for (auto& [id, p] : peers) p->send_frame(kChannelP2p, req);
}

void Host::Impl::dial_tick() {
  if (stopped) return;
  if (peers.size() < cfg.max_peers) {
    std::set<NodeId> linked;
    for (const auto& [id, p] : peers) linked.insert(id);
    for (const std::string& seed : cfg.seeds) {
      auto ep = parse_endpoint(seed);
      if (!ep) continue;
      if (ep->id && (linked.count(*ep->id) || banned(*ep->id))) continue;
      if (dialing.count(ep->addr())) continue;
      bool known_linked = false;
      for (const auto& [id, p] : peers) known_linked |= p->listen == ep->addr() || p->dialed == ep->addr();
      if (!known_linked) dial(ep->addr(), ep->id);
    }
    for (const auto& [addr, id] : book) {
      if (peers.size() + dialing.size() >= cfg.max_peers) break;
      if (addr == listen_addr || dialing.count(addr)) continue;
      if (id && (linked.count(*id) || banned(*id))) continue;
      dial(addr, id);
    }
  }
  if (cfg.pex && Clock::now() - last_pex > kPexEvery) {
    last_pex = Clock::now();
    send_pex_request();
  }
  dial_timer.expires_after(std::chrono::milliseconds(cfg.dial_interval_ms));
  dial_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->dial_tick();
  });
}

Result<std::unique_ptr<Host>> Host::start(HostConfig config, MessageHandler on_message, PeerHandler on_peer) {
  auto impl = std::make_shared<Impl>();
  impl->cfg = std::move(config);
  impl->on_message = std::move(on_message);
  impl->on_peer = std::move(on_peer);
  impl->self = Address::of(impl->cfg.node_key.public_key());
  TM_TRY(configure_tls(impl->ssl.native_handle(), impl->cfg.node_key));
  for (const std::string& s : impl->cfg.seeds) {
    if (!parse_endpoint(s))
      return make_error(ErrorCode::kInvalidArgument,
                        "p2p seed '" + s + "' is not host:port or <node id>@host:port");
  }
  try {
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(impl->cfg.listen_host, ec);
    if (ec)
      return make_error(ErrorCode::kInvalidArgument,
                        "p2p listen host '" + impl->cfg.listen_host + "' is not an IP address");
    tcp::endpoint ep(ip, impl->cfg.listen_port);
    impl->acceptor.open(ep.protocol());
    impl->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl->acceptor.bind(ep);
    impl->acceptor.listen();
    impl->bound_port = impl->acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    return make_error(ErrorCode::kIo, "p2p cannot listen on " + impl->cfg.listen_host + ":" +
                                          std::to_string(impl->cfg.listen_port) + ": " + e.what());
  }
  impl->listen_addr = impl->cfg.external_address.empty()
                          ? impl->cfg.listen_host + ":" + std::to_string(impl->bound_port)
                          : impl->cfg.external_address;
  impl->accept();
  asio::post(impl->io, [impl] { impl->dial_tick(); });
  impl->thread = std::thread([impl] {
    for (;;) {
      try {
        impl->io.run();
        return;
      } catch (const std::exception& e) {
        log_line(std::string("io error: ") + e.what());  // keep the host running
      }
    }
  });
  return std::unique_ptr<Host>(new Host(std::move(impl)));
}

Host::~Host() {
  stop();
}

void Host::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [impl = impl_] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    impl->dial_timer.cancel();
    auto linked = impl->peers;
    for (auto& [id, p] : linked) impl->close(p, "stopping");
    auto pending = impl->pending;
    for (auto& p : pending) impl->close(p, "stopping");
    impl->io.stop();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
  // The closed sockets and cancelled timers left their handlers ready; run
  // them (they see operation_aborted and stop) so that the references they
  // hold on the host and its peers are dropped: otherwise the io_context,
  // owned by the host, would keep its own owner alive.
  impl_->io.restart();
  impl_->io.poll();
  impl_->peers.clear();
  impl_->pending.clear();
  {
    std::lock_guard<std::mutex> lock(impl_->info_mu);
    impl_->info.clear();
  }
}

uint16_t Host::port() const {
  return impl_->bound_port;
}

const NodeId& Host::id() const {
  return impl_->self;
}

void Host::broadcast(uint8_t channel, Bytes payload, const std::optional<NodeId>& except) {
  if (impl_->stopped) return;
  asio::post(impl_->io, [impl = impl_, channel, payload = std::move(payload), except] {
    for (auto& [id, p] : impl->peers) {
      if (except && id == *except) continue;
      p->send_frame(channel, payload);
    }
  });
}

bool Host::send(const NodeId& to, uint8_t channel, Bytes payload) {
  if (impl_->stopped) return false;
  {
    std::lock_guard<std::mutex> lock(impl_->info_mu);
    bool linked = false;
    for (const PeerInfo& p : impl_->info) linked |= p.id == to;
    if (!linked) return false;
  }
  asio::post(impl_->io, [impl = impl_, to, channel, payload = std::move(payload)] {
    auto it = impl->peers.find(to);
    if (it != impl->peers.end()) it->second->send_frame(channel, payload);
  });
  return true;
}

void Host::punish(const NodeId& peer, std::string_view reason, uint64_t ban_ms) {
  if (impl_->stopped) return;
  asio::post(impl_->io, [impl = impl_, peer, reason = std::string(reason), ban_ms] {
    impl->bans[peer] = Clock::now() + std::chrono::milliseconds(ban_ms);
    auto it = impl->peers.find(peer);
    if (it != impl->peers.end()) impl->close(it->second, "punished: " + reason);
  });
}

std::vector<PeerInfo> Host::peers() const {
  std::lock_guard<std::mutex> lock(impl_->info_mu);
  return impl_->info;
}

size_t Host::peer_count() const {
  std::lock_guard<std::mutex> lock(impl_->info_mu);
  return impl_->info.size();
}

}  // namespace trustmesh::p2p
