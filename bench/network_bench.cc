// Committed transactions per second, commit latency (p50 / p99) and block
// time of a network of 4 validators, each a real Node with its own RocksDB
// (fsync on), linked by the real p2p layer over TLS 1.3 on 127.0.0.1, all in
// this one process (so the 2 cores are shared exactly as 4 local processes
// would share them). Next to OpenSSL's raw P-256 verify rate in the same run.
//
//   BM_Network4Validators   20,000 send txs (10 each from 2,000 accounts),
//                           each account's txs submitted in order to one of
//                           the 4 nodes (round robin over accounts), timed
//                           until the last is committed on node 0.
//                           Counters: p50_ms / p99_ms commit latency (submit
//                           -> block stored on node 0; includes the queue a
//                           burst builds up), block_ms (mean time between
//                           blocks under load), blocks.
//   BM_Network4ValidatorsSteady  the same network offered a steady 1,000 tx/s
//                           for 10 s (below its capacity): commit latency
//                           p50 / p99 without a backlog, and block time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "core/hash.h"
#include "ledger/tx.h"
#include "node/node.h"
#include "raw_verify.h"
#include "store/block_store.h"

namespace {

using namespace trustmesh;
using Clock = std::chrono::steady_clock;

constexpr int kValidators = 4;
constexpr int kAccounts = 2000;
constexpr int kSeqsPerIteration = 10;

struct Cluster {
  std::string root;
  std::vector<KeyPair> keys;
  std::vector<std::unique_ptr<node::Node>> nodes;
  uint64_t next_seq = 0;

