// Recording and proof-checked state readers; see proven_state.h.
#include "trust/proven_state.h"

#include "store/proof.h"

namespace trustmesh::trust {

Result<std::optional<Bytes>> RecordingReader::get(ByteView key) const {
  keys_.insert(to_bytes(key));
  return base_.get(key);
}

Result<std::optional<Bytes>> ProvenState::get(ByteView key) const {
  auto it = entries_.find(to_bytes(key));
  if (it == entries_.end())
    return make_error(ErrorCode::kNotFound, "the node's answer has no proof for state key " + to_hex(key) +
                                                "; it withheld data the decision needs");
  return it->second;
}

Result<ProvenState> ProvenState::verify(const light::VerifiedHeader& header,
                                        const std::vector<ProofEntry>& entries) {
  ProvenState s;
  s.height_ = header.header.height;
  s.time_ = header.header.time;
  for (const ProofEntry& e : entries) {
    auto proof = store::decode_proof(e.proof);
    if (!proof.ok())
      return make_error(proof.error().code, "proof for key " + to_hex(e.key) + ": " + proof.error().message);
    Status st = e.value ? store::verify_membership(header.header.state_root, e.key, *e.value, *proof)
                        : store::verify_non_membership(header.header.state_root, e.key, *proof);
    if (!st.ok())
      return make_error(ErrorCode::kInvalidArgument,
                        "state key " + to_hex(e.key) + " at height " + std::to_string(s.height_) +
                            ": the proof does not match the header's state root");
    s.entries_[e.key] = e.value;
  }
  return s;
}

}  // namespace trustmesh::trust
