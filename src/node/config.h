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
//   request_timeout_ms = 10000           # also the idle limit while a blob streams
//   max_blob_bytes = 268435456           # largest upload to /v1/blobs (firmware images)
//   public_hosts = ["node.example.com:8080"]  # Host values signed requests are taken for;
//                                        # [] = the listen address (core/request_auth.h)
//   [consensus]
//   block_interval_ms = 1000
//   max_block_bytes = 4194304
//   max_block_txs = 5000
//   timeout_propose_ms = 3000            # round r waits base + r * delta
//   timeout_propose_delta_ms = 500
//   timeout_prevote_ms = 1000
//   timeout_prevote_delta_ms = 500
//   timeout_precommit_ms = 1000
//   timeout_precommit_delta_ms = 500
//   gossip_interval_ms = 250             # re-send of votes, status to peers
//   [p2p]                                # absent or listen = "": no peers (one validator)
//   listen = "127.0.0.1:26656"
//   external = ""                        # address advertised to peers; "" = listen
//   seeds = ["tm1...@127.0.0.1:26657"]    # "host:port" or "<node id>@host:port"
//   max_peers = 32
//   pex = true                           # learn peers' addresses from peers
//   node_key = "node_key.pem"            # p2p identity; created on first start
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
#include <vector>

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
  // OCSP responder (pki/ocsp_responder.h): "CERT.pem:KEY.pem" delegated
  // signers; none = /v1/ocsp answers 404. Responses hold for ocsp_validity_s.
  std::vector<std::string> ocsp_signers;
  uint64_t ocsp_validity_s = 300;
  // The off-chain content store (store/blob_store.h, /v1/blobs): the largest
  // upload taken, and its directory ("" = <data dir>/blobs; not in node.toml).
  uint64_t max_blob_bytes = uint64_t{256} << 20;
  std::string blob_dir;
  // The names ("host[:port]", port 80 if absent) clients use to reach this
  // API: a signed request is taken only if its Host header is one of them.
  // Empty: the listen address (auth::AuthorityPolicy), which for a wildcard
  // address (0.0.0.0, ::) means any host at the listening port.
  std::vector<std::string> public_hosts;
};

struct P2pConfig {
  std::string host;  // empty: p2p off (a lone validator)
  uint16_t port = 0;
  std::string external;
  std::vector<std::string> seeds;
  size_t max_peers = 32;
  bool pex = true;
  std::string node_key = "node_key.pem";
  bool enabled() const { return !host.empty(); }
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
  // Consensus timeouts (consensus::TimeoutConfig) and the gossip period.
  uint64_t timeout_propose_ms = 3000;
  uint64_t timeout_propose_delta_ms = 500;
  uint64_t timeout_prevote_ms = 1000;
  uint64_t timeout_prevote_delta_ms = 500;
  uint64_t timeout_precommit_ms = 1000;
  uint64_t timeout_precommit_delta_ms = 500;
  uint64_t gossip_interval_ms = 250;
  P2pConfig p2p;

  // Parses TOML text; data_dir is where relative paths point.
  static Result<NodeConfig> from_toml(std::string_view text, const std::string& data_dir);
  // Reads <data_dir>/node.toml if it exists, else the defaults.
  static Result<NodeConfig> load(const std::string& data_dir);
  std::string to_toml() const;

  std::string path(const std::string& relative) const;  // joined with data_dir unless absolute
  std::string state_dir() const { return path("state"); }
};

}  // namespace trustmesh::node
