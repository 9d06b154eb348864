// The Tendermint engine (engine.h): Algorithm 1 of Buchman, Kwon, Milosevic,
// "The latest gossip on BFT consensus" (2018), as a pure state machine. Line
// numbers in comments ("L22") refer to that algorithm.
//
// How the paper maps onto this code:
//  * "broadcast" is a Broadcast output. The engine does NOT count its own
//    proposal or votes when it sends them: the node must deliver every
//    Broadcast back through on_proposal / on_vote (as it does for a peer's),
//    and only then do they count. Steps change at once, as in the paper.
//  * Every "upon" rule is re-evaluated after each input: the rules that only
//    look at the current round run to a fixpoint in advance(); the decision
//    (L49) and round skip (L55) rules are checked for the round the input
//    belongs to, the only round whose counts it can change.
//  * valid(v) holds for every delivered proposal (the node re-executes the
//    block first, see engine.h), so the engine never calls it.
//  * "f+1" and "2f+1" are by voting power: more than 1/3 and more than 2/3 of
//    the total (ValidatorSet::is_one_third / is_quorum).
//  * Deciding outputs Decide and then ignores input until start(height + 1).
//  * Unlike the paper, the proposer also schedules the propose timeout: a
//    restarted proposer may hold a valid value without its proof of lock,
//    and a slow build must not stall the round (found by the simulator).
//
// Input checks (network input is never asserted on): wrong height, unknown
// validator, bad signature, a proposal not from proposer_for(h, r) or with a
// pol_round outside [-1, round), and rounds above kMaxRound are ignored.
//
// Memory per height is bounded: one counted prevote and precommit per
// validator per round plus one piece of equivocation evidence (vote_tally.h),
// at most kMaxFutureRounds rounds ahead per validator, at most
// kMaxProposalsPerRound distinct proposals per round unless more than 1/3 of
// the power voted for the extra one; kMaxEquivocations pieces of evidence in all.
//
// Restart (start() on a fresh engine whose Signer logged votes at that
// height): the engine resumes at the highest round it voted in, in the step
// after its last vote there, re-broadcasts those votes, and is locked on (and
// holds as valid value) the block of its latest non-nil precommit, which the
// Signer logged with it. Restoring the lock keeps a crashed validator from
// helping a conflicting polka after it precommitted; restoring the value lets
// it re-propose that block (the deterministic simulator found the deadlock
// where validators locked on a block nobody holds never decide again); the
// Signer's log keeps it from double-signing.
//
// Invariants (asserted): locked hash and round are set together; a locked or
// valid value is set only with its round >= 0; lockedRound <= validRound <= round; rounds and heights only
// increase; within a round the step only advances; every commit the engine
// outputs holds more than 2/3 of the power; outputs are handed back after every call.
#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "consensus/engine.h"
#include "consensus/signer.h"
#include "consensus/vote_tally.h"

// TM_CONSENSUS_BROKEN_QUORUM builds a deliberately broken engine for the
// simulator's self-test only (tests/sim): it takes more than HALF of the
// voting power for a quorum instead of more than two thirds (a plausible
// one-constant bug), and its factory is renamed so it can never be linked in
// place of the real one. Production builds never define it.
#ifdef TM_CONSENSUS_BROKEN_QUORUM
#define TM_ENGINE_FACTORY make_broken_tendermint_half_quorum
#else
#define TM_ENGINE_FACTORY make_tendermint
#endif

namespace trustmesh::consensus {

namespace {

// Rounds above this are refused as input. Each round waits at least one
// timeout, so no real network gets near it; it keeps round + 1 and the
// timeout arithmetic far from overflow.
constexpr uint64_t kMaxRound = uint64_t{1} << 32;
// Distinct proposals kept per round (a faulty proposer may sign many).
constexpr size_t kMaxProposalsPerRound = 2;
// Equivocations kept over the engine's life (oldest kept).
constexpr size_t kMaxEquivocations = 1024;

// base + round * delta, saturating.
uint64_t round_timeout(uint64_t base, uint64_t delta, uint64_t round) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (delta != 0 && round > (kMax - base) / delta) return kMax;
  return base + round * delta;
}

struct StoredProposal {
  Proposal proposal;
  Hash32 hash;  // proposal.block.hash()
};

class Tendermint final : public Engine {
 public:
  Tendermint(EngineConfig config, std::shared_ptr<Signer> signer)
      : config_(std::move(config)), signer_(std::move(signer)) {}

