// A seeded generator of realistic, mixed valid and invalid transactions, for
// determinism tests, benchmarks and the example chain. It is a client of the
// ledger (it only builds signed txs); nothing in execution depends on it.
//
// Determinism: the choice of transactions is a pure function of the seed and
// of the state it is shown (it reads sequence numbers from the state). The
// bytes are not: ECDSA signatures are randomised by OpenSSL, so callers that
// need identical bytes twice must keep the generated blocks.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/keys.h"
#include "ledger/genesis.h"
#include "ledger/state.h"
#include "ledger/tx.h"

namespace trustmesh::ledger {

struct WorkloadOptions {
  uint64_t seed = 1;
  int accounts = 16;
  int invalid_percent = 25;  // share of transactions built to fail or be rejected
  KeyAlg alg = KeyAlg::kP256;
  std::string chain_id = "trustmesh-load";
};

class Workload {
 public:
  explicit Workload(const WorkloadOptions& opts);

  // A genesis funding every workload account; account 0 is the only trustee.
  Genesis genesis() const;
  const KeyPair& key(int i) const { return keys_.at(i); }

  // Transactions for block `height`, given the state before that block.
  std::vector<Bytes> next_block(const StateReader& state, uint64_t height, size_t n_txs);

 private:
  struct PendingName {
    std::string name;
    Bytes salt;
    int owner;
    uint64_t preorder_height;
  };
  struct OwnedName {
    std::string name;
    int owner;
  };

  uint64_t rand(uint64_t n) { return rng_() % n; }
  Bytes sign(int who, uint64_t seq, Operation op, uint64_t fee = 10);
  Bytes valid_tx(int who, uint64_t seq, uint64_t height);
  Bytes invalid_tx(int who, uint64_t seq, uint64_t height, bool* consumes_seq);

  WorkloadOptions opts_;
  std::mt19937_64 rng_;
  std::vector<KeyPair> keys_;
  std::vector<PendingName> pending_;
  std::vector<OwnedName> owned_;
  uint64_t name_counter_ = 0;
};

}  // namespace trustmesh::ledger
