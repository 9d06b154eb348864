// How an edge server keeps its replica current: it pulls proof bundles from
// ledger nodes (POST /v1/proofs, the domain's keys in chunks) and exchanges
// them with peer edge servers (GET and POST /v1/edge/bundle), so a gateway
// that reaches no ledger node still learns of a revocation from a
// maintenance server that visits it.
//
// Invariants: nothing received is trusted: everything goes through
// Replica::ingest, which verifies it against the anchor and keeps only what
// is newer. A failing source is reported and skipped, never fatal; the
// replica keeps serving what it holds. The background loop (Syncer) runs on
// its own thread and stops promptly.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "edge/replica.h"

namespace trustmesh::edge {

// The most an answer from a node or a peer may hold (the size a pushed
// bundle may have too); a larger one is refused unread.
inline constexpr size_t kMaxSyncAnswerBytes = size_t{64} << 20;

// Pulls the whole domain from one ledger node (base URL, e.g.
// http://127.0.0.1:8080), `chunk` keys per request (at most 1000).
Result<IngestResult> pull_from_node(Replica& r, const std::string& node_url, size_t chunk = 1000);

// The height after which a replica needs entries (what a peer sends it):
// 0 while it lacks some key of its domain, else its oldest entry's height.
uint64_t needs_since(const ReplicaStats& s);
// The same from an edge server's GET /v1/edge report at `url`
// (kMalformed if the text is not one).
Result<uint64_t> needs_since(std::string_view report, const std::string& url);

struct Exchange {
  IngestResult pulled;
  size_t pushed = 0;  // entries sent to the peer
  IngestResult peer_took;
};
// Pulls what the peer edge server holds that is newer, then pushes it what
// it lacks (by its own report of its oldest entry).
Result<Exchange> exchange_with_peer(Replica& r, const std::string& peer_url);

// A maintenance visit with no replica of one's own: what edge server `to`
// lacks (by its report) is copied from edge server `from`, page by page;
// `to` verifies every page.
struct Relay {
  size_t pages = 0;
  size_t bytes = 0;
  IngestResult took;  // what `to` made of it
};
Result<Relay> relay(const std::string& from, const std::string& to);

struct SyncOptions {
  std::vector<std::string> nodes;  // ledger nodes, tried in order until one answers
  std::vector<std::string> peers;  // peer edge servers, each exchanged with every round
  std::chrono::milliseconds interval{1000};
};

// Server times (seconds since the epoch) of the last successes, and errors.
struct SyncReport {
  uint64_t rounds = 0;
  std::string node;         // the ledger node of the last successful pull
  uint64_t node_ok_at = 0;  // 0 = never
  std::string node_error;   // last pull failure ("" after a success)
  std::map<std::string, uint64_t> peer_ok_at;
  std::map<std::string, std::string> peer_error;
};
nlohmann::ordered_json sync_report_json(const SyncReport& s);

class Syncer {
 public:
  Syncer(Replica& r, SyncOptions opts);
  ~Syncer();  // stops
  Syncer(const Syncer&) = delete;
  Syncer& operator=(const Syncer&) = delete;

  SyncReport report() const;
  void stop();

 private:
  void run(std::stop_token st);
  void round();

  Replica& replica_;
  SyncOptions opts_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  SyncReport report_;  // guarded by mu_
  std::jthread thread_;
};

}  // namespace trustmesh::edge
