// Node configuration: a TOML file (node.toml in the data directory), with
// every field optional and defaulted. Paths are relative to the data directory.
//
//   genesis = "genesis.json"
//   validator_key = "validator.pem"     # absent file = follow only, never sign
//   [api]
//   listen = "127.0.0.1:8080"
//   threads = 2
//   max_body_bytes = 1048576
//   max_header_bytes = 16384
//   request_timeout_ms = 10000
//   [consensus]
//   block_interval_ms = 1000
//   max_block_bytes = 4194304
//   max_block_txs = 5000
//   [mempool]
//   max_txs = 20000
//   max_bytes = 33554432
//   [storage]
//   sync = true                          # fsync every block (crash safety)
//
// Invariants of a parsed config: unknown tables or keys are errors (a typo must
// not silently fall back to a default); numbers are within the bounds below.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "node/mempool.h"

namespace trustmesh::node {

struct ApiConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  unsigned threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  uint64_t request_timeout_ms = 10000;
};

struct NodeConfig {
  std::string data_dir;
  std::string genesis = "genesis.json";
  std::string validator_key = "validator.pem";
  ApiConfig api;
  uint64_t block_interval_ms = 1000;
  size_t max_block_bytes = 4 << 20;
  size_t max_block_txs = 5000;
  MempoolConfig mempool;
  bool sync = true;

  // Parses TOML text; data_dir is where relative paths point.
  static Result<NodeConfig> from_toml(std::string_view text, const std::string& data_dir);
  // Reads <data_dir>/node.toml if it exists, else the defaults.
  static Result<NodeConfig> load(const std::string& data_dir);
  std::string to_toml() const;

  std::string path(const std::string& relative) const;  // joined with data_dir unless absolute
  std::string state_dir() const { return path("state"); }
};

}  // namespace trustmesh::node