  std::vector<Output> start(uint64_t height, const ValidatorSet& validators) override;
  std::vector<Output> on_proposal_ready(uint64_t height, uint64_t round, Block block) override;
  std::vector<Output> on_proposal(const Proposal& p) override;
  std::vector<Output> on_vote(const Vote& v) override;
  std::vector<Output> on_timeout(const Timeout& t) override;

  std::vector<Message> gossip() const override;
  uint64_t height() const override { return height_; }
  uint64_t round() const override { return round_; }
  Step step() const override { return step_; }
  std::vector<Equivocation> equivocations() const override { return equivocations_; }
  size_t equivocation_count() const override { return equivocations_.size(); }

 private:
  bool active() const { return validators_.has_value() && !decided_; }
  bool is_proposer(uint64_t r) const {
    return my_index_ && &proposer_for(*validators_, height_, r) == &validators_->validators()[*my_index_];
  }
  const std::vector<StoredProposal>& proposals_in(uint64_t r) const {
    static const std::vector<StoredProposal> kNone;
    auto it = proposals_.find(r);
    return it == proposals_.end() ? kNone : it->second;
  }
  // More than 2/3 of the voting power (see TM_CONSENSUS_BROKEN_QUORUM).
  bool quorum(uint64_t power) const {
#ifdef TM_CONSENSUS_BROKEN_QUORUM
    return 2 * power > validators_->total_power();
#else
    return validators_->is_quorum(power);
#endif
  }
  bool quorum_of(VoteType type, uint64_t r, const std::optional<Hash32>& block) const {
    return quorum(tally_.power_for(type, r, block));
  }
  std::vector<Output> finish();

  void start_round(uint64_t r);
  void propose(const Block& block, int64_t pol_round);
  void advance();
  bool prevote_on_proposal();            // L22, L28
  bool schedule_prevote_timeout();       // L34
  bool lock_on_polka();                  // L36
  bool precommit_nil_on_nil_polka();     // L44
  bool schedule_precommit_timeout();     // L47
  void decide_if_committed(uint64_t r);  // L49
  void skip_to(uint64_t r);              // L55

  void prevote(const std::optional<Hash32>& block);
  void precommit(const std::optional<Hash32>& block, const Block* value = nullptr,
                 const std::vector<Vote>* pol = nullptr);
  void send_vote(VoteType type, const std::optional<Hash32>& block, const Block* value = nullptr,
                 const std::vector<Vote>* pol = nullptr);
  void schedule(Step step, uint64_t base_ms, uint64_t delta_ms);

  void restore_from_log();

  const EngineConfig config_;
  const std::shared_ptr<Signer> signer_;
  std::vector<Output> out_;  // empty between calls
  std::vector<Equivocation> equivocations_;

  // Per height (reset by start).
  std::optional<ValidatorSet> validators_;
  std::optional<size_t> my_index_;  // nullopt: not a validator, never signs
  uint64_t height_ = 0;             // 0: not started
  uint64_t round_ = 0;
  Step step_ = Step::kPropose;
  bool decided_ = false;
  std::optional<Block> locked_value_;
  std::optional<Hash32> locked_hash_;
  int64_t locked_round_ = -1;
  std::optional<Block> valid_value_;
  int64_t valid_round_ = -1;
  VoteTally tally_;
  std::map<uint64_t, std::vector<StoredProposal>> proposals_;

