// ApiServer (server.h): binding, accept loops, I/O threads and shutdown.
// Exceptions stop here: Asio calls use error_code overloads, and an
// exception escaping a handler is logged and the thread's run loop resumes.
#include "api/server.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdio>
#include <thread>
#include <vector>

#include "api/http_session.h"
#include "api/shared.h"
#include "node/node.h"
#include "pki/ocsp_responder.h"

namespace trustmesh::api {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Accepts connections on one acceptor and starts a session for each.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::acceptor acceptor, Shared& shared, bool strand_per_connection)
      : ioc_(ioc),
        acceptor_(std::move(acceptor)),
        retry_(ioc),
        shared_(shared),
        strands_(strand_per_connection) {}

  void accept() {
    asio::any_io_executor ex = strands_ ? asio::any_io_executor(asio::make_strand(ioc_))
                                        : asio::any_io_executor(ioc_.get_executor());
    acceptor_.async_accept(ex, [self = shared_from_this()](error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

 private:
  void on_accept(error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: back off briefly instead of spinning.
      retry_.expires_after(std::chrono::milliseconds(50));
      retry_.async_wait([self = shared_from_this()](error_code) { self->accept(); });
      return;
    }
    // TCP_NODELAY is set on the acceptor; Linux copies it to accepted sockets.
    std::make_shared<HttpSession>(std::move(socket), shared_)->start();
    accept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  Shared& shared_;
  const bool strands_;
};

Result<tcp::endpoint> resolve(const node::ApiConfig& cfg) {
  error_code ec;
  auto addr = asio::ip::make_address(cfg.host, ec);
  if (!ec) return tcp::endpoint(addr, cfg.port);
  asio::io_context tmp;
  tcp::resolver resolver(tmp);
  auto results = resolver.resolve(cfg.host, std::to_string(cfg.port), ec);
  if (ec || results.empty()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "api host '" + cfg.host + "' is neither an IP address nor a resolvable name: " + ec.message());
  }
  return results.begin()->endpoint();
}

Result<tcp::acceptor> open_acceptor(asio::io_context& ioc, const tcp::endpoint& ep, bool reuse_port) {
  tcp::acceptor acc(ioc);
  error_code ec;
  auto fail = [&](const char* what) {
    return make_error(ErrorCode::kIo, std::string("cannot ") + what + " the API socket on " +
                                          ep.address().to_string() + ":" + std::to_string(ep.port()) + ": " +
                                          ec.message());
  };
  if (acc.open(ep.protocol(), ec); ec) return fail("open");
  if (acc.set_option(asio::socket_base::reuse_address(true), ec); ec) return fail("configure");
  // Accepted sockets inherit TCP_NODELAY (answers are one write; never wait for Nagle).
  if (acc.set_option(tcp::no_delay(true), ec); ec) return fail("configure (TCP_NODELAY)");
  if (reuse_port) {
    if (acc.set_option(ReusePort(true), ec); ec) return fail("configure (SO_REUSEPORT)");
  }
  if (acc.bind(ep, ec); ec) return fail("bind");
  if (acc.listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen on");
  return acc;
}

void run_loop(asio::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "api: handler raised an exception: %s\n", e.what());
    }
  }
}

}  // namespace

struct ApiServer::Impl {
  Impl(node::Node& node, const node::ApiConfig& cfg, const Tuning& t,
       std::unique_ptr<const pki::OcspResponder> ocsp, std::optional<store::BlobStore> blobs)
      : shared(node, cfg, t.sse_keepalive_ms, std::move(ocsp), std::move(blobs)) {}

  Shared shared;
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool stopped = false;
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiServer::~ApiServer() {
  stop();
}

Result<std::unique_ptr<ApiServer>> ApiServer::start(node::Node& node, const node::ApiConfig& cfg) {
  return start(node, cfg, Tuning{});
}

Result<std::unique_ptr<ApiServer>> ApiServer::start(node::Node& node, const node::ApiConfig& cfg,
                                                    const Tuning& tuning) {
  TM_ASSIGN_OR_RETURN(tcp::endpoint ep, resolve(cfg));
  // Checked before binding (a bad --public-host is a configuration error);
  // made again below once an ephemeral port is known.
  TM_ASSIGN_OR_RETURN(auth::AuthorityPolicy authorities,
                      auth::AuthorityPolicy::make(cfg.public_hosts, cfg.host, cfg.port));
  const unsigned threads = std::max(1u, cfg.threads);
  std::unique_ptr<const pki::OcspResponder> ocsp;
  if (!cfg.ocsp_signers.empty()) {
    TM_ASSIGN_OR_RETURN(ocsp, pki::OcspResponder::load(cfg.ocsp_signers));
  }
  // The off-chain content store (/v1/blobs): <data dir>/blobs unless configured.
  TM_ASSIGN_OR_RETURN(
      store::BlobStore blobs,
      store::BlobStore::open(cfg.blob_dir.empty() ? node.config().path("blobs") : cfg.blob_dir));
  auto impl = std::make_unique<Impl>(node, cfg, tuning, std::move(ocsp), std::move(blobs));
  // One io_context (and acceptor) per thread, or one shared by all threads.
  const size_t contexts = tuning.reuse_port ? threads : 1;
  std::vector<std::shared_ptr<Listener>> listeners;
  for (size_t i = 0; i < contexts; ++i) {
    impl->iocs.push_back(
        std::make_unique<asio::io_context>(tuning.reuse_port ? 1 : static_cast<int>(threads)));
    TM_ASSIGN_OR_RETURN(tcp::acceptor acc, open_acceptor(*impl->iocs.back(), ep, tuning.reuse_port));
    if (i == 0) {
      error_code ec;
      ep.port(acc.local_endpoint(ec).port());  // the others bind the port the first one got
      if (ec) return make_error(ErrorCode::kIo, "cannot read the API socket's port: " + ec.message());
      impl->port = ep.port();
      TM_ASSIGN_OR_RETURN(authorities, auth::AuthorityPolicy::make(cfg.public_hosts, cfg.host, impl->port));
      impl->shared.authorities = std::move(authorities);
    }
    listeners.push_back(
        std::make_shared<Listener>(*impl->iocs.back(), std::move(acc), impl->shared, !tuning.reuse_port));
  }
  for (auto& l : listeners) l->accept();
  for (unsigned t = 0; t < threads; ++t) {
    asio::io_context& ioc = *impl->iocs[t % contexts];
    impl->threads.emplace_back([&ioc] { run_loop(ioc); });
  }
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

uint16_t ApiServer::port() const {
  return impl_->port;
}

void ApiServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->shared.stopping = true;
  // First end every block subscription, so the consensus thread posts nothing
  // into the io_contexts from here on; then stop and join the I/O threads.
  impl_->shared.hub.close();
  for (auto& ioc : impl_->iocs) ioc->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  // Destroying the io_contexts destroys the pending handlers and with them
  // every session, listener and socket (connections and event streams close).
  impl_->iocs.clear();
}

}  // namespace trustmesh::api
