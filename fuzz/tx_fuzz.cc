// libFuzzer target: transaction decoding and execution on arbitrary bytes.
// Properties: never crashes; a decoded tx re-encodes to exactly the input
// (one encoding per tx); executing garbage against a genesis state never
// returns a fatal error and a rejected tx changes nothing.
#include <cstdlib>

#include "core/hash.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"

using namespace trustmesh;
using namespace trustmesh::ledger;

static const MemState& genesis_state() {
  static MemState s = [] {
    Genesis g;
    g.chain_id = "fuzz";
    KeyPair k = KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("fuzz"))).value();
    g.accounts.push_back({Address::of(k.public_key()), 1000000});
    g.trustees = {Address::of(k.public_key())};
    MemState m;
    m.apply(g.initial_state().value());
    return m;
  }();
  return s;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  auto tx = decode_tx(in);
  if (tx.ok() && tx->encode() != Bytes(in.begin(), in.end())) std::abort();
  Overlay o(genesis_state());
  auto r = execute_tx(o, {"fuzz", 1, 0}, in);
  if (!r.ok()) std::abort();
  if (r->outcome == TxOutcome::kRejected && !o.changes().empty()) std::abort();
  return 0;
}