  // Per round (reset by start_round): the "for the first time" rules.
  bool awaiting_build_ = false;
  bool prevote_timeout_scheduled_ = false;
  bool lock_rule_fired_ = false;
  bool precommit_timeout_scheduled_ = false;
};

std::vector<Output> Tendermint::finish() {
  TM_ASSERT(!locked_value_.has_value() || locked_round_ >= 0);
  TM_ASSERT(locked_hash_.has_value() == (locked_round_ >= 0));
  TM_ASSERT(!valid_value_.has_value() || valid_round_ >= 0);
  TM_ASSERT(locked_round_ <= valid_round_);
  TM_ASSERT(valid_round_ < 0 || static_cast<uint64_t>(valid_round_) <= round_);
  TM_ASSERT(round_ <= kMaxRound);
  return std::exchange(out_, {});
}

std::vector<Output> Tendermint::start(uint64_t height, const ValidatorSet& validators) {
  TM_ASSERT(out_.empty());
  TM_ASSERT(height > height_);  // the node starts each height once, in order
  height_ = height;
  validators_ = validators;
  my_index_ = signer_ ? validators.index_of(signer_->address()) : std::nullopt;
  round_ = 0;
  step_ = Step::kPropose;
  decided_ = false;
  locked_value_.reset();
  locked_hash_.reset();
  locked_round_ = -1;
  valid_value_.reset();
  valid_round_ = -1;
  tally_ = VoteTally(validators);
  proposals_.clear();
  if (signer_) signer_->prune_below(height);
  if (my_index_ && signer_ && !signer_->votes_at(height).empty()) {
    restore_from_log();
  } else {
    start_round(0);
  }
  advance();
  return finish();
}

void Tendermint::restore_from_log() {
  std::vector<Vote> own = signer_->votes_at(height_);
  uint64_t top = 0;
  for (const Vote& v : own) top = std::max(top, v.round);
  for (const Vote& v : own) {
    if (v.type == VoteType::kPrecommit && v.block && static_cast<int64_t>(v.round) > locked_round_) {
      locked_hash_ = v.block;
      locked_round_ = static_cast<int64_t>(v.round);
      locked_value_ = signer_->block_at(height_, *v.block);  // logged with the precommit
      valid_round_ = locked_round_;
      valid_value_ = locked_value_;
    }
  }
  // The proof of lock goes out again (and comes back to count here).
  if (locked_hash_) {
    for (const Vote& pv : signer_->pol_at(height_, *locked_hash_)) out_.push_back(Broadcast{pv});
  }
  round_ = top;
  step_ = Step::kPropose;
  awaiting_build_ = prevote_timeout_scheduled_ = lock_rule_fired_ = precommit_timeout_scheduled_ = false;
  bool voted = false;
  for (const Vote& v : own) {
    if (v.round != top) continue;
    voted = true;
    if (v.type == VoteType::kPrevote && step_ == Step::kPropose) step_ = Step::kPrevote;
    if (v.type == VoteType::kPrecommit) step_ = Step::kPrecommit;
    out_.push_back(Broadcast{v});  // counted when it comes back, like any vote
  }
  if (!voted) start_round(top);
  // In prevote or precommit step the rules of advance() schedule what follows
  // once the other validators' votes arrive.
}

std::vector<Message> Tendermint::gossip() const {
  std::vector<Message> out;
  if (!validators_) return out;
  for (const StoredProposal& sp : proposals_in(round_)) out.push_back(sp.proposal);
  if (valid_round_ >= 0 && static_cast<uint64_t>(valid_round_) != round_) {
    for (const StoredProposal& sp : proposals_in(static_cast<uint64_t>(valid_round_)))
      out.push_back(sp.proposal);
  }
  auto add_votes = [&](VoteType t, uint64_t r) {
    const VoteSet* set = tally_.votes(t, r);
    if (!set) return;
    for (size_t i = 0; i < validators_->validators().size(); ++i) {
      if (const Vote* v = set->counted(i)) out.push_back(*v);
    }
  };
  const uint64_t from = round_ == 0 ? 0 : round_ - 1;
  for (uint64_t r = from; r <= round_ + 1; ++r) {
    for (VoteType t : {VoteType::kPrevote, VoteType::kPrecommit}) add_votes(t, r);
  }
  // The proof of lock of the valid round: a validator locked in an earlier
  // round unlocks (L28) only when it sees these prevotes.
  if (valid_round_ >= 0 && static_cast<uint64_t>(valid_round_) + 1 < from)
    add_votes(VoteType::kPrevote, static_cast<uint64_t>(valid_round_));
  return out;
}

// L11-L21.
void Tendermint::start_round(uint64_t r) {
  TM_ASSERT(r >= round_ && r <= kMaxRound);
  round_ = r;
  step_ = Step::kPropose;
  awaiting_build_ = false;
  prevote_timeout_scheduled_ = false;
  lock_rule_fired_ = false;
  precommit_timeout_scheduled_ = false;
  if (is_proposer(r)) {
    if (valid_value_) {
      propose(*valid_value_, valid_round_);
    } else {
      awaiting_build_ = true;
      out_.push_back(BuildProposal{height_, r});
    }
  }
  // The proposer too: its own proposal may not be enough for it to prevote
  // (a valid value whose proof of lock it lost in a restart), and a build
  // slower than the timeout must not stall the round.
  schedule(Step::kPropose, config_.timeouts.propose_ms, config_.timeouts.propose_delta_ms);
}

void Tendermint::propose(const Block& block, int64_t pol_round) {
  TM_ASSERT(my_index_.has_value());
  Result<Proposal> p = signer_->sign_proposal(height_, round_, pol_round, block);
  if (p.ok()) {
    out_.push_back(Broadcast{std::move(p).value()});
  }
  // Else OpenSSL failed, or the log refuses a second proposal for this round
  // (we proposed another block before a restart): staying silent is safe and
  // the propose timeout moves us on like everyone else.
}

std::vector<Output> Tendermint::on_proposal_ready(uint64_t height, uint64_t round, Block block) {
  TM_ASSERT(out_.empty());
  if (!active() || height != height_ || round != round_ || !awaiting_build_) return {};  // stale
  TM_ASSERT(block.header.height == height);
  awaiting_build_ = false;
  // A proposal of ours may already have come back (signed before a restart):
  // then the round has moved past proposing.
  if (step_ == Step::kPropose) propose(block, -1);
  return finish();
}

std::vector<Output> Tendermint::on_proposal(const Proposal& p) {
  TM_ASSERT(out_.empty());
  if (!active() || p.height != height_ || p.round > kMaxRound) return {};
  if (p.pol_round < -1 || (p.pol_round >= 0 && static_cast<uint64_t>(p.pol_round) >= p.round)) return {};
  std::optional<size_t> index = validators_->index_of(p.proposer);
  if (!index) return {};
  const Validator& proposer = validators_->validators()[*index];
  if (&proposer != &proposer_for(*validators_, height_, p.round)) return {};
  if (!proposer.key.verify(p.sign_bytes(config_.chain_id), p.sig)) return {};

  Hash32 hash = p.block.hash();
  const std::vector<StoredProposal>& known = proposals_in(p.round);
  for (const StoredProposal& sp : known) {
    if (sp.hash == hash) return {};  // duplicate
  }
  if (known.size() >= kMaxProposalsPerRound) {
    // An equivocating proposer: keep an extra proposal only if some honest
    // validator voted for it, i.e. it may be the one that gets decided.
    bool supported = validators_->is_one_third(tally_.power_for(VoteType::kPrevote, p.round, hash)) ||
                     validators_->is_one_third(tally_.power_for(VoteType::kPrecommit, p.round, hash));
    if (!supported) return {};
  }
  if (!tally_.note_sender(*index, p.round, round_)) return {};
  proposals_[p.round].push_back(StoredProposal{p, hash});

  decide_if_committed(p.round);
  skip_to(p.round);
  advance();
  return finish();
}

std::vector<Output> Tendermint::on_vote(const Vote& v) {
  TM_ASSERT(out_.empty());
  if (!active() || v.height != height_ || v.round > kMaxRound) return {};
  std::optional<size_t> index = validators_->index_of(v.validator);
  if (!index) return {};
  if (!validators_->validators()[*index].key.verify(v.sign_bytes(config_.chain_id), v.sig)) return {};

  Vote first;
  switch (tally_.add_vote(*index, v, round_, &first)) {
    case VoteTally::Add::kCounted: break;
    case VoteTally::Add::kEquivocation:
      if (equivocations_.size() < kMaxEquivocations) equivocations_.push_back(Equivocation{first, v});
      return {};
    case VoteTally::Add::kDuplicate:
    case VoteTally::Add::kRefused: return {};
  }
  if (v.type == VoteType::kPrecommit) decide_if_committed(v.round);
  skip_to(v.round);
  advance();
  return finish();
}

// L57-L67.
std::vector<Output> Tendermint::on_timeout(const Timeout& t) {
  TM_ASSERT(out_.empty());
  if (!active() || t.height != height_ || t.round != round_) return {};  // out of date
  switch (t.step) {
    case Step::kPropose:
      if (step_ != Step::kPropose) return {};
      prevote(std::nullopt);
      break;
    case Step::kPrevote:
      if (step_ != Step::kPrevote) return {};
      precommit(std::nullopt);
      break;
    case Step::kPrecommit:
      if (round_ >= kMaxRound) return {};
      start_round(round_ + 1);
      break;
  }
  advance();
  return finish();
}

// Runs the current-round rules until none fires. Each fires at most once per
// round (guarded by the step or a flag), so this terminates.
void Tendermint::advance() {
  while (!decided_) {
    bool fired = prevote_on_proposal();
    fired = schedule_prevote_timeout() || fired;
    fired = lock_on_polka() || fired;
    fired = precommit_nil_on_nil_polka() || fired;
    fired = schedule_precommit_timeout() || fired;
    if (!fired) return;
  }
}

// L22 (no proof of lock) and L28 (proof of lock from round vr < round).
bool Tendermint::prevote_on_proposal() {
  if (step_ != Step::kPropose) return false;
  for (const StoredProposal& sp : proposals_in(round_)) {
    const int64_t vr = sp.proposal.pol_round;
    if (vr == -1) {
      prevote(locked_round_ == -1 || locked_hash_ == sp.hash ? std::optional(sp.hash) : std::nullopt);
      return true;
    }
    TM_ASSERT(vr >= 0 && static_cast<uint64_t>(vr) < round_);  // checked on input
    if (quorum_of(VoteType::kPrevote, static_cast<uint64_t>(vr), sp.hash)) {
      prevote(locked_round_ <= vr || locked_hash_ == sp.hash ? std::optional(sp.hash) : std::nullopt);
      return true;
    }
  }
  return false;
}

// L34.
bool Tendermint::schedule_prevote_timeout() {
  if (step_ != Step::kPrevote || prevote_timeout_scheduled_) return false;
  if (!quorum(tally_.total_power(VoteType::kPrevote, round_))) return false;
  prevote_timeout_scheduled_ = true;
  schedule(Step::kPrevote, config_.timeouts.prevote_ms, config_.timeouts.prevote_delta_ms);
  return true;
}

// L36: a proposal and 2f+1 prevotes for it in this round (a "polka").
bool Tendermint::lock_on_polka() {
  if (step_ == Step::kPropose || lock_rule_fired_) return false;
  for (const StoredProposal& sp : proposals_in(round_)) {
    if (!quorum_of(VoteType::kPrevote, round_, sp.hash)) continue;
    lock_rule_fired_ = true;
    const int64_t r = static_cast<int64_t>(round_);
    if (step_ == Step::kPrevote) {
      locked_value_ = sp.proposal.block;
      locked_hash_ = sp.hash;
      locked_round_ = r;
      std::vector<Vote> pol = tally_.votes(VoteType::kPrevote, round_)->votes_for(sp.hash);
      precommit(sp.hash, &sp.proposal.block, &pol);
    }
    valid_value_ = sp.proposal.block;
    valid_round_ = r;
    TM_ASSERT(locked_round_ <= valid_round_);
    return true;
  }
  return false;
}

// L44.
bool Tendermint::precommit_nil_on_nil_polka() {
  if (step_ != Step::kPrevote || !quorum_of(VoteType::kPrevote, round_, std::nullopt)) return false;
  precommit(std::nullopt);
  return true;
}

// L47.
bool Tendermint::schedule_precommit_timeout() {
  if (precommit_timeout_scheduled_) return false;
  if (!quorum(tally_.total_power(VoteType::kPrecommit, round_))) return false;
  precommit_timeout_scheduled_ = true;
  schedule(Step::kPrecommit, config_.timeouts.precommit_ms, config_.timeouts.precommit_delta_ms);
  return true;
}

// L49: a proposal of round r and 2f+1 precommits for it in r, any r.
void Tendermint::decide_if_committed(uint64_t r) {
  if (decided_) return;
  const VoteSet* precommits = tally_.votes(VoteType::kPrecommit, r);
  if (!precommits) return;
  for (const StoredProposal& sp : proposals_in(r)) {
    if (!quorum(precommits->power_for(sp.hash))) continue;
    Commit commit = make_commit(height_, r, sp.hash, precommits->votes_for(sp.hash));
    uint64_t power = 0;
    for (const CommitSig& s : commit.sigs)
      power += validators_->validators()[*validators_->index_of(s.validator)].power;
    TM_ASSERT(quorum(power));
    decided_ = true;
    out_.push_back(Decide{sp.proposal.block, std::move(commit)});
    return;
  }
}

// L55: more than 1/3 of the power has sent messages for a later round.
void Tendermint::skip_to(uint64_t r) {
  if (decided_ || r <= round_) return;
  if (!validators_->is_one_third(tally_.sender_power(r))) return;
  start_round(r);
}

void Tendermint::prevote(const std::optional<Hash32>& block) {
  TM_ASSERT(step_ == Step::kPropose);
  step_ = Step::kPrevote;
  send_vote(VoteType::kPrevote, block);
}

void Tendermint::precommit(const std::optional<Hash32>& block, const Block* value,
                           const std::vector<Vote>* pol) {
  TM_ASSERT(step_ == Step::kPrevote);
  step_ = Step::kPrecommit;
  send_vote(VoteType::kPrecommit, block, value, pol);
}

void Tendermint::send_vote(VoteType type, const std::optional<Hash32>& block, const Block* value,
                           const std::vector<Vote>* pol) {
  if (!my_index_) return;  // not a validator: follow without signing
  Result<Vote> v = signer_->sign_vote(type, height_, round_, block, value, pol);
  // Signing fails if OpenSSL or the log does, or the log holds a different
  // vote for this round (a restart); not voting is always safe.
  if (v.ok()) out_.push_back(Broadcast{std::move(v).value()});
}

void Tendermint::schedule(Step step, uint64_t base_ms, uint64_t delta_ms) {
  out_.push_back(ScheduleTimeout{Timeout{step, height_, round_}, round_timeout(base_ms, delta_ms, round_)});
}

}  // namespace

