// Seeded workload generator; see workload.h.
#include "ledger/workload.h"

#include <algorithm>

#include "core/hash.h"
#include "ledger/access.h"

namespace trustmesh::ledger {

Workload::Workload(const WorkloadOptions& opts) : opts_(opts), rng_(opts.seed) {
  for (int i = 0; i < opts.accounts; ++i) {
    Hash32 seed = sha256(as_bytes("workload-" + std::to_string(opts.seed) + "-" + std::to_string(i)));
    keys_.push_back(KeyPair::from_seed(opts.alg, seed).value());
  }
}

Genesis Workload::genesis() const {
  Genesis g;
  g.chain_id = opts_.chain_id;
  g.genesis_time = 1767225600;  // 2026-01-01T00:00:00Z
  for (const auto& k : keys_) g.accounts.push_back({Address::of(k.public_key()), 1'000'000'000'000});
  g.trustees = {Address::of(keys_.at(0).public_key())};
  g.params.preorder_min_blocks = 1;
  g.params.preorder_max_blocks = 20;
  g.params.min_validity_blocks = 5;
  return g;
}

Bytes Workload::sign(int who, uint64_t seq, Operation op, uint64_t fee) {
  return make_tx(keys_.at(who), opts_.chain_id, seq, fee, std::move(op)).value().encode();
}

static NameValue value_for(uint64_t n) {
  NameValue v;
  v.cert_hash = sha256(as_bytes("cert-" + std::to_string(n)));
  if (n % 3 == 0) v.config_hash = sha256(as_bytes("config-" + std::to_string(n)));
  return v;
}

Bytes Workload::valid_tx(int who, uint64_t seq, uint64_t height) {
  Address me = Address::of(keys_.at(who).public_key());
  // A matured preorder of this account: register it.
  for (size_t i = 0; i < pending_.size(); ++i) {
    const auto& p = pending_[i];
    if (p.owner == who && height > p.preorder_height && height <= p.preorder_height + 20) {
      PendingName pn = p;
      pending_.erase(pending_.begin() + static_cast<long>(i));
      owned_.push_back({pn.name, who});
      return sign(who, seq, op::NameRegister{pn.name, pn.salt, value_for(name_counter_++), 5 + rand(200)});
    }
  }
  std::vector<size_t> mine;
  for (size_t i = 0; i < owned_.size(); ++i) {
    if (owned_[i].owner == who) mine.push_back(i);
  }
  uint64_t kind = rand(10);
  if (kind < 3 || mine.empty()) {
    if (kind < 1) {
      int to = static_cast<int>(rand(keys_.size()));
      if (to == who) to = (to + 1) % static_cast<int>(keys_.size());
      return sign(who, seq, op::Send{Address::of(keys_.at(to).public_key()), 1 + rand(1000)});
    }
    std::string name = "dev-" + std::to_string(opts_.seed) + "-" + std::to_string(name_counter_++);
    Hash32 s = sha256(as_bytes("salt/" + name));
    Bytes salt(s.begin(), s.end());
    pending_.push_back({name, salt, who, height});
    return sign(who, seq, op::NamePreorder{name_commitment(name, salt, me)});
  }
  OwnedName& o = owned_[mine[rand(mine.size())]];
  switch (kind) {
    case 3:
    case 4:
    case 5: return sign(who, seq, op::NameUpdate{o.name, value_for(name_counter_++)});
    case 6: return sign(who, seq, op::NameRenew{o.name, 5 + rand(100)});
    case 7: {
      int to = static_cast<int>(rand(keys_.size()));
      if (to == who) to = (to + 1) % static_cast<int>(keys_.size());
      std::string n = o.name;
      o.owner = to;
      return sign(who, seq, op::NameTransfer{n, Address::of(keys_.at(to).public_key())});
    }
    case 8: {
      std::string n = o.name;
      owned_.erase(
          std::find_if(owned_.begin(), owned_.end(), [&](const OwnedName& x) { return x.name == n; }));
      return sign(who, seq, op::NameRevoke{n});
    }
    default: return sign(who, seq, op::NameUpdate{o.name, value_for(name_counter_++)});
  }
}

Bytes Workload::invalid_tx(int who, uint64_t seq, uint64_t height, bool* consumes_seq) {
  *consumes_seq = false;
  switch (rand(9)) {
    case 0: return sign(who, seq + 1 + rand(3), op::Send{Address(), 1});  // wrong sequence
    case 1: {                                                             // bad signature
      Tx tx = make_tx(keys_.at(who), opts_.chain_id, seq, 10, op::Send{Address(), 1}).value();
      tx.sig[rand(tx.sig.size())] ^= static_cast<uint8_t>(1 + rand(255));
      return tx.encode();
    }
    case 2: return make_tx(keys_.at(who), "other-chain", seq, 10, op::Send{Address(), 1}).value().encode();
    case 3: return sign(who, seq, op::Send{Address(), 1}, 1);  // fee too low
    case 4: {                                                  // garbage or truncated bytes
      Bytes b = sign(who, seq, op::NameRevoke{"x"});
      b.resize(rand(b.size()));
      return b;
    }
    case 5: {  // update a name the sender does not own (or that does not exist)
      *consumes_seq = true;
      std::string n = owned_.empty() ? "nobody" : owned_[rand(owned_.size())].name;
      return sign(who, seq, op::NameUpdate{n, value_for(height)});
    }
    case 6: {  // register without a preorder
      *consumes_seq = true;
      Bytes salt(32, static_cast<uint8_t>(rand(256)));
      return sign(who, seq, op::NameRegister{"squat-" + std::to_string(rand(1000)), salt, value_for(1), 10});
    }
    case 7: {  // front-running: register someone else's pending name with their salt
      *consumes_seq = true;
      if (pending_.empty()) return sign(who, seq, op::NameRevoke{"ghost"});
      const auto& p = pending_[rand(pending_.size())];
      return sign(who, seq, op::NameRegister{p.name, p.salt, value_for(2), 10});
    }
    default: {  // governance by a non-trustee, or a bad parameter
      *consumes_seq = true;
      return sign(who, seq, op::GovPropose{{{"preorder_min_blocks", 0}}});
    }
  }
}

std::vector<Bytes> Workload::next_block(const StateReader& state, uint64_t height, size_t n_txs) {
  std::vector<uint64_t> seqs(keys_.size());
  Overlay view(state);
  StateAccess s(view);
  for (size_t i = 0; i < keys_.size(); ++i)
    seqs[i] = s.account(Address::of(keys_[i].public_key())).value().seq;
  std::vector<Bytes> out;
  for (size_t t = 0; t < n_txs; ++t) {
    int who = static_cast<int>(rand(keys_.size()));
    if (static_cast<int>(rand(100)) < opts_.invalid_percent) {
      bool consumes = false;
      out.push_back(invalid_tx(who, seqs[who], height, &consumes));
      if (consumes) seqs[who] += 1;
    } else {
      out.push_back(valid_tx(who, seqs[who], height));
      seqs[who] += 1;
    }
  }
  return out;
}

}  // namespace trustmesh::ledger
