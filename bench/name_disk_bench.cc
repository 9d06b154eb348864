// Disk bytes per device name: registers N names through the real ledger on
// RocksDB (preorder then register, blocks of 1,000 txs, one sender per name)
// and divides the data directory's size by N. Each name costs its record, its
// first history entry, the sender's account and the tree nodes of every state
// version written on the way (no pruning yet): disk_bytes_per_name.
// live_bytes_per_name is the same final state written as one version into a
// fresh directory: what a node that prunes old versions would keep.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/hash.h"
#include "ledger/genesis.h"
#include "store/ledger_db.h"

namespace {

using namespace trustmesh;
using namespace trustmesh::ledger;
namespace fs = std::filesystem;

uint64_t dir_bytes(const fs::path& p) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(p)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

void BM_DiskBytesPerName(benchmark::State& st) {
  const int n = static_cast<int>(st.range(0));
  constexpr int kBlock = 1000;
  std::vector<KeyPair> keys;
  Genesis g;
  g.chain_id = "bench";
  for (int i = 0; i < n; ++i) {
    keys.push_back(KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("disk-" + std::to_string(i)))).value());
    g.accounts.push_back({Address::of(keys.back().public_key()), 1'000'000'000});
  }
  g.trustees = {g.accounts[0].address};
  fs::path dir = fs::temp_directory_path() / "trustmesh-bench-names";
  uint64_t before = 0, after = 0, live = 0;
  fs::path live_dir = fs::temp_directory_path() / "trustmesh-bench-names-live";
  for (auto _ : st) {
    fs::remove_all(dir);
    {
      auto db = store::LedgerDb::open(dir.string()).value();
      if (!db->init(g).ok()) st.SkipWithError("init");
      before = dir_bytes(dir);
      MemState mirror;  // the same chain in memory, to write the final state once
      mirror.apply(g.initial_state().value());
      uint64_t height = 0;
      auto run = [&](const std::vector<Bytes>& txs) {
        ++height;
        mirror.apply(execute_block(mirror, {"bench", height, 0}, txs).value().changes);
        return db->apply_block(0, txs).ok();
      };
      for (int start = 0; start < n; start += kBlock) {
        std::vector<Bytes> pre, reg;
        for (int i = start; i < std::min(n, start + kBlock); ++i) {
          std::string name = "urn:dev:" + to_hex(sha256(as_bytes(std::to_string(i)))).substr(0, 32);
          Hash32 s = sha256(as_bytes("salt" + name));
          Bytes salt(s.begin(), s.end());
          pre.push_back(make_tx(keys[i], "bench", 0, 10,
                                op::NamePreorder{name_commitment(name, salt, g.accounts[i].address)})
                            .value()
                            .encode());
          NameValue v;
          v.cert_hash = sha256(as_bytes("cert" + name));
          v.config_hash = sha256(as_bytes("cfg" + name));
          reg.push_back(
              make_tx(keys[i], "bench", 1, 10, op::NameRegister{name, salt, v, 100000}).value().encode());
        }
        if (!run(pre) || !run(reg)) st.SkipWithError("block");
      }
      // Empty blocks past every preorder's deadline, so the bookkeeping of
      // redeemed preorders is pruned as in a chain's steady state.
      for (uint64_t i = 0; i <= g.params.preorder_max_blocks; ++i) {
        if (!run({})) st.SkipWithError("empty block");
      }
      fs::remove_all(live_dir);
      store::ChangeSet all;
      for (const auto& [k, v] : mirror.entries()) all[k] = v;
      {
        auto fresh = store::StateDb::open(live_dir.string()).value();
        if (!fresh->commit(1, all).ok()) st.SkipWithError("live commit");
        if (fresh->root() != db->root()) st.SkipWithError("mirror diverged");
      }
      live = dir_bytes(live_dir);
      // The genesis accounts are not per-name cost: subtract a genesis-only directory.
      fs::remove_all(live_dir);
      store::ChangeSet gen = g.initial_state().value();
      {
        auto fresh = store::StateDb::open(live_dir.string()).value();
        if (!fresh->commit(1, gen).ok()) st.SkipWithError("genesis commit");
      }
      live -= dir_bytes(live_dir);
      fs::remove_all(live_dir);
    }
    after = dir_bytes(dir);
  }
  st.counters["names"] = n;
  st.counters["disk_bytes_per_name"] = static_cast<double>(after - before) / n;
  st.counters["live_bytes_per_name"] = static_cast<double>(live) / n;
  fs::remove_all(dir);
}
BENCHMARK(BM_DiskBytesPerName)->Arg(20000)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
