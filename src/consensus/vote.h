// Votes, proposals and commits: the signed messages of consensus.
//
// Every signature is over domain-separated deterministic CBOR:
//   vote:     "trustmesh/vote/v1" 0x00 || {"chain", "type" (1 prevote, 2
//             precommit), "height", "round", "block": bstr32 | null (nil)}
//   proposal: "trustmesh/proposal/v1" 0x00 || {"chain", "height", "round",
//             "pol_round": int (-1 = none), "block": bstr32}
// The validator address is not signed: it only says which key to check.
//
// A Commit for height h is the set of precommits for one block hash in one
// round, from distinct validators holding more than 2/3 of the voting power.
// Wire form: {"height", "round", "block": bstr32, "sigs": [[addr20, sig], ...]}
// with sigs sorted by address. verify_commit() is what light clients run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "consensus/block.h"
#include "consensus/validator_set.h"

namespace trustmesh::consensus {

enum class VoteType : uint8_t { kPrevote = 1, kPrecommit = 2 };

struct Vote {
  VoteType type = VoteType::kPrevote;
  uint64_t height = 0;
  uint64_t round = 0;
  std::optional<Hash32> block;  // nullopt = nil
  Address validator;
  Bytes sig;

  Bytes sign_bytes(std::string_view chain_id) const;
  cbor::Value to_cbor() const;  // includes validator and sig
  static Result<Vote> from_cbor(const cbor::Value& v);
  bool operator==(const Vote&) const = default;
};

Result<Vote> make_vote(const KeyPair& key, std::string_view chain_id, VoteType type, uint64_t height,
                       uint64_t round, std::optional<Hash32> block);

struct Proposal {
  uint64_t height = 0;
  uint64_t round = 0;
  int64_t pol_round = -1;  // the round of the proof-of-lock, -1 if none
  Block block;
  Address proposer;
  Bytes sig;

  Bytes sign_bytes(std::string_view chain_id) const;
  cbor::Value to_cbor() const;
  static Result<Proposal> from_cbor(const cbor::Value& v);
};

Result<Proposal> make_proposal(const KeyPair& key, std::string_view chain_id, uint64_t height, uint64_t round,
                               int64_t pol_round, Block block);

struct CommitSig {
  Address validator;
  Bytes sig;
  bool operator==(const CommitSig&) const = default;
};

struct Commit {
  uint64_t height = 0;
  uint64_t round = 0;
  Hash32 block{};
  std::vector<CommitSig> sigs;  // sorted by validator address, unique

  cbor::Value to_cbor() const;
  static Result<Commit> from_cbor(const cbor::Value& v);
  Bytes encode() const { return cbor::encode(to_cbor()); }
  static Result<Commit> decode(ByteView data);
  // The precommit a signature in this commit signed.
  Vote precommit_of(const CommitSig& s) const;
  bool operator==(const Commit&) const = default;
};

// Builds a commit from precommits for `block` at (height, round): sorts them,
// drops duplicates. Does not check signatures or power (verify_commit does).
Commit make_commit(uint64_t height, uint64_t round, const Hash32& block, std::vector<Vote> precommits);

// OK iff `commit` is for `header` (same height and hash) and carries valid
// precommit signatures of distinct members of `validators` whose power is more
// than 2/3 of the total. Unknown signers and duplicates are errors; every
// listed signature must verify.
Status verify_commit(const ValidatorSet& validators, const BlockHeader& header, const Commit& commit);

}  // namespace trustmesh::consensus
