// Testnet and TcpProxy (see testnet_util.h).
#include "testnet_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "core/keys.h"
#include "ledger/tx.h"

namespace trustmesh::testproc {

namespace {

using Clock = std::chrono::steady_clock;

int listen_on(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool port_free(uint16_t port) {
  int fd = listen_on(port);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

// A base port such that [base, base + span) are all free right now.
uint16_t free_range(uint16_t span) {
  std::mt19937 rng(static_cast<unsigned>(::getpid()) * 7919u +
                   static_cast<unsigned>(Clock::now().time_since_epoch().count()));
  for (int attempt = 0; attempt < 200; ++attempt) {
    uint16_t base = static_cast<uint16_t>(20000 + rng() % 30000);
    bool ok = true;
    for (uint16_t p = 0; p < span && ok; ++p) ok = port_free(static_cast<uint16_t>(base + p));
    if (ok) return base;
  }
  return 0;
}

}  // namespace

// --- TcpProxy ---

TcpProxy::TcpProxy(uint16_t listen, uint16_t target) : target_(target) {
  listen_fd_ = listen_on(listen);
  if (listen_fd_ >= 0) acceptor_ = std::thread([this] { accept_loop(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  set_blocked(true);
  for (std::thread& t : threads_) t.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void TcpProxy::set_blocked(bool blocked) {
  blocked_ = blocked;
  if (!blocked) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
}

void TcpProxy::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (blocked_) {
      ::close(client);
      continue;
    }
    int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(target_);
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(upstream);
      ::close(client);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.push_back(client);
    open_fds_.push_back(upstream);
    threads_.emplace_back([this, client, upstream] { pump(client, upstream); });
  }
}

void TcpProxy::pump(int a, int b) {
  char buf[1 << 16];
  pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  while (!stop_) {
    if (::poll(fds, 2, 100) <= 0) continue;
    bool done = false;
    for (int k = 0; k < 2 && !done; ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
      if (n <= 0) {
        done = true;
        break;
      }
      ssize_t off = 0;
      while (off < n) {
        // send with MSG_NOSIGNAL: a peer that closed must end this relay, not
        // kill the test process with SIGPIPE.
        ssize_t w = ::send(fds[1 - k].fd, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
        if (w <= 0) {
          done = true;
          break;
        }
        off += w;
      }
    }
    if (done) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : {a, b}) {
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  }
}

// --- Testnet ---

std::unique_ptr<Testnet> Testnet::create(const std::string& tag, size_t validators, size_t full_nodes,
                                         bool proxies, std::string* error) {
  std::unique_ptr<Testnet> t(new Testnet());
  t->dir_ = temp_path(tag);
  const size_t n = validators + full_nodes;
  uint16_t base = free_range(static_cast<uint16_t>(2 * n));
  uint16_t proxy_base = proxies ? free_range(static_cast<uint16_t>(10 * n)) : 0;
  if (base == 0 || (proxies && proxy_base == 0)) {
    if (error) *error = "no free port range";
    return nullptr;
  }
  std::string args = "testnet init --json --dir " + t->dir_ + " --validators " + std::to_string(validators) +
                     " --full-nodes " + std::to_string(full_nodes) + " --base-port " + std::to_string(base) +
                     " --block-interval-ms 200";
  if (proxies) args += " --proxy-base-port " + std::to_string(proxy_base);
  Exec init = run(args);
  if (init.status != 0) {
    if (error) *error = init.out;
    return nullptr;
  }
  t->desc_ = nlohmann::json::parse(read_all(t->dir_ + "/testnet.json"));
  t->procs_.resize(t->size());
  for (const auto& p : t->desc_["proxies"]) {
    t->proxies_.push_back(
        std::make_unique<TcpProxy>(p["listen"].get<uint16_t>(), p["target"].get<uint16_t>()));
  }
  return t;
}

Testnet::~Testnet() {
  if (load_.joinable()) stop_load();
  for (auto& p : procs_) {
    if (p) p->signal_and_wait(SIGKILL);
  }
  proxies_.clear();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool Testnet::start(size_t i, std::string* error) {
  if (procs_[i]) return true;
  for (int attempt = 0; attempt < 3; ++attempt) {  // a restart right after a stop may race a port
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
    auto p = NodeProcess::start(data_dir(i), error);
    if (!p) continue;
    std::lock_guard<std::mutex> lock(procs_mu_);
    procs_[i].emplace(std::move(*p));
    return true;
  }
  return false;
}

bool Testnet::start_all(std::string* error) {
  for (size_t i = 0; i < size(); ++i) {
    if (!start(i, error)) return false;
  }
  return true;
}

int Testnet::stop(size_t i, int sig) {
  std::lock_guard<std::mutex> lock(procs_mu_);
  if (!procs_[i]) return -1;
  int st = procs_[i]->signal_and_wait(sig);
  procs_[i].reset();
  return st;
}

std::optional<uint64_t> Testnet::height(size_t i) const {
  if (!procs_[i]) return std::nullopt;
  auto r = http_get(api_port(i), "/v1/status");
  if (r.status != 200) return std::nullopt;
  auto j = r.json();
  if (!j.contains("height")) return std::nullopt;
  return j["height"].get<uint64_t>();
}

bool Testnet::wait_height(size_t i, uint64_t h, int timeout_ms) const {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    auto cur = height(i);
    if (cur && *cur >= h) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool Testnet::wait_all(uint64_t h, int timeout_ms) const {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (size_t i = 0; i < size(); ++i) {
    if (!procs_[i]) continue;
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (!wait_height(i, h, std::max(left, 1))) return false;
  }
  return true;
}

uint64_t Testnet::min_height() const {
  uint64_t m = UINT64_MAX;
  for (size_t i = 0; i < size(); ++i) {
    if (!procs_[i]) continue;
    m = std::min(m, height(i).value_or(0));
  }
  return m == UINT64_MAX ? 0 : m;
}

std::optional<std::string> Testnet::block_hash(size_t i, uint64_t h) const {
  auto r = http_get(api_port(i), "/v1/blocks/" + std::to_string(h));
  if (r.status != 200) return std::nullopt;
  return r.json()["hash"].get<std::string>();
}

std::optional<std::string> Testnet::state_root(size_t i, uint64_t h) const {
  auto r = http_get(api_port(i), "/v1/blocks/" + std::to_string(h));
  if (r.status != 200) return std::nullopt;
  return r.json()["header"]["state_root"].get<std::string>();
}

std::string Testnet::disagreement(uint64_t up_to) const {
  std::optional<size_t> ref;
  for (size_t i = 0; i < size(); ++i) {
    if (procs_[i]) {
      ref = i;
      break;
    }
  }
  if (!ref) return "no node running";
  for (uint64_t h = 1; h <= up_to; ++h) {
    auto want = block_hash(*ref, h);
    if (!want) return "node" + std::to_string(*ref) + " has no block " + std::to_string(h);
    for (size_t i = 0; i < size(); ++i) {
      if (!procs_[i] || i == *ref) continue;
      auto got = block_hash(i, h);
      if (got != want) {
        return "block " + std::to_string(h) + ": node" + std::to_string(*ref) + " has " + *want + ", node" +
               std::to_string(i) + " has " + got.value_or("nothing");
      }
    }
  }
  auto root = state_root(*ref, up_to);
  for (size_t i = 0; i < size(); ++i) {
    if (procs_[i] && state_root(i, up_to) != root) return "state roots differ at " + std::to_string(up_to);
  }
  return "";
}

void Testnet::partition(const std::vector<std::vector<size_t>>& groups) {
  auto group_of = [&](size_t node) -> int {
    for (size_t g = 0; g < groups.size(); ++g) {
      if (std::find(groups[g].begin(), groups[g].end(), node) != groups[g].end()) return static_cast<int>(g);
    }
    return -1;
  };
  for (size_t k = 0; k < proxies_.size(); ++k) {
    size_t from = desc_["proxies"][k]["from"].get<size_t>();
    size_t to = desc_["proxies"][k]["to"].get<size_t>();
    proxies_[k]->set_blocked(group_of(from) != group_of(to));
  }
}

void Testnet::heal() {
  for (auto& p : proxies_) p->set_blocked(false);
}

void Testnet::start_load() {
  load_stop_ = false;
  load_ = std::thread([this] {
    KeyPair dev = KeyPair::from_pem(read_all(desc_["keyring"].get<std::string>() + "/dev.pem")).value();
    std::string chain = desc_["chain_id"];
    std::string dev_addr = Address::of(dev.public_key()).to_string();
    Address sink = Address::of(KeyPair::generate().value().public_key());
    std::mt19937 rng(7);
    std::vector<std::string> pending;
    while (!load_stop_) {
      std::vector<size_t> up;
      {
        std::lock_guard<std::mutex> lock(procs_mu_);
        for (size_t i = 0; i < size(); ++i) {
          if (procs_[i]) up.push_back(i);
        }
      }
      if (up.empty()) break;
      uint16_t port = api_port(up[rng() % up.size()]);
      auto acct = http_get(port, "/v1/accounts/" + dev_addr).json();
      if (!acct.is_object() || !acct.contains("seq")) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      uint64_t seq = acct["seq"].get<uint64_t>();
      for (uint64_t k = 0; k < 20; ++k) {
        auto tx = ledger::make_tx(dev, chain, seq + k, 10, ledger::op::Send{sink, 1}).value();
        Bytes enc = tx.encode();
        auto r = http_post(port, "/v1/txs", std::string(enc.begin(), enc.end()), "application/cbor");
        if (r.status == 202 || r.status == 200) pending.push_back(to_hex(tx.hash()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      for (auto it = pending.begin(); it != pending.end();) {
        auto j = http_get(port, "/v1/txs/" + *it).json();
        if (j.is_object() && j.value("status", "") == "committed") {
          std::lock_guard<std::mutex> lock(load_mu_);
          load_committed_.push_back(*it);
          it = pending.erase(it);
        } else {
          ++it;
        }
      }
      if (pending.size() > 200) pending.clear();  // lost to a crash before commit: fine
    }
  });
}

std::vector<std::string> Testnet::stop_load() {
  load_stop_ = true;
  if (load_.joinable()) load_.join();
  std::lock_guard<std::mutex> lock(load_mu_);
  return load_committed_;
}

}  // namespace trustmesh::testproc
