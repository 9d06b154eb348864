// Prometheus text rendering of the node's metrics (see metrics.h).
#include "node/metrics.h"

#include <cstdio>

namespace trustmesh::node {

namespace {
std::string fmt_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

void LatencyHistogram::observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void LatencyHistogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string le = i < kBounds.size() ? fmt_double(kBounds[i]) : "+Inf";
    out += name + "_bucket{" + labels + sep + "le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  std::string lbl = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + lbl + " " + fmt_double(static_cast<double>(sum_ns_.load()) / 1e9) + "\n";
  out += name + "_count" + lbl + " " + std::to_string(count_.load()) + "\n";
}

std::string_view route_name(Route r) {
  switch (r) {
    case Route::kStatus: return "status";
    case Route::kTxSubmit: return "tx_submit";
    case Route::kTxGet: return "tx_get";
    case Route::kBlock: return "block";
    case Route::kName: return "name";
    case Route::kNameStatus: return "name_status";
    case Route::kNameStatusProof: return "name_status_proof";
    case Route::kAccount: return "account";
    case Route::kEvents: return "events";
    case Route::kCompliance: return "compliance";
    case Route::kAdmission: return "admission";
    case Route::kBlob: return "blob";
    case Route::kOther: return "other";
    case Route::kCount: break;
  }
  return "other";
}

void Metrics::observe_request(Route r, int status, double seconds) {
  size_t i = static_cast<size_t>(r);
  requests_[i].observe(seconds);
  if (status >= 400) errors_[i].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out;
  auto gauge = [&out](const char* name, const char* help, const char* type, uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
           std::to_string(v) + "\n";
  };
  gauge("trustmesh_height", "Height of the latest committed block.", "gauge", height.load());
  gauge("trustmesh_txs_committed_total", "Transactions committed in blocks (ok or failed).", "counter",
        txs_committed.load());
  gauge("trustmesh_txs_failed_total", "Committed transactions whose operation failed.", "counter",
        txs_failed.load());
  gauge("trustmesh_mempool_txs", "Transactions waiting in the mempool.", "gauge", mempool_txs.load());
  gauge("trustmesh_mempool_bytes", "Bytes of transactions waiting in the mempool.", "gauge",
        mempool_bytes.load());
  gauge("trustmesh_mempool_rejected_total", "Transactions the mempool refused.", "counter",
        mempool_rejected.load());
  gauge("trustmesh_sse_clients", "Open block event streams.", "gauge", sse_clients.load());
  gauge("trustmesh_peers", "Connected p2p peers.", "gauge", peers.load());
  gauge("trustmesh_evidence_submitted_total", "Evidence txs this node submitted.", "counter",
        evidence_submitted.load());
  out += "# HELP trustmesh_block_commit_seconds Time to execute and store a block.\n";
  out += "# TYPE trustmesh_block_commit_seconds histogram\n";
  block_commit_seconds.render(out, "trustmesh_block_commit_seconds", "");
  out += "# HELP trustmesh_http_request_seconds HTTP request latency by route.\n";
  out += "# TYPE trustmesh_http_request_seconds histogram\n";
  for (size_t i = 0; i < requests_.size(); ++i) {
    requests_[i].render(out, "trustmesh_http_request_seconds",
                        "route=\"" + std::string(route_name(static_cast<Route>(i))) + "\"");
  }
  out += "# HELP trustmesh_http_errors_total HTTP answers with status >= 400 by route.\n";
  out += "# TYPE trustmesh_http_errors_total counter\n";
  for (size_t i = 0; i < errors_.size(); ++i) {
    out += "trustmesh_http_errors_total{route=\"" + std::string(route_name(static_cast<Route>(i))) + "\"} " +
           std::to_string(errors_[i].load()) + "\n";
  }
  return out;
}

}  // namespace trustmesh::node
