// Store benchmarks: sparse Merkle tree commits on RocksDB, proof size, proof
// generation and verification time, and disk bytes per key, at N = 1M keys
// (and N = 10M with TM_BENCH_10M=1; that prefill takes tens of minutes and
// several GB under /tmp).
//
// The prefilled database (N keys "name/device-<i>" with ~150-byte values like a
// name record, committed 50k keys per block with sync off) is cached under
// $TM_BENCH_DIR (default /tmp/trustmesh-bench)/state-<N> and reused by later
// runs; delete it to rebuild. Each benchmark works on a clone of the cache (SST
// files hard-linked), so the cache itself never changes.
//
//   BM_Commit/<N>/sync:{0,1}   blocks of 1000 updates of random existing keys;
//                               items_per_second = tree updates per second
//   BM_Prove/<N>               proof generation on a warmed-up database;
//                               counter proof_bytes (CBOR wire form)
//   BM_VerifyMembership/<N>    verify_membership of a stored proof
//   BM_VerifyNonMembership/<N> verify_non_membership of an absent key's proof
//   BM_DiskBytes/<N>           counter disk_bytes_per_key (SST + WAL) / N
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "store/proof.h"
#include "store/state_db.h"

namespace fs = std::filesystem;
using trustmesh::Bytes;
using trustmesh::Hash32;
using namespace trustmesh::store;

