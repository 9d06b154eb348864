// VoteSet and VoteTally: per-round vote counting by voting power (vote_tally.h).
#include "consensus/vote_tally.h"

namespace trustmesh::consensus {

VoteSet::Add VoteSet::add(size_t index, uint64_t power, const Vote& v) {
  TM_ASSERT(index < votes_.size());
  std::optional<Vote>& slot = votes_[index];
  if (slot) {
    if (*slot == v || conflicted_[index]) return Add::kDuplicate;
    conflicted_[index] = true;
    return Add::kConflict;
  }
  slot = v;
  power_[v.block] += power;
  total_ += power;
  return Add::kCounted;
}

const Vote* VoteSet::counted(size_t index) const {
  TM_ASSERT(index < votes_.size());
  return votes_[index] ? &*votes_[index] : nullptr;
}

uint64_t VoteSet::power_for(const std::optional<Hash32>& block) const {
  auto it = power_.find(block);
  return it == power_.end() ? 0 : it->second;
}

std::vector<Vote> VoteSet::votes_for(const Hash32& block) const {
  std::vector<Vote> out;
  for (const std::optional<Vote>& v : votes_) {
    if (v && v->block == block) out.push_back(*v);
  }
  return out;
}

VoteTally::VoteTally(const ValidatorSet& validators) : total_(validators.total_power()) {
  powers_.reserve(validators.size());
  for (const Validator& v : validators.validators()) powers_.push_back(v.power);
}

bool VoteTally::admits(size_t index, uint64_t round, uint64_t current_round) const {
  TM_ASSERT(index < powers_.size());
  if (round <= current_round || round - current_round <= 1) return true;
  auto it = rounds_.find(round);
  if (it != rounds_.end() && it->second.present[index]) return true;
  size_t used = 0;
  for (auto r = rounds_.upper_bound(current_round + 1); r != rounds_.end(); ++r) {
    if (r->second.present[index]) ++used;
  }
  return used < kMaxFutureRounds;
}

RoundVotes& VoteTally::open(uint64_t r) {
  auto it = rounds_.find(r);
  if (it == rounds_.end()) it = rounds_.emplace(r, RoundVotes(powers_.size())).first;
  return it->second;
}

void VoteTally::mark_present(RoundVotes& rv, size_t index) {
  if (rv.present[index]) return;
  rv.present[index] = true;
  rv.present_power += powers_[index];
  TM_ASSERT(rv.present_power <= total_);
}

VoteTally::Add VoteTally::add_vote(size_t index, const Vote& v, uint64_t current_round, Vote* first) {
  if (!admits(index, v.round, current_round)) return Add::kRefused;
  RoundVotes& rv = open(v.round);
  mark_present(rv, index);
  VoteSet& set = v.type == VoteType::kPrevote ? rv.prevotes : rv.precommits;
  switch (set.add(index, powers_[index], v)) {
    case VoteSet::Add::kCounted: TM_ASSERT(set.total_power() <= total_); return Add::kCounted;
    case VoteSet::Add::kDuplicate: return Add::kDuplicate;
    case VoteSet::Add::kConflict:
      if (first) *first = *set.counted(index);
      return Add::kEquivocation;
  }
  TM_ASSERT(false);
  return Add::kRefused;
}

bool VoteTally::note_sender(size_t index, uint64_t round, uint64_t current_round) {
  if (!admits(index, round, current_round)) return false;
  mark_present(open(round), index);
  return true;
}

const RoundVotes* VoteTally::round(uint64_t r) const {
  auto it = rounds_.find(r);
  return it == rounds_.end() ? nullptr : &it->second;
}

const VoteSet* VoteTally::votes(VoteType type, uint64_t r) const {
  const RoundVotes* rv = round(r);
  if (!rv) return nullptr;
  return type == VoteType::kPrevote ? &rv->prevotes : &rv->precommits;
}

uint64_t VoteTally::power_for(VoteType type, uint64_t r, const std::optional<Hash32>& block) const {
  const VoteSet* s = votes(type, r);
  return s ? s->power_for(block) : 0;
}

uint64_t VoteTally::total_power(VoteType type, uint64_t r) const {
  const VoteSet* s = votes(type, r);
  return s ? s->total_power() : 0;
}

uint64_t VoteTally::sender_power(uint64_t r) const {
  const RoundVotes* rv = round(r);
  return rv ? rv->present_power : 0;
}

}  // namespace trustmesh::consensus
