// TestChain and helpers; see ledger_util.h.
#include "ledger/ledger_util.h"

#include <algorithm>

#include "core/hash.h"
#include "ledger/access.h"
#include "ledger/schema.h"

namespace trustmesh::ledger::testing {

KeyPair test_key(int i, KeyAlg alg) {
  Hash32 seed = sha256(as_bytes("test-key-" + std::to_string(i)));
  return KeyPair::from_seed(alg, seed).value();
}

NameValue test_value(int i) {
  NameValue v;
  v.cert_hash = sha256(as_bytes("cert-" + std::to_string(i)));
  return v;
}

Bytes test_salt(int i) {
  Hash32 h = sha256(as_bytes("salt-" + std::to_string(i)));
  return Bytes(h.begin(), h.end());
}

TestChain::TestChain(int n, Params params, int trustees, uint64_t balance, int validators) {
  genesis_.chain_id = "test-chain";
  genesis_.params = params;
  for (int i = 0; i < n; ++i) {
    keys_.push_back(test_key(i));
    genesis_.accounts.push_back({addr(i), balance});
  }
  for (int i = 0; i < trustees; ++i) genesis_.trustees.push_back(addr(i));
  std::sort(genesis_.trustees.begin(), genesis_.trustees.end());
  for (int v = 0; v < validators; ++v) genesis_.validators.push_back({validator_key(v).public_key(), 1, ""});
  std::sort(genesis_.validators.begin(), genesis_.validators.end(),
            [](const auto& a, const auto& b) { return Address::of(a.key) < Address::of(b.key); });
  state_.apply(genesis_.initial_state().value());
}

KeyPair validator_key(int v) {
  return test_key(1000 + v);
}

Account TestChain::account(int i) const {
  Overlay o(state_);
  return StateAccess(o).account(addr(i)).value();
}

std::optional<NameRecord> TestChain::name(std::string_view n) const {
  Overlay o(state_);
  return StateAccess(o).name(n).value();
}

std::vector<HistoryEntry> TestChain::history(std::string_view n) const {
  Overlay o(state_);
  StateAccess s(o);
  std::vector<HistoryEntry> out;
  auto rec = s.name(n).value();
  if (!rec) return out;
  for (uint32_t i = 0; i < rec->history_len; ++i) out.push_back(*s.history(n, i).value());
  return out;
}

Params TestChain::params() const {
  Overlay o(state_);
  return StateAccess(o).params().value();
}

uint64_t TestChain::supply() const {
  Overlay o(state_);
  return StateAccess(o).supply().value();
}

uint64_t TestChain::sum_of_balances() const {
  uint64_t sum = 0;
  for (const auto& [k, v] : state_.entries()) {
    if (k.size() == 22 && k[0] == 'a' && k[1] == ':')
      sum += Account::from_cbor(cbor::decode(v).value()).value().balance;
  }
  return sum;
}

Bytes TestChain::tx(int i, Operation op, uint64_t fee, std::optional<uint64_t> seq) const {
  uint64_t s = seq ? *seq : account(i).seq;
  return make_tx(keys_.at(i), genesis_.chain_id, s, fee, std::move(op)).value().encode();
}

std::vector<TxResult> TestChain::block(const std::vector<Bytes>& txs) {
  BlockContext ctx{genesis_.chain_id, height_ + 1, 1767225600 + (height_ + 1) * 6};
  BlockResult r = execute_block(state_, ctx, txs).value();
  state_.apply(r.changes);
  height_ += 1;
  return r.txs;
}

void TestChain::empty_blocks(uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) block({});
}

TxResult TestChain::register_name(int i, const std::string& n, int salt, uint64_t validity, uint64_t wait) {
  Bytes s = test_salt(salt);
  TxResult pre = run(i, op::NamePreorder{name_commitment(n, s, addr(i))});
  if (pre.outcome != TxOutcome::kOk) return pre;
  if (wait > 1) empty_blocks(wait - 1);
  return run(i, op::NameRegister{n, s, test_value(1), validity});
}

std::set<Bytes> changed_keys(const MemState& before, const MemState& after) {
  std::set<Bytes> out;
  for (const auto& [k, v] : before.entries()) {
    auto it = after.entries().find(k);
    if (it == after.entries().end() || it->second != v) out.insert(k);
  }
  for (const auto& [k, v] : after.entries()) {
    if (!before.entries().count(k)) out.insert(k);
  }
  return out;
}

}  // namespace trustmesh::ledger::testing