  Cluster() {
    root = (std::filesystem::temp_directory_path() / ("tm-net-bench-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(root);
    ledger::Genesis g;
    g.chain_id = "bench";
    for (int i = 0; i < kAccounts; ++i) {
      keys.push_back(KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("nw-" + std::to_string(i)))).value());
      g.accounts.push_back({Address::of(keys.back().public_key()), 1'000'000'000});
    }
    g.trustees = {g.accounts[0].address};
    std::vector<KeyPair> vkeys;
    for (int v = 0; v < kValidators; ++v) {
      vkeys.push_back(
          KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("nw-v" + std::to_string(v)))).value());
      g.validators.push_back({vkeys.back().public_key(), 1, "v" + std::to_string(v)});
    }
    std::sort(g.validators.begin(), g.validators.end(),
              [](const auto& a, const auto& b) { return Address::of(a.key) < Address::of(b.key); });
    for (int v = 0; v < kValidators; ++v) {
      std::string dir = root + "/v" + std::to_string(v);
      std::filesystem::create_directories(dir);
      std::ofstream(dir + "/genesis.json") << g.to_json();
      std::ofstream(dir + "/validator.pem") << vkeys[v].to_pem().value();
      node::NodeConfig c;
      c.data_dir = dir;
      c.block_interval_ms = 200;
      c.max_block_txs = 10000;
      c.mempool.max_txs = 100000;
      c.mempool.max_bytes = 256 << 20;
      c.sync = true;
      c.timeout_propose_ms = 2000;
      c.p2p.host = "127.0.0.1";
      if (!nodes.empty()) {
        c.p2p.seeds.push_back(nodes[0]->node_id()->to_string() +
                              "@127.0.0.1:" + std::to_string(nodes[0]->p2p_port()));
      }
      auto n = node::Node::open(c);
      if (!n.ok()) {
        std::fprintf(stderr, "open: %s\n", n.error().to_string().c_str());
        std::abort();
      }
      nodes.push_back(std::move(n).value());
      (void)nodes.back()->start();
    }
    nodes[0]->wait_for_height(3, 60000);
  }
  ~Cluster() {
    for (auto& n : nodes) n->stop();
    nodes.clear();
    std::filesystem::remove_all(root);
  }
};

Cluster& cluster() {
  static Cluster* c = new Cluster();  // one network for every benchmark
  return *c;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Follows node 0's blocks from `h` until `total` of the `submitted` txs are
// in; returns (latencies in ms, gaps between blocks in ms).
std::pair<std::vector<double>, std::vector<double>> follow(Cluster& c, uint64_t h, size_t total,
                                                           std::mutex& mu,
                                                           std::map<Hash32, Clock::time_point>& submitted) {
  std::vector<double> lat, gaps;
  size_t seen = 0;
  Clock::time_point last = Clock::now();
  while (seen < total) {
    auto view = c.nodes[0]->view();
    if (view->height() == h) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    auto now = Clock::now();
    for (++h; h <= view->height(); ++h) {
      auto block = consensus::Block::decode(store::read_block(*view, h).value()->block).value();
      std::lock_guard<std::mutex> lock(mu);
      for (const Bytes& tx : block.txs) {
        auto it = submitted.find(sha256(tx));
        if (it == submitted.end()) continue;
        lat.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
        ++seen;
      }
      gaps.push_back(std::chrono::duration<double, std::milli>(now - last).count());
      last = now;
    }
    h = view->height();
  }
  return {lat, gaps};
}

// p50_ms, p99_ms and block_ms (mean gap) counters.
void set_counters(benchmark::State& st, const std::vector<double>& lat, const std::vector<double>& gaps) {
  st.counters["p50_ms"] = percentile(lat, 0.50);
  st.counters["p99_ms"] = percentile(lat, 0.99);
  double sum = 0;
  for (double g : gaps) sum += g;
  st.counters["block_ms"] = gaps.empty() ? 0 : sum / static_cast<double>(gaps.size());
}

void BM_Network4Validators(benchmark::State& st) {
  Cluster* c = &cluster();
  Address sink = Address::of(c->keys[0].public_key());
  std::vector<double> latencies_ms;
  std::vector<double> block_gaps_ms;
  uint64_t blocks = 0;
  for (auto _ : st) {
    st.PauseTiming();
    // txs[a] = account a's txs for this iteration, in sequence order.
    std::vector<std::vector<Bytes>> txs(kAccounts);
    for (int a = 0; a < kAccounts; ++a) {
      for (int k = 0; k < kSeqsPerIteration; ++k) {
        txs[a].push_back(ledger::make_tx(c->keys[a], "bench", c->next_seq + k, 10, ledger::op::Send{sink, 1})
                             .value()
                             .encode());
      }
    }
    c->next_seq += kSeqsPerIteration;
    std::mutex mu;
    std::map<Hash32, Clock::time_point> submitted;
    const size_t total = static_cast<size_t>(kAccounts) * kSeqsPerIteration;
    uint64_t start_height = c->nodes[0]->view()->height();
    st.ResumeTiming();

    // One submitter per node; node v gets the accounts a with a % 4 == v.
    std::vector<std::thread> submitters;
    for (int v = 0; v < kValidators; ++v) {
      submitters.emplace_back([&, v] {
        for (int k = 0; k < kSeqsPerIteration; ++k) {
          for (int a = v; a < kAccounts; a += kValidators) {
            auto now = Clock::now();
            auto r = c->nodes[v]->submit_tx(txs[a][k]);
            if (!r.ok()) {
              std::fprintf(stderr, "submit failed: %s\n", r.error().to_string().c_str());
              std::abort();
            }
            std::lock_guard<std::mutex> lock(mu);
            submitted.emplace(*r, now);
          }
        }
      });
    }
    auto [lat, gaps] = follow(*c, start_height, total, mu, submitted);
    latencies_ms.insert(latencies_ms.end(), lat.begin(), lat.end());
    block_gaps_ms.insert(block_gaps_ms.end(), gaps.begin(), gaps.end());
    blocks += gaps.size();
    for (auto& t : submitters) t.join();
  }
  st.SetItemsProcessed(st.iterations() * kAccounts * kSeqsPerIteration);
  set_counters(st, latencies_ms, block_gaps_ms);
  st.counters["blocks"] = static_cast<double>(blocks);
}
void BM_Network4ValidatorsSteady(benchmark::State& st) {
  Cluster& c = cluster();
  constexpr int kRate = 1000, kSeconds = 10;
  Address sink = Address::of(c.keys[0].public_key());
  std::vector<double> lat_all, gaps_all;
  for (auto _ : st) {
    st.PauseTiming();
    // kRate * kSeconds txs: accounts in turn, each with its next sequence.
    std::vector<Bytes> txs;
    std::vector<int> node_of;
    for (int k = 0; k < kRate * kSeconds; ++k) {
      int a = k % kAccounts;
      uint64_t seq = c.next_seq + static_cast<uint64_t>(k / kAccounts);
      txs.push_back(ledger::make_tx(c.keys[a], "bench", seq, 10, ledger::op::Send{sink, 1}).value().encode());
      node_of.push_back(a % kValidators);
    }
    c.next_seq += (kRate * kSeconds + kAccounts - 1) / kAccounts;
    std::mutex mu;
    std::map<Hash32, Clock::time_point> submitted;
    uint64_t h0 = c.nodes[0]->view()->height();
    st.ResumeTiming();
    std::thread pacer([&] {
      auto start = Clock::now();
      for (size_t k = 0; k < txs.size(); ++k) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(k * 1000000 / kRate));
        auto now = Clock::now();
        auto r = c.nodes[node_of[k]]->submit_tx(txs[k]);
        if (!r.ok()) {
          std::fprintf(stderr, "submit failed: %s\n", r.error().to_string().c_str());
          std::abort();
        }
        std::lock_guard<std::mutex> lock(mu);
        submitted.emplace(*r, now);
      }
    });
    auto [lat, gaps] = follow(c, h0, txs.size(), mu, submitted);
    pacer.join();
    lat_all.insert(lat_all.end(), lat.begin(), lat.end());
    gaps_all.insert(gaps_all.end(), gaps.begin(), gaps.end());
  }
  st.SetItemsProcessed(st.iterations() * kRate * kSeconds);
  set_counters(st, lat_all, gaps_all);
}

BENCHMARK(BM_RawEcdsaP256Verify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Network4ValidatorsSteady)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_Network4Validators)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
