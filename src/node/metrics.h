// Node metrics in the Prometheus text exposition format (served at /metrics).
//
// Everything is lock-free to update (atomics), so request handlers and the
// consensus thread record without waiting on each other. Histograms use fixed
// bucket bounds in seconds.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace trustmesh::node {

class LatencyHistogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                     0.005,   0.01,   0.025,   0.1,    0.5,   2.5};
  void observe(double seconds);
  // Appends "<name>_bucket{<labels>,le=...}" lines, _sum and _count.
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_ns_{0};
};

// The API's routes, for per-route request metrics.
enum class Route : uint8_t {
  kStatus,
  kTxSubmit,
  kTxGet,
  kBlock,
  kName,
  kNameStatus,
  kNameStatusProof,
  kAccount,
  kEvents,
  kCompliance,
  kAdmission,
  kBlob,
  kOther,
  kCount
};
std::string_view route_name(Route r);

class Metrics {
 public:
  std::atomic<uint64_t> height{0};
  std::atomic<uint64_t> txs_committed{0};
  std::atomic<uint64_t> txs_failed{0};
  std::atomic<uint64_t> mempool_txs{0};
  std::atomic<uint64_t> mempool_bytes{0};
  std::atomic<uint64_t> mempool_rejected{0};
  std::atomic<uint64_t> sse_clients{0};
  std::atomic<uint64_t> peers{0};
  std::atomic<uint64_t> evidence_submitted{0};
  LatencyHistogram block_commit_seconds;

  void observe_request(Route r, int status, double seconds);
  std::string render() const;

 private:
  std::array<LatencyHistogram, static_cast<size_t>(Route::kCount)> requests_;
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Route::kCount)> errors_{};
};

}  // namespace trustmesh::node