namespace {

constexpr uint64_t kPrefillBatch = 50000;
constexpr size_t kBlockUpdates = 1000;
constexpr size_t kValueBytes = 150;

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Bytes key_of(uint64_t i) {
  char buf[40];
  int n = std::snprintf(buf, sizeof(buf), "name/device-%09llu", static_cast<unsigned long long>(i));
  return Bytes(buf, buf + n);
}

// ~150 bytes shaped like a name record: an owner address and a public key
// (random, incompressible) followed by text fields.
Bytes value_of(uint64_t i, uint64_t version) {
  Bytes v;
  v.reserve(kValueBytes);
  uint64_t x = splitmix64(i * 0x100000001b3ULL + version);
  for (size_t j = 0; j < 20 + 33; ++j) {
    if (j % 8 == 0) x = splitmix64(x);
    v.push_back(static_cast<uint8_t>(x >> (8 * (j % 8))));
  }
  char buf[160];
  int n = std::snprintf(
      buf, sizeof(buf), "model=tm-sensor-%llu;fw=1.%llu.%llu;status=active;valid=2025-01-01..2027-01-01;v=",
      static_cast<unsigned long long>(i % 97), static_cast<unsigned long long>(version % 10),
      static_cast<unsigned long long>(i % 13));
  v.insert(v.end(), buf, buf + n);
  while (v.size() < kValueBytes) v.push_back(static_cast<uint8_t>('a' + (v.size() + i) % 26));
  v.resize(kValueBytes);
  return v;
}

std::string bench_root() {
  const char* d = std::getenv("TM_BENCH_DIR");
  return d != nullptr && *d != '\0' ? d : "/tmp/trustmesh-bench";
}

template <typename T>
T must(trustmesh::Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "tree_bench: %s: %s\n", what, r.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

std::unique_ptr<StateDb> open_db(const std::string& path, bool sync) {
  StateDbOptions o;
  o.sync = sync;
  return must(StateDb::open(path, o), ("open " + path).c_str());
}

// Builds (once) and returns the cached database of n keys.
std::string prefilled(uint64_t n) {
  static std::map<uint64_t, std::string> done;
  if (auto it = done.find(n); it != done.end()) return it->second;
  std::string dir = bench_root() + "/state-" + std::to_string(n);
  std::string marker = dir + "/PREFILL_COMPLETE";
  if (!fs::exists(marker)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::fprintf(stderr, "prefill %s: %llu keys in blocks of %llu (sync off), cached for later runs\n",
                 dir.c_str(), static_cast<unsigned long long>(n),
                 static_cast<unsigned long long>(kPrefillBatch));
    auto start = std::chrono::steady_clock::now();
    {
      auto db = open_db(dir, /*sync=*/false);
      for (uint64_t i = 0; i < n;) {
        ChangeSet cs;
        uint64_t end = std::min(n, i + kPrefillBatch);
        for (; i < end; ++i) cs.emplace(key_of(i), value_of(i, 0));
        must(db->commit(db->height() + 1, cs), "prefill commit");
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "  prefill %llu/%llu keys, %.0f s, %.0f keys/s\n",
                     static_cast<unsigned long long>(i), static_cast<unsigned long long>(n), secs,
                     static_cast<double>(i) / secs);
      }
    }
    std::ofstream(marker) << n << "\n";
  }
  done[n] = dir;
  return dir;
}

// A private copy of the cached database: SST files (immutable) hard-linked,
// everything else copied.
std::string clone(uint64_t n, const std::string& name) {
  std::string src = prefilled(n);
  std::string dst = bench_root() + "/work-" + std::to_string(n) + "-" + name;
  fs::remove_all(dst);
  fs::create_directories(dst);
  for (const auto& e : fs::directory_iterator(src)) {
    std::string f = e.path().filename().string();
    if (f == "LOCK" || f.rfind("LOG", 0) == 0 || f == "PREFILL_COMPLETE") continue;
    if (e.path().extension() == ".sst") {
      fs::create_hard_link(e.path(), dst + "/" + f);
    } else {
      fs::copy_file(e.path(), dst + "/" + f);
    }
  }
  return dst;
}

void BM_Commit(benchmark::State& state) {
  uint64_t n = static_cast<uint64_t>(state.range(0));
  bool sync = state.range(1) != 0;
  std::string dir = clone(n, sync ? "commit-sync" : "commit-nosync");
  {
    auto db = open_db(dir, sync);
    std::mt19937_64 rng(1234);
    uint64_t version = 1;
    for (auto _ : state) {
      state.PauseTiming();
      ChangeSet cs;
      while (cs.size() < kBlockUpdates) {
        uint64_t i = rng() % n;
        cs.emplace(key_of(i), value_of(i, version));
      }
      ++version;
      state.ResumeTiming();
      must(db->commit(db->height() + 1, cs), "commit");
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBlockUpdates));
    state.counters["blocks_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  }
  fs::remove_all(dir);
}

struct ProofSet {
  std::vector<Bytes> keys;
  std::vector<Bytes> values;  // empty for absent keys
  std::vector<Proof> proofs;
  Hash32 root;
  double avg_bytes = 0;
  double avg_siblings = 0;
};

// 1024 proofs of present (or absent) keys under the latest root.
const ProofSet& proof_set(uint64_t n, bool present) {
  static std::map<std::pair<uint64_t, bool>, ProofSet> sets;
  auto it = sets.find({n, present});
  if (it != sets.end()) return it->second;
  std::string dir = clone(n, "proofs");
  ProofSet ps;
  {
    auto db = open_db(dir, false);
    ps.root = db->root();
    std::mt19937_64 rng(present ? 99 : 77);
    size_t bytes = 0;
    size_t sibs = 0;
    for (int j = 0; j < 1024; ++j) {
      uint64_t i = rng() % n;
      Bytes k = present ? key_of(i) : key_of(n + i);
      Proof p = must(db->prove(k), "prove");
      std::optional<Bytes> v = must(db->get(k), "get");
      bytes += encode_proof(p).size();
      sibs += p.siblings.size();
      ps.keys.push_back(k);
      ps.values.push_back(v.value_or(Bytes{}));
      ps.proofs.push_back(std::move(p));
    }
    ps.avg_bytes = static_cast<double>(bytes) / 1024.0;
    ps.avg_siblings = static_cast<double>(sibs) / 1024.0;
  }
  fs::remove_all(dir);
  return sets.emplace(std::make_pair(n, present), std::move(ps)).first->second;
}

// A database serving proofs, opened once per process and warmed with 50k
// random proofs so that BM_Prove measures a running server, not a cold start.
std::map<uint64_t, std::unique_ptr<StateDb>> g_proof_servers;

StateDb& proof_server(uint64_t n) {
  auto& dbs = g_proof_servers;
  auto it = dbs.find(n);
  if (it != dbs.end()) return *it->second;
  auto db = open_db(clone(n, "prove"), false);
  std::mt19937_64 rng(6);
  for (int i = 0; i < 50000; ++i) must(db->prove(key_of(rng() % n)), "prove");
  return *dbs.emplace(n, std::move(db)).first->second;
}

void BM_Prove(benchmark::State& state) {
  uint64_t n = static_cast<uint64_t>(state.range(0));
  StateDb& db = proof_server(n);
  std::mt19937_64 rng(5);
  size_t bytes = 0;
  for (auto _ : state) {
    Proof p = must(db.prove(key_of(rng() % n)), "prove");
    bytes += encode_proof(p).size();
    benchmark::DoNotOptimize(p);
  }
  state.counters["proof_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

void BM_VerifyMembership(benchmark::State& state) {
  uint64_t n = static_cast<uint64_t>(state.range(0));
  const ProofSet& ps = proof_set(n, true);
  size_t j = 0;
  for (auto _ : state) {
    trustmesh::Status s = verify_membership(ps.root, ps.keys[j], ps.values[j], ps.proofs[j]);
    if (!s.ok()) state.SkipWithError(s.error().to_string().c_str());
    j = (j + 1) % ps.proofs.size();
  }
  state.counters["proof_bytes"] = ps.avg_bytes;
  state.counters["siblings"] = ps.avg_siblings;
}

void BM_VerifyNonMembership(benchmark::State& state) {
  uint64_t n = static_cast<uint64_t>(state.range(0));
  const ProofSet& ps = proof_set(n, false);
  size_t j = 0;
  for (auto _ : state) {
    trustmesh::Status s = verify_non_membership(ps.root, ps.keys[j], ps.proofs[j]);
    if (!s.ok()) state.SkipWithError(s.error().to_string().c_str());
    j = (j + 1) % ps.proofs.size();
  }
  state.counters["proof_bytes"] = ps.avg_bytes;
  state.counters["siblings"] = ps.avg_siblings;
}

void BM_DiskBytes(benchmark::State& state) {
  uint64_t n = static_cast<uint64_t>(state.range(0));
  std::string dir = clone(n, "disk");
  uint64_t bytes = 0;
  {
    auto db = open_db(dir, false);
    for (auto _ : state) bytes = db->disk_bytes();
  }
  fs::remove_all(dir);
  state.counters["disk_bytes"] = static_cast<double>(bytes);
  state.counters["disk_bytes_per_key"] = static_cast<double>(bytes) / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int64_t> sizes{1000000};
  const char* ten = std::getenv("TM_BENCH_10M");
  if (ten != nullptr && std::string(ten) == "1") sizes.push_back(10000000);

  for (int64_t n : sizes) {
    benchmark::RegisterBenchmark("BM_DiskBytes", BM_DiskBytes)->Arg(n)->Iterations(1);
    benchmark::RegisterBenchmark("BM_Commit", BM_Commit)
        ->Args({n, 0})
        ->Args({n, 1})
        ->ArgNames({"", "sync"})
        ->Unit(benchmark::kMillisecond)
        ->MinTime(5.0)
        ->UseRealTime();
    benchmark::RegisterBenchmark("BM_Prove", BM_Prove)->Arg(n)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_VerifyMembership", BM_VerifyMembership)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_VerifyNonMembership", BM_VerifyNonMembership)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_proof_servers.clear();
  std::error_code ec;
  for (int64_t n : sizes) fs::remove_all(bench_root() + "/work-" + std::to_string(n) + "-prove", ec);
  return 0;
}
