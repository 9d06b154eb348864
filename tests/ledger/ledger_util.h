// Test harness for the ledger: a chain in memory with deterministic keys,
// helpers to build signed transactions and to run blocks, and a state diff
// used to check exactly what a transaction changed.
#pragma once

#include <set>
#include <vector>

#include "core/keys.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "ledger/state.h"

namespace trustmesh::ledger::testing {

KeyPair test_key(int i, KeyAlg alg = KeyAlg::kP256);
KeyPair validator_key(int v);  // the keys of TestChain's validators
NameValue test_value(int i);   // cert_hash = SHA-256("cert-<i>")
Bytes test_salt(int i);

class TestChain {
 public:
  // Accounts 0..n-1 get `balance` each; trustees are accounts [0, trustees);
  // validators are validator_key(0 .. validators-1), power 1 each.
  explicit TestChain(int n_accounts = 4, Params params = {}, int trustees = 1,
                     uint64_t balance = 1'000'000'000, int validators = 0);

  const KeyPair& key(int i) const { return keys_.at(i); }
  Address addr(int i) const { return Address::of(keys_.at(i).public_key()); }
  uint64_t height() const { return height_; }
  const MemState& state() const { return state_; }
  const std::string& chain_id() const { return genesis_.chain_id; }

  Account account(int i) const;
  std::optional<NameRecord> name(std::string_view n) const;
  std::vector<HistoryEntry> history(std::string_view n) const;
  Params params() const;
  uint64_t supply() const;
  uint64_t sum_of_balances() const;

  // Signed tx from account i with its next sequence number unless seq is given.
  Bytes tx(int i, Operation op, uint64_t fee = 10, std::optional<uint64_t> seq = std::nullopt) const;
  // Runs a block of txs at height()+1 and applies it.
  std::vector<TxResult> block(const std::vector<Bytes>& txs);
  TxResult run(int i, Operation op, uint64_t fee = 10) { return block({tx(i, std::move(op), fee)}).at(0); }
  void empty_blocks(uint64_t n);

  // Preorder (one block), wait `wait` blocks, register. Returns the register result.
  TxResult register_name(int i, const std::string& name, int salt = 1, uint64_t validity = 100,
                         uint64_t wait = 1);

 private:
  Genesis genesis_;
  std::vector<KeyPair> keys_;
  MemState state_;
  uint64_t height_ = 0;
};

// Keys whose values differ between two states.
std::set<Bytes> changed_keys(const MemState& before, const MemState& after);

}  // namespace trustmesh::ledger::testing
