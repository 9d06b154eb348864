// Transaction throughput on one core, next to OpenSSL's raw ECDSA P-256
// verify rate measured in the same run (the ceiling: every tx needs one).
//
//   BM_RawEcdsaP256Verify    EVP_DigestVerify with a pre-parsed key, 150-byte message
//   BM_PublicKeyParse        PublicKey::from_encoded of a compressed P-256 key
//   BM_TxVerifyExecute       decode + admission + signature + execute of send
//                            txs from 1,000 distinct accounts whose keys are in
//                            the parsed-key cache, on an in-memory state
//   BM_TxNameRegister        the same for name.register (the heaviest op)
//   BM_BlockExecuteCommit    verify + execute + commit to RocksDB (fsync per block)
//
// scripts/bench.sh prints the ratio TxVerifyExecute / RawEcdsaP256Verify.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/hash.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "raw_verify.h"
#include "store/ledger_db.h"

namespace {

using namespace trustmesh;
using namespace trustmesh::ledger;

constexpr int kAccounts = 1000;

struct Fixture {
  Genesis genesis;
  std::vector<KeyPair> keys;
  MemState state;
  std::vector<Bytes> sends;      // one per account, seq 0
  std::vector<Bytes> registers;  // one per account, seq 1 (after a preorder at height 1)
  std::vector<Bytes> preorders;  // one per account, seq 0

  Fixture() {
    genesis.chain_id = "bench";
    for (int i = 0; i < kAccounts; ++i) {
      keys.push_back(
          KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("bench-" + std::to_string(i)))).value());
      genesis.accounts.push_back({Address::of(keys.back().public_key()), 1'000'000'000});
    }
    genesis.trustees = {genesis.accounts[0].address};
    state.apply(genesis.initial_state().value());
    for (int i = 0; i < kAccounts; ++i) {
      Address to = genesis.accounts[(i + 1) % kAccounts].address;
      sends.push_back(make_tx(keys[i], "bench", 0, 10, op::Send{to, 1}).value().encode());
      std::string name = "device-" + std::to_string(i);
      Hash32 s = sha256(as_bytes(name));
      Bytes salt(s.begin(), s.end());
      preorders.push_back(make_tx(keys[i], "bench", 0, 10,
                                  op::NamePreorder{name_commitment(name, salt, genesis.accounts[i].address)})
                              .value()
                              .encode());
      NameValue v;
      v.cert_hash = sha256(as_bytes("cert-" + name));
      registers.push_back(
          make_tx(keys[i], "bench", 1, 10, op::NameRegister{name, salt, v, 1000}).value().encode());
    }
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

BENCHMARK(BM_RawEcdsaP256Verify)->Unit(benchmark::kMicrosecond);

// Parsing a compressed P-256 key (point decompression): paid once per sender
// not in the per-thread key cache.
void BM_PublicKeyParse(benchmark::State& st) {
  Bytes enc = fixture().keys[0].public_key().encoded();
  for (auto _ : st) benchmark::DoNotOptimize(PublicKey::from_encoded(enc));
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_PublicKeyParse)->Unit(benchmark::kMicrosecond);

void run_block(benchmark::State& st, const std::vector<Bytes>& txs, const StateReader& base,
               uint64_t height) {
  // Untimed warm-up pass: a node has usually seen a sender before, so its key
  // is in the parsed-key cache (BM_PublicKeyParse shows the cost of a miss).
  {
    Overlay warm(base);
    for (const auto& t : txs) (void)decode_tx(t);
  }
  size_t i = 0;
  Overlay block(base);
  for (auto _ : st) {
    if (i == txs.size()) {
      st.PauseTiming();
      block.clear();
      i = 0;
      st.ResumeTiming();
    }
    auto r = execute_tx(block, {"bench", height, 0}, txs[i++]);
    if (!r.ok() || r->outcome != TxOutcome::kOk) st.SkipWithError("tx did not apply");
  }
  st.SetItemsProcessed(st.iterations());
}

void BM_TxVerifyExecute(benchmark::State& st) {
  Fixture& f = fixture();
  run_block(st, f.sends, f.state, 1);
}
BENCHMARK(BM_TxVerifyExecute)->Unit(benchmark::kMicrosecond);

void BM_TxNameRegister(benchmark::State& st) {
  Fixture& f = fixture();
  static MemState after_preorders = [&] {
    MemState s = f.state;
    s.apply(execute_block(f.state, {"bench", 1, 0}, f.preorders).value().changes);
    return s;
  }();
  run_block(st, f.registers, after_preorders, 2);
}
BENCHMARK(BM_TxNameRegister)->Unit(benchmark::kMicrosecond);

void BM_BlockExecuteCommit(benchmark::State& st) {
  Fixture& f = fixture();
  auto dir = std::filesystem::temp_directory_path() / "trustmesh-bench-commit";
  for (auto _ : st) {
    st.PauseTiming();
    std::filesystem::remove_all(dir);
    auto db = store::LedgerDb::open(dir.string()).value();
    if (!db->init(f.genesis).ok()) st.SkipWithError("init failed");
    st.ResumeTiming();
    auto b = db->apply_block(0, f.sends);
    if (!b.ok()) st.SkipWithError("block failed");
  }
  st.SetItemsProcessed(st.iterations() * static_cast<int64_t>(f.sends.size()));
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_BlockExecuteCommit)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
