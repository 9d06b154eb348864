// State a light client can evaluate trust on without trusting the node.
//
// A node answering POST /v1/admission?prove=true runs the evaluation over a
// RecordingReader and returns, with its decision, a proof for every state key
// the evaluation read, all under one header. The gateway verifies the header
// (light/header.h) and every proof against its state root, builds a
// ProvenState from them and runs the same evaluation again itself: the
// decision it acts on is its own. A key the evaluation needs that the node
// left out is an error ("withheld"), never an absence.
//
// Invariants: a ProvenState holds only entries verified against
// `header.state_root`; RecordingReader records each key once, in key order.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/state.h"
#include "light/header.h"

namespace trustmesh::trust {

class RecordingReader : public ledger::StateReader {
 public:
  explicit RecordingReader(const ledger::StateReader& base) : base_(base) {}
  Result<std::optional<Bytes>> get(ByteView key) const override;
  const std::set<Bytes>& keys() const { return keys_; }

 private:
  const ledger::StateReader& base_;
  mutable std::set<Bytes> keys_;
};

struct ProofEntry {
  Bytes key;
  std::optional<Bytes> value;  // nullopt: the proof shows the key absent
  Bytes proof;                 // store::encode_proof
};

class ProvenState : public ledger::StateReader {
 public:
  Result<std::optional<Bytes>> get(ByteView key) const override;
  uint64_t height() const { return height_; }
  uint64_t time() const { return time_; }
  size_t size() const { return entries_.size(); }

  // Verifies every entry against the verified header's state root.
  static Result<ProvenState> verify(const light::VerifiedHeader& header,
                                    const std::vector<ProofEntry>& entries);

 private:
  std::map<Bytes, std::optional<Bytes>> entries_;
  uint64_t height_ = 0;
  uint64_t time_ = 0;
};

}  // namespace trustmesh::trust
