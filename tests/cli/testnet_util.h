// Helpers for integration tests of a multi-node network of real `trustmesh
// node` processes on 127.0.0.1: create a testnet (`trustmesh testnet init`)
// on free ports, start / signal nodes, read heights, block hashes and state
// roots over their APIs, stream transactions as load, and cut links with TCP
// proxies (when the testnet was made with proxies).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "process_util.h"

namespace trustmesh::testproc {

// A loopback TCP proxy: accepts on `listen` and forwards every connection to
// `target`. While blocked it closes its open connections and refuses (accepts
// and closes at once) new ones: a network partition on that link.
class TcpProxy {
 public:
  TcpProxy(uint16_t listen, uint16_t target);
  ~TcpProxy();
  bool ok() const { return listen_fd_ >= 0; }
  void set_blocked(bool blocked);

 private:
  void accept_loop();
  void pump(int a, int b);
  const uint16_t target_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> blocked_{false};
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

class Testnet {
 public:
  // `trustmesh testnet init` into a fresh temp dir on free ports.
  static std::unique_ptr<Testnet> create(const std::string& tag, size_t validators, size_t full_nodes,
                                         bool proxies, std::string* error);
  ~Testnet();  // kills every node, removes the directory

  size_t size() const { return desc_["nodes"].size(); }
  const nlohmann::json& desc() const { return desc_; }
  uint16_t api_port(size_t i) const { return desc_["nodes"][i]["api_port"].get<uint16_t>(); }
  std::string data_dir(size_t i) const { return desc_["nodes"][i]["data"].get<std::string>(); }
  bool running(size_t i) const { return procs_[i].has_value(); }

  bool start(size_t i, std::string* error = nullptr);
  bool start_all(std::string* error = nullptr);
  // Sends sig and waits; returns the wait status.
  int stop(size_t i, int sig);

  // Latest height of node i (nullopt if its API does not answer).
  std::optional<uint64_t> height(size_t i) const;
  // Waits until node i reaches `h`.
  bool wait_height(size_t i, uint64_t h, int timeout_ms) const;
  // Waits until every running node reaches `h`.
  bool wait_all(uint64_t h, int timeout_ms) const;
  // Minimum height over running nodes.
  uint64_t min_height() const;
  std::optional<std::string> block_hash(size_t i, uint64_t h) const;
  std::optional<std::string> state_root(size_t i, uint64_t h) const;
  // Every running node has the same block hash at every height 1..up_to and
  // the same state root at up_to; "" or a description of the first difference.
  std::string disagreement(uint64_t up_to) const;

  // Proxies (testnet made with proxies): block the links between the groups.
  void partition(const std::vector<std::vector<size_t>>& groups);
  void heal();

  // Load: a thread submitting send txs from the dev account to running nodes.
  void start_load();
  // Stops it; returns the hashes the API reported committed.
  std::vector<std::string> stop_load();

 private:
  Testnet() = default;
  std::string dir_;
  nlohmann::json desc_;
  std::vector<std::optional<NodeProcess>> procs_;  // changed under procs_mu_ (the load thread reads it)
  mutable std::mutex procs_mu_;
  std::vector<std::unique_ptr<TcpProxy>> proxies_;  // index = position in desc_["proxies"]
  std::atomic<bool> load_stop_{false};
  std::thread load_;
  std::mutex load_mu_;
  std::vector<std::string> load_committed_;
};

}  // namespace trustmesh::testproc
