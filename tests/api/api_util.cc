// API test harness (api_util.h).
#include "api_util.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/hash.h"
#include "ledger/executor.h"

namespace trustmesh::api::testing {

namespace {

KeyPair seeded(const std::string& label) {
  Hash32 seed = sha256(as_bytes(label));
  return KeyPair::from_seed(KeyAlg::kP256, ByteView(seed)).value();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

HttpAnswer from(const httplib::Result& r) {
  HttpAnswer a;
  if (!r) return a;
  a.status = r->status;
  a.body = r->body;
  a.content_type = r->get_header_value("Content-Type");
  a.allow = r->get_header_value("Allow");
  return a;
}

std::unique_ptr<httplib::Client> client(uint16_t port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(5);
  c->set_read_timeout(20);
  c->set_write_timeout(20);
  return c;
}

}  // namespace

KeyPair account_key(int i) {
  return seeded("api-test-account-" + std::to_string(i));
}
KeyPair validator_key(int i) {
  return seeded("api-test-validator-" + std::to_string(i));
}
Address account(int i) {
  return Address::of(account_key(i).public_key());
}

nlohmann::json HttpAnswer::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

TestNode::TestNode(Options opts) {
  static std::atomic<int> counter{0};
  dir_ = (std::filesystem::path(::testing::TempDir()) /
          ("tm-api-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
             .string();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  genesis_.chain_id = "trustmesh-test";
  genesis_.genesis_time = 1767225600;
  for (int i = 0; i < opts.accounts; ++i) genesis_.accounts.push_back({account(i), 1'000'000'000});
  genesis_.trustees.push_back(account(0));
  genesis_.validators.push_back({validator_key(0).public_key(), 1, "v0"});
  genesis_.params.min_validity_blocks = 5;
  genesis_.params.preorder_min_blocks = 1;
  genesis_.params.preorder_max_blocks = 50;
  write_file(dir_ + "/genesis.json", genesis_.to_json());
  write_file(dir_ + "/validator.pem", validator_key(0).to_pem().value());

  node::NodeConfig c;
  c.data_dir = dir_;
  c.block_interval_ms = opts.block_interval_ms;
  c.sync = false;
  c.mempool.max_txs = opts.mempool_max_txs;
  c.api = opts.api;
  c.api.port = 0;
  auto n = node::Node::open(c);
  if (!n.ok()) {
    ADD_FAILURE() << "node open: " << n.error().to_string();
    return;
  }
  node_ = std::move(*n);
  auto s = ApiServer::start(*node_, c.api, opts.tuning);
  if (!s.ok()) {
    ADD_FAILURE() << "api start: " << s.error().to_string();
    return;
  }
  server_ = std::move(*s);
  port_ = server_->port();
  if (opts.start_node) {
    Status st = node_->start();
    if (!st.ok()) ADD_FAILURE() << "node start: " << st.error().to_string();
  }
}

TestNode::~TestNode() {
  if (server_) server_->stop();
  if (node_) node_->stop();
  server_.reset();
  node_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

HttpAnswer TestNode::get(const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
  httplib::Headers h;
  for (const auto& [k, v] : headers) h.emplace(k, v);
  return from(client(port_)->Get(path.c_str(), h));
}

HttpAnswer TestNode::post(const std::string& path, const std::string& body, const std::string& content_type) {
  return from(client(port_)->Post(path.c_str(), body, content_type.c_str()));
}

HttpAnswer TestNode::del(const std::string& path) {
  return from(client(port_)->Delete(path.c_str()));
}

uint64_t TestNode::api_seq(int acct) {
  auto j = get("/v1/accounts/" + account(acct).to_string()).json();
  EXPECT_TRUE(j.is_object() && j.contains("seq")) << j.dump();
  return j.value("seq", uint64_t{0});
}

ledger::Tx TestNode::make_tx(int acct, ledger::Operation op, uint64_t fee) {
  uint64_t seq = std::max(api_seq(acct), next_seq_[acct]);
  next_seq_[acct] = seq + 1;
  return ledger::make_tx(account_key(acct), chain_id(), seq, fee, std::move(op)).value();
}

nlohmann::json TestNode::wait_committed(const std::string& hash_hex, uint64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto a = get("/v1/txs/" + hash_hex);
    if (a.status == 200) {
      auto j = a.json();
      if (j.value("status", "") == "committed") return j;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "tx " << hash_hex << " not committed within " << timeout_ms << " ms";
  return nullptr;
}

nlohmann::json TestNode::submit_and_wait(const Bytes& tx, uint64_t timeout_ms) {
  auto a = post("/v1/txs", std::string(tx.begin(), tx.end()), "application/cbor");
  EXPECT_TRUE(a.status == 202 || a.status == 200) << a.status << " " << a.body;
  return wait_committed(to_hex(sha256(tx)), timeout_ms);
}

void TestNode::wait_blocks(uint64_t n) {
  uint64_t target = node_->view()->height() + n;
  EXPECT_TRUE(node_->wait_for_height(target, 10000)) << "height " << target << " not reached";
}

nlohmann::json TestNode::register_name(int acct, const std::string& name, uint64_t validity,
                                       std::optional<Bytes> cert_der) {
  Bytes salt(ledger::kSaltSize, 0x5a);
  auto pre =
      submit_and_wait(tx(acct, ledger::op::NamePreorder{ledger::name_commitment(name, salt, account(acct))}));
  EXPECT_EQ(pre.value("outcome", ""), "ok") << pre.dump();
  ledger::NameValue value;
  Bytes cert = cert_der.value_or(to_bytes(as_bytes("certificate of " + name)));
  value.cert_hash = sha256(cert);
  value.cert_der = cert;
  value.config_hash = sha256(as_bytes("config of " + name));
  auto reg = submit_and_wait(tx(acct, ledger::op::NameRegister{name, salt, value, validity}, 10));
  EXPECT_EQ(reg.value("outcome", ""), "ok") << reg.dump();
  return reg;
}

std::string raw_exchange(uint16_t port, const std::string& request, int wait_ms, int pause_after_send_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  size_t off = 0;
  while (off < request.size()) {
    ssize_t n = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  if (pause_after_send_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_after_send_ms));
  std::string out;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, wait_ms);
    if (r <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

void expect_error(const HttpAnswer& a, int http_status, const std::string& error) {
  EXPECT_EQ(a.status, http_status) << a.body;
  EXPECT_EQ(a.content_type, "application/json") << a.body;
  auto j = a.json();
  ASSERT_TRUE(j.is_object()) << "error body is not a JSON object: " << a.body;
  ASSERT_TRUE(j.contains("code") && j["code"].is_number_unsigned()) << a.body;
  ASSERT_TRUE(j.contains("error") && j["error"].is_string()) << a.body;
  ASSERT_TRUE(j.contains("message") && j["message"].is_string()) << a.body;
  EXPECT_EQ(j["error"], error) << a.body;
  EXPECT_EQ(std::string(error_code_name(static_cast<ErrorCode>(j["code"].get<uint64_t>()))), error) << a.body;
  EXPECT_FALSE(j["message"].get<std::string>().empty()) << a.body;
}

}  // namespace trustmesh::api::testing
