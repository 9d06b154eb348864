// Committed transactions per second through a real single-validator node
// (mempool admission with signature check, block building, execution,
// consensus with N = 1, one synced RocksDB write per block), next to
// OpenSSL's raw ECDSA P-256 verify rate on one core in the same run.
//
//   BM_RawEcdsaP256Verify   EVP_DigestVerify, pre-parsed key (one core)
//   BM_NodeCommittedTxs     10,000 send txs (5 each from 2,000 accounts)
//                           submitted from 2 threads (as the API's threads
//                           do), timed until the last one is in a committed
//                           block; 100 ms blocks, fsync on. Submission and
//                           block execution overlap, as on a busy node.
//
// Every tx costs two signature checks (admission and execution), so with two
// cores the ceiling is about the one-core raw verify rate.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/hash.h"
#include "ledger/tx.h"
#include "node/node.h"
#include "raw_verify.h"

namespace {

using namespace trustmesh;

constexpr int kAccounts = 2000;
constexpr int kSeqsPerIteration = 5;

struct NodeFixture {
  std::string dir;
  std::vector<KeyPair> keys;
  std::unique_ptr<node::Node> node;
  uint64_t next_seq = 0;

  NodeFixture() {
    dir = (std::filesystem::temp_directory_path() / ("tm-node-bench-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ledger::Genesis g;
    g.chain_id = "bench";
    for (int i = 0; i < kAccounts; ++i) {
      keys.push_back(KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("nb-" + std::to_string(i)))).value());
      g.accounts.push_back({Address::of(keys.back().public_key()), 1'000'000'000});
    }
    g.trustees = {g.accounts[0].address};
    KeyPair validator = KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("nb-validator"))).value();
    g.validators.push_back({validator.public_key(), 1, "v0"});
    std::ofstream(dir + "/genesis.json") << g.to_json();
    std::ofstream(dir + "/validator.pem") << validator.to_pem().value();
    node::NodeConfig c;
    c.data_dir = dir;
    c.block_interval_ms = 100;
    c.max_block_txs = 10000;
    c.mempool.max_txs = 50000;
    c.sync = true;
    node = node::Node::open(c).value();
    (void)node->start();
  }
  ~NodeFixture() {
    node->stop();
    node.reset();
    std::filesystem::remove_all(dir);
  }
};

BENCHMARK(BM_RawEcdsaP256Verify)->Unit(benchmark::kMicrosecond);

void BM_NodeCommittedTxs(benchmark::State& st) {
  static NodeFixture* f = new NodeFixture();  // one chain for every repetition
  Address sink = Address::of(f->keys[0].public_key());
  for (auto _ : st) {
    st.PauseTiming();
    std::vector<Bytes> txs;
    for (int round = 0; round < kSeqsPerIteration; ++round, ++f->next_seq) {
      for (int i = 0; i < kAccounts; ++i) {
        txs.push_back(ledger::make_tx(f->keys[i], "bench", f->next_seq, 10, ledger::op::Send{sink, 1})
                          .value()
                          .encode());
      }
    }
    uint64_t target = f->node->metrics().txs_committed.load() + txs.size();
    st.ResumeTiming();
    // Thread k submits accounts k, k+2, ... in sequence order (a sender's
    // txs must arrive in order), so both threads start at once.
    auto submit = [&](size_t from, size_t step) {
      for (size_t i = from; i < txs.size(); i += step) {
        auto r = f->node->submit_tx(txs[i]);
        if (!r.ok()) {
          std::fprintf(stderr, "submit failed: %s\n", r.error().to_string().c_str());
          std::abort();
        }
      }
    };
    std::thread t1(submit, 0, 2), t2(submit, 1, 2);
    t1.join();
    t2.join();
    while (f->node->metrics().txs_committed.load() < target)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  st.SetItemsProcessed(st.iterations() * kAccounts * kSeqsPerIteration);
}
BENCHMARK(BM_NodeCommittedTxs)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
