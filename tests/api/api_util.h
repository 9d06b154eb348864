// Test harness for the HTTP API: a REAL node::Node in a temp data directory
// (genesis.json with funded deterministic account keys and one validator whose
// key is validator.pem) behind a real ApiServer on an ephemeral port, and
// clients that speak real HTTP to it (cpp-httplib, and raw sockets for the
// protocol edge cases httplib cannot produce).
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/server.h"
#include "core/keys.h"
#include "ledger/genesis.h"
#include "ledger/tx.h"
#include "node/node.h"

namespace trustmesh::api::testing {

KeyPair account_key(int i);    // deterministic P-256 keys; accounts 0..n-1 are funded
KeyPair validator_key(int i);  // distinct from the account keys
Address account(int i);

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  std::string content_type;
  std::string allow;
  nlohmann::json json() const;  // discarded value if the body is not JSON
};

struct Options {
  uint64_t block_interval_ms = 50;
  bool start_node = true;  // false: the node is opened (genesis only) but makes no blocks
  node::ApiConfig api;     // port is forced to 0 (ephemeral)
  ApiServer::Tuning tuning;
  int accounts = 3;
  size_t mempool_max_txs = 20000;
};

class TestNode {
 public:
  explicit TestNode(Options opts = {});
  ~TestNode();
  TestNode(const TestNode&) = delete;
  TestNode& operator=(const TestNode&) = delete;

  node::Node& node() { return *node_; }
  ApiServer& server() { return *server_; }
  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const ledger::Genesis& genesis() const { return genesis_; }
  const std::string& chain_id() const { return genesis_.chain_id; }

  HttpAnswer get(const std::string& path,
                 const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpAnswer post(const std::string& path, const std::string& body, const std::string& content_type);
  HttpAnswer del(const std::string& path);

  // A signed tx from `account` with its next sequence number (read from the
  // API plus the txs this harness made that are not committed yet).
  ledger::Tx make_tx(int account, ledger::Operation op, uint64_t fee = 10);
  Bytes tx(int account, ledger::Operation op, uint64_t fee = 10) {
    return make_tx(account, std::move(op), fee).encode();
  }
  uint64_t api_seq(int account);

  // POSTs the tx as CBOR and waits until GET /v1/txs/{hash} says committed;
  // returns that answer (status "committed") or a null json on timeout.
  nlohmann::json submit_and_wait(const Bytes& tx, uint64_t timeout_ms = 10000);
  nlohmann::json wait_committed(const std::string& hash_hex, uint64_t timeout_ms = 10000);
  // Waits for `n` more blocks.
  void wait_blocks(uint64_t n);
  // Preorders and registers `name` for `account`; returns the register tx's committed status.
  nlohmann::json register_name(int account, const std::string& name, uint64_t validity,
                               std::optional<Bytes> cert_der = std::nullopt);

 private:
  std::string dir_;
  ledger::Genesis genesis_;
  std::unique_ptr<node::Node> node_;
  std::unique_ptr<ApiServer> server_;
  uint16_t port_ = 0;
  std::map<int, uint64_t> next_seq_;
};

// Raw TCP: sends `request`, then reads until the server closes the connection
// or `wait_ms` pass without data. Returns everything read.
std::string raw_exchange(uint16_t port, const std::string& request, int wait_ms = 2000,
                         int pause_after_send_ms = 0);

// Error body check: {code, error, message} with code matching error's name.
void expect_error(const HttpAnswer& a, int http_status, const std::string& error);

}  // namespace trustmesh::api::testing