std::unique_ptr<Engine> TM_ENGINE_FACTORY(EngineConfig config, std::shared_ptr<Signer> signer) {
  return std::make_unique<Tendermint>(std::move(config), std::move(signer));
}

#ifndef TM_CONSENSUS_BROKEN_QUORUM
std::unique_ptr<Engine> make_tendermint(EngineConfig config, KeyPair key) {
  std::string chain = config.chain_id;
  auto signer = Signer::open(std::move(key), std::move(chain), std::make_shared<MemorySignLog>());
  TM_ASSERT(signer.ok());  // an empty memory log always opens
  return make_tendermint(std::move(config), std::move(signer).value());
}

// Proposer selection. Let T be the total power and give validator i (in the
// set's address order) the T-slots [sum of earlier powers, + its power). The
// proposer of (height, round) owns slot ((height + round) * S) mod T, where
// the stride S is the integer nearest below T / golden ratio made coprime to T.
// Because S is coprime to T, any T consecutive values of height + round visit
// every slot exactly once: each validator proposes exactly `power` times in
// every window of T (height, round) steps, and the golden-ratio stride spreads
// a validator's slots through the window instead of giving it `power`
// consecutive turns, so the next round usually has another proposer. Moving
// to round r + 1 is the same as moving to height + 1, as in Tendermint's
// rotation. O(number of validators); depends only on the set and (h, r).
const Validator& proposer_for(const ValidatorSet& validators, uint64_t height, uint64_t round) {
  using U128 = unsigned __int128;
  const uint64_t total = validators.total_power();
  TM_ASSERT(total >= 1);                                    // ValidatorSet invariant
  constexpr uint64_t kGoldenFraction = 0x9E3779B97F4A7C15;  // 2^64 / golden ratio
  uint64_t stride = static_cast<uint64_t>((static_cast<U128>(total) * kGoldenFraction) >> 64);
  if (stride == 0) stride = 1;
  while (std::gcd(stride, total) != 1) ++stride;
  const uint64_t step = static_cast<uint64_t>((static_cast<U128>(height) + round) % total);
  uint64_t slot = static_cast<uint64_t>(static_cast<U128>(step) * stride % total);
  for (const Validator& v : validators.validators()) {
    if (slot < v.power) return v;
    slot -= v.power;
  }
  TM_ASSERT(false);  // the slots cover [0, total)
  return validators.validators().front();
}

#endif  // TM_CONSENSUS_BROKEN_QUORUM

}  // namespace trustmesh::consensus
