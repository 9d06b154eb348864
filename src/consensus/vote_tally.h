// Per-height vote bookkeeping for the Tendermint engine (tendermint.cc): which
// validator sent which prevote and precommit in each round, how much voting
// power stands behind each value, and which validators sent anything at all in
// a round (for the f+1 round-skip rule).
//
// The tally trusts its caller: votes arrive here only after the engine checked
// height, membership and signature. It never verifies anything itself.
//
// Invariants:
//  * at most one COUNTED prevote and one counted precommit per validator per
//    round; a later identical vote is a duplicate (ignored), the first later
//    different one is an equivocation (reported to the caller, never counted),
//    any further one is treated as a duplicate;
//  * for every (round, type): the power behind each value is the sum of the
//    powers of the counted votes for it, and these sums add up to the round's
//    total for that type, which never exceeds the validator set's total power;
//  * memory is bounded: rounds up to current_round + 1 are always open, and
//    each validator may additionally occupy at most kMaxFutureRounds rounds
//    beyond that (later ones are refused), so a faulty validator cannot make
//    the tally allocate a round per number it sends.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "consensus/validator_set.h"
#include "consensus/vote.h"

namespace trustmesh::consensus {

// The votes of one type in one round, indexed by validator.
class VoteSet {
 public:
  enum class Add { kCounted, kDuplicate, kConflict };

  explicit VoteSet(size_t validators) : votes_(validators), conflicted_(validators, false) {}

  // Records `v` from validator `index` with `power`. kConflict is returned for
  // the first vote that differs from the counted one; any later vote from that
  // validator here is reported as kDuplicate (one piece of evidence suffices).
  Add add(size_t index, uint64_t power, const Vote& v);
  // The counted vote of validator `index`, or nullptr.
  const Vote* counted(size_t index) const;
  // Power of the counted votes for `block` (nullopt = nil).
  uint64_t power_for(const std::optional<Hash32>& block) const;
  // Power of all counted votes, whatever their value.
  uint64_t total_power() const { return total_; }
  // The counted votes for `block`, in validator order.
  std::vector<Vote> votes_for(const Hash32& block) const;

 private:
  std::vector<std::optional<Vote>> votes_;
  std::vector<bool> conflicted_;
  std::map<std::optional<Hash32>, uint64_t> power_;
  uint64_t total_ = 0;
};

struct RoundVotes {
  explicit RoundVotes(size_t validators)
      : prevotes(validators), precommits(validators), present(validators, false) {}
  VoteSet prevotes;
  VoteSet precommits;
  std::vector<bool> present;  // by validator index: sent a valid message in this round
  uint64_t present_power = 0;
};

class VoteTally {
 public:
  // Rounds beyond current_round + 1 one validator may fill (see invariants).
  static constexpr size_t kMaxFutureRounds = 2;

  enum class Add { kCounted, kDuplicate, kEquivocation, kRefused };

  VoteTally() = default;
  explicit VoteTally(const ValidatorSet& validators);

  // Whether validator `index` may put a message into `round` now.
  bool admits(size_t index, uint64_t round, uint64_t current_round) const;
  // Records a vote already checked by the caller. On kEquivocation, `*first`
  // (if given) receives the vote that was counted.
  Add add_vote(size_t index, const Vote& v, uint64_t current_round, Vote* first = nullptr);
  // Records that validator `index` sent a (valid) proposal for `round`; false
  // if the round is refused for it (see admits).
  bool note_sender(size_t index, uint64_t round, uint64_t current_round);

  // nullptr if nothing was recorded for `round`.
  const RoundVotes* round(uint64_t r) const;
  const VoteSet* votes(VoteType type, uint64_t r) const;
  uint64_t power_for(VoteType type, uint64_t r, const std::optional<Hash32>& block) const;
  uint64_t total_power(VoteType type, uint64_t r) const;
  // Power of the validators that sent any message in round r.
  uint64_t sender_power(uint64_t r) const;

 private:
  RoundVotes& open(uint64_t r);
  void mark_present(RoundVotes& rv, size_t index);

  std::vector<uint64_t> powers_;  // by validator index
  uint64_t total_ = 0;
  std::map<uint64_t, RoundVotes> rounds_;
};

}  // namespace trustmesh::consensus
