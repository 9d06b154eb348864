// Tests of the Tendermint engine (consensus/tendermint.cc).
//
// Two harnesses:
//  * Driver: N engines on a deterministic simulated network. Every Broadcast
//    goes to every engine, the sender included, in FIFO order; timeouts fire
//    only when no message is in flight, earliest first (ties in scheduling
//    order), on a virtual clock. BuildProposal is answered at once; Decide is
//    recorded (and its commit verified) and the engine starts the next height.
//  * Solo: one engine whose own broadcasts are fed straight back (as the node
//    does), while the test plays the other validators by signing their votes
//    and proposals itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "consensus/engine.h"
#include "consensus_util.h"
#include "core/hash.h"

namespace trustmesh::consensus {
namespace {

using testing::make_block;
using testing::make_net;
using testing::Net;
using testing::signed_proposal;
using testing::signed_vote;
using testing::test_config;

struct Decision {
  Block block;
  Commit commit;
};

class Driver {
 public:
  Driver(const Net& net, uint64_t target_height)
      : net_(net), target_(target_height), decided_(net.keys.size()) {
    for (const KeyPair& k : net.keys) engines_.push_back(make_tendermint(test_config(), k));
  }

  // Broadcasts for which this returns true are lost.
  std::function<bool(size_t from, const Message& m)> drop;

  // Runs until every engine decided the target height; false if it ran out
  // of steps or of events first.
  bool run(size_t max_steps = 200000) {
    for (size_t i = 0; i < engines_.size(); ++i) handle(i, engines_[i]->start(1, net_.set));
    for (size_t steps = 0; steps < max_steps; ++steps) {
      if (done()) return true;
      if (!queue_.empty()) {
        auto [from, msg] = std::move(queue_.front());
        queue_.pop_front();
        for (size_t i = 0; i < engines_.size(); ++i) {
          if (const Proposal* p = std::get_if<Proposal>(&msg)) {
            handle(i, engines_[i]->on_proposal(*p));
          } else {
            handle(i, engines_[i]->on_vote(std::get<Vote>(msg)));
          }
        }
        continue;
      }
      if (timers_.empty()) return false;
      auto earliest = std::min_element(timers_.begin(), timers_.end(), [](const Timer& a, const Timer& b) {
        return std::tie(a.due, a.seq) < std::tie(b.due, b.seq);
      });
      Timer t = *earliest;
      timers_.erase(earliest);
      now_ = t.due;
      handle(t.engine, engines_[t.engine]->on_timeout(t.timeout));
    }
    return false;
  }

  const std::map<uint64_t, Decision>& decided(size_t i) const { return decided_[i]; }
  const Engine& engine(size_t i) const { return *engines_[i]; }

 private:
  struct Timer {
    uint64_t due;
    uint64_t seq;
    size_t engine;
    Timeout timeout;
  };

  bool done() const {
    return std::all_of(decided_.begin(), decided_.end(),
                       [&](const std::map<uint64_t, Decision>& d) { return d.count(target_) == 1; });
  }

  void handle(size_t i, std::vector<Output> outputs) {
    for (Output& out : outputs) {
      if (Broadcast* b = std::get_if<Broadcast>(&out)) {
        if (!drop || !drop(i, b->msg)) queue_.emplace_back(i, std::move(b->msg));
      } else if (ScheduleTimeout* st = std::get_if<ScheduleTimeout>(&out)) {
        timers_.push_back(Timer{now_ + st->after_ms, seq_++, i, st->timeout});
      } else if (BuildProposal* bp = std::get_if<BuildProposal>(&out)) {
        Hash32 prev = decided_[i].empty() ? Hash32{} : decided_[i].rbegin()->second.block.hash();
        std::string label =
            "h" + std::to_string(bp->height) + "-r" + std::to_string(bp->round) + "-v" + std::to_string(i);
        Block block = make_block(net_.set, bp->height, label, prev, net_.set.validators()[i].address());
        handle(i, engines_[i]->on_proposal_ready(bp->height, bp->round, std::move(block)));
      } else {
        Decide& d = std::get<Decide>(out);
        const uint64_t h = d.block.header.height;
        EXPECT_EQ(h, engines_[i]->height());
        EXPECT_EQ(decided_[i].count(h), 0u) << "engine " << i << " decided height " << h << " twice";
        Status ok = verify_commit(net_.set, d.block.header, d.commit);
        EXPECT_TRUE(ok.ok()) << (ok.ok() ? "" : ok.error().to_string());
        decided_[i][h] = Decision{d.block, d.commit};
        if (h < target_) handle(i, engines_[i]->start(h + 1, net_.set));
      }
    }
  }

  const Net& net_;
  const uint64_t target_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::vector<std::map<uint64_t, Decision>> decided_;
  std::deque<std::pair<size_t, Message>> queue_;
  std::vector<Timer> timers_;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
};

// One engine; its broadcasts are delivered back to it at once.
class Solo {
 public:
  Solo(const Net& net, size_t me) : net_(net), engine_(make_tendermint(test_config(), net.keys[me])) {}
  explicit Solo(const Net& net, KeyPair key) : net_(net), engine_(make_tendermint(test_config(), key)) {}

  void start(uint64_t h) { take(engine_->start(h, net_.set)); }
  void deliver(const Proposal& p) { take(engine_->on_proposal(p)); }
  void deliver(const Vote& v) { take(engine_->on_vote(v)); }
  void fire(const Timeout& t) { take(engine_->on_timeout(t)); }
  void ready(uint64_t h, uint64_t r, Block b) { take(engine_->on_proposal_ready(h, r, std::move(b))); }

  Engine& engine() { return *engine_; }
  // Everything output since the last clear().
  const std::vector<Output>& log() const { return log_; }
  void clear() { log_.clear(); }

  std::vector<Vote> votes(VoteType type) const {
    std::vector<Vote> out;
    for (const Output& o : log_) {
      if (const Broadcast* b = std::get_if<Broadcast>(&o)) {
        if (const Vote* v = std::get_if<Vote>(&b->msg); v && v->type == type) out.push_back(*v);
      }
    }
    return out;
  }
  std::vector<Proposal> proposals() const {
    std::vector<Proposal> out;
    for (const Output& o : log_) {
      if (const Broadcast* b = std::get_if<Broadcast>(&o)) {
        if (const Proposal* p = std::get_if<Proposal>(&b->msg)) out.push_back(*p);
      }
    }
    return out;
  }
  template <typename T>
  std::vector<T> outputs() const {
    std::vector<T> out;
    for (const Output& o : log_) {
      if (const T* t = std::get_if<T>(&o)) out.push_back(*t);
    }
    return out;
  }
  bool scheduled(Step step, uint64_t h, uint64_t r) const {
    for (const ScheduleTimeout& st : outputs<ScheduleTimeout>()) {
      if (st.timeout == Timeout{step, h, r}) return true;
    }
    return false;
  }

 private:
  void take(std::vector<Output> outs) {
    for (Output& o : outs) {
      log_.push_back(o);
      if (const Broadcast* b = std::get_if<Broadcast>(&o)) {
        if (const Proposal* p = std::get_if<Proposal>(&b->msg)) {
          take(engine_->on_proposal(*p));
        } else {
          take(engine_->on_vote(std::get<Vote>(b->msg)));
        }
      }
    }
  }

  const Net& net_;
  std::unique_ptr<Engine> engine_;
  std::vector<Output> log_;
};

std::optional<Hash32> hash_of(const Block& b) {
  return b.hash();
}

// A validator that is not the proposer of rounds 0..rounds-1 at height h.
size_t non_proposer(const Net& net, uint64_t h, uint64_t rounds) {
  for (size_t i = 0; i < net.keys.size(); ++i) {
    bool proposes = false;
    for (uint64_t r = 0; r < rounds; ++r) proposes = proposes || net.proposer(h, r) == i;
    if (!proposes) return i;
  }
  ADD_FAILURE() << "every validator proposes in rounds 0.." << rounds - 1;
  return 0;
}

// The first `count` validators other than `me`.
std::vector<size_t> others(const Net& net, size_t me, size_t count) {
  std::vector<size_t> out;
  for (size_t i = 0; i < net.keys.size() && out.size() < count; ++i) {
    if (i != me) out.push_back(i);
  }
  return out;
}

TEST(Tendermint, SingleValidatorDecidesEveryHeightInRoundZero) {
  Net net = make_net({1});
  Driver d(net, 20);
  ASSERT_TRUE(d.run());
  const auto& decided = d.decided(0);
  ASSERT_EQ(decided.size(), 20u);
  Hash32 prev{};
  for (uint64_t h = 1; h <= 20; ++h) {
    const Decision& dec = decided.at(h);
    EXPECT_EQ(dec.block.header.height, h);
    EXPECT_EQ(dec.block.header.prev_hash, prev);
    EXPECT_EQ(dec.commit.height, h);
    EXPECT_EQ(dec.commit.round, 0u) << "height " << h;
    EXPECT_EQ(dec.commit.block, dec.block.hash());
    ASSERT_EQ(dec.commit.sigs.size(), 1u);
    EXPECT_TRUE(verify_commit(net.set, dec.block.header, dec.commit).ok());
    prev = dec.block.hash();
  }
  EXPECT_EQ(d.engine(0).height(), 20u);
}

TEST(Tendermint, FourHonestValidatorsDecideTheSameBlocks) {
  Net net = make_net({1, 1, 1, 1});
  Driver d(net, 10);
  ASSERT_TRUE(d.run());
  for (uint64_t h = 1; h <= 10; ++h) {
    const Decision& first = d.decided(0).at(h);
    EXPECT_EQ(first.commit.round, 0u) << "height " << h;
    EXPECT_EQ(first.block.header.proposer, proposer_for(net.set, h, 0).address());
    EXPECT_TRUE(verify_commit(net.set, first.block.header, first.commit).ok());
    for (size_t i = 1; i < 4; ++i) {
      EXPECT_EQ(d.decided(i).at(h).block.hash(), first.block.hash()) << "engine " << i << " height " << h;
    }
  }
}

TEST(Tendermint, SilentRoundZeroProposerIsSkipped) {
  Net net = make_net({1, 1, 1, 1});
  const size_t silent = net.proposer(1, 0);
  Driver d(net, 5);
  d.drop = [&](size_t from, const Message&) { return from == silent; };
  ASSERT_TRUE(d.run());
  for (uint64_t h = 1; h <= 5; ++h) {
    const Decision& ref = d.decided(0).at(h);
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(d.decided(i).at(h).block.hash(), ref.block.hash()) << "engine " << i << " height " << h;
    }
    // The silent validator never gets a block in; rounds it leads fail.
    EXPECT_NE(ref.block.header.proposer, net.set.validators()[silent].address());
    if (net.proposer(h, 0) == silent) {
      EXPECT_GE(ref.commit.round, 1u) << "height " << h;
    }
    // It signs nothing, so no commit carries its signature.
    for (const CommitSig& s : ref.commit.sigs) EXPECT_NE(s.validator, net.set.validators()[silent].address());
  }
  EXPECT_GE(d.decided(0).at(1).commit.round, 1u);
}

TEST(Tendermint, IgnoresBadSignaturesNonValidatorsWrongHeightsAndWrongProposers) {
  Net net = make_net({1, 1, 1, 1});
  const size_t me = non_proposer(net, 1, 1);
  const std::vector<size_t> o = others(net, me, 3);
  Solo s(net, me);
  s.start(1);
  ASSERT_TRUE(s.outputs<BuildProposal>().empty());
  EXPECT_TRUE(s.scheduled(Step::kPropose, 1, 0));

  Block x = make_block(net.set, 1, "x");
  // A correctly signed proposal from a validator that is not the proposer.
  const size_t wrong = net.proposer(1, 0) == o[0] ? o[1] : o[0];
  s.deliver(make_proposal(net.keys[wrong], testing::kChain, 1, 0, -1, x).value());
  // The proposer's address with another key's signature.
  Proposal forged = make_proposal(net.keys[wrong], testing::kChain, 1, 0, -1, x).value();
  forged.proposer = net.set.validators()[net.proposer(1, 0)].address();
  s.deliver(forged);
  // Right proposer, wrong height.
  s.deliver(signed_proposal(net, 2, 0, -1, make_block(net.set, 2, "x2")));
  EXPECT_TRUE(s.votes(VoteType::kPrevote).empty());
  EXPECT_EQ(s.engine().step(), Step::kPropose);

  s.deliver(signed_proposal(net, 1, 0, -1, x));
  ASSERT_EQ(s.votes(VoteType::kPrevote).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrevote)[0].block, hash_of(x));
  s.clear();

  // Own prevote (fed back) + o[0]: 2 of 4.
  s.deliver(signed_vote(net, o[0], VoteType::kPrevote, 1, 0, hash_of(x)));
  // None of these may make a third.
  Vote bad_sig = signed_vote(net, o[1], VoteType::kPrevote, 1, 0, hash_of(x));
  bad_sig.sig[10] ^= 1;
  s.deliver(bad_sig);
  Vote other_chain = make_vote(net.keys[o[1]], "other", VoteType::kPrevote, 1, 0, hash_of(x)).value();
  s.deliver(other_chain);
  KeyPair outsider = testing::seeded_key("outsider", 0);
  s.deliver(make_vote(outsider, testing::kChain, VoteType::kPrevote, 1, 0, hash_of(x)).value());
  Vote claimed = make_vote(outsider, testing::kChain, VoteType::kPrevote, 1, 0, hash_of(x)).value();
  claimed.validator = net.set.validators()[o[1]].address();  // a member's address, the outsider's signature
  s.deliver(claimed);
  s.deliver(signed_vote(net, o[1], VoteType::kPrevote, 2, 0, hash_of(x)));  // wrong height
  s.deliver(signed_vote(net, o[0], VoteType::kPrevote, 1, 0, hash_of(x)));  // duplicate
  EXPECT_TRUE(s.log().empty());
  EXPECT_EQ(s.engine().step(), Step::kPrevote);

  s.deliver(signed_vote(net, o[1], VoteType::kPrevote, 1, 0, hash_of(x)));
  ASSERT_EQ(s.votes(VoteType::kPrecommit).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrecommit)[0].block, hash_of(x));
  EXPECT_EQ(s.engine().step(), Step::kPrecommit);
}

TEST(Tendermint, StaleTimeoutsAreIgnored) {
  Net net = make_net({1, 1, 1, 1});
  const size_t me = non_proposer(net, 1, 2);
  Solo s(net, me);
  s.start(1);
  s.clear();

  s.fire(Timeout{Step::kPrevote, 1, 0});  // wrong step
  s.fire(Timeout{Step::kPropose, 2, 0});  // wrong height
  s.fire(Timeout{Step::kPropose, 1, 1});  // wrong (future) round
  EXPECT_TRUE(s.log().empty());
  EXPECT_EQ(s.engine().step(), Step::kPropose);

  s.fire(Timeout{Step::kPropose, 1, 0});
  ASSERT_EQ(s.votes(VoteType::kPrevote).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrevote)[0].block, std::nullopt);
  EXPECT_EQ(s.engine().step(), Step::kPrevote);
  s.clear();
  s.fire(Timeout{Step::kPropose, 1, 0});  // fired again: out of date
  EXPECT_TRUE(s.log().empty());

  s.fire(Timeout{Step::kPrecommit, 1, 0});
  EXPECT_EQ(s.engine().round(), 1u);
  EXPECT_TRUE(s.scheduled(Step::kPropose, 1, 1));
  s.clear();
  s.fire(Timeout{Step::kPropose, 1, 0});
  s.fire(Timeout{Step::kPrevote, 1, 0});
  s.fire(Timeout{Step::kPrecommit, 1, 0});
  EXPECT_TRUE(s.log().empty());
  EXPECT_EQ(s.engine().round(), 1u);
  EXPECT_EQ(s.engine().step(), Step::kPropose);
}

TEST(Tendermint, LockedValidatorDoesNotPrevoteAnotherValueWithoutNewerPol) {
  Net net = make_net({1, 1, 1, 1});
  // `me` proposes in round 3 and not before.
  const size_t me = net.proposer(1, 3);
  ASSERT_EQ(non_proposer(net, 1, 3), me);
  const std::vector<size_t> o = others(net, me, 3);
  Solo s(net, me);
  s.start(1);
  Block x = make_block(net.set, 1, "x");
  Block y = make_block(net.set, 1, "y");

  // Round 0: a polka for x; me locks on x and precommits it.
  s.deliver(signed_proposal(net, 1, 0, -1, x));
  s.deliver(signed_vote(net, o[0], VoteType::kPrevote, 1, 0, hash_of(x)));
  s.deliver(signed_vote(net, o[1], VoteType::kPrevote, 1, 0, hash_of(x)));
  ASSERT_EQ(s.votes(VoteType::kPrecommit).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrecommit)[0].block, hash_of(x));
  s.deliver(signed_vote(net, o[0], VoteType::kPrecommit, 1, 0, std::nullopt));
  s.deliver(signed_vote(net, o[1], VoteType::kPrecommit, 1, 0, std::nullopt));
  EXPECT_TRUE(s.scheduled(Step::kPrecommit, 1, 0));
  EXPECT_TRUE(s.outputs<Decide>().empty());
  s.fire(Timeout{Step::kPrecommit, 1, 0});
  ASSERT_EQ(s.engine().round(), 1u);
  s.clear();

  // Round 1: y without a proof of lock: prevote nil.
  s.deliver(signed_proposal(net, 1, 1, -1, y));
  ASSERT_EQ(s.votes(VoteType::kPrevote).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrevote)[0].block, std::nullopt);
  for (size_t i : {o[0], o[1]}) s.deliver(signed_vote(net, i, VoteType::kPrevote, 1, 1, std::nullopt));
  ASSERT_EQ(s.votes(VoteType::kPrecommit).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrecommit)[0].block, std::nullopt);
  for (size_t i : {o[0], o[1]}) s.deliver(signed_vote(net, i, VoteType::kPrecommit, 1, 1, std::nullopt));
  s.fire(Timeout{Step::kPrecommit, 1, 1});
  ASSERT_EQ(s.engine().round(), 2u);
  s.clear();

  // Round 2: y claiming a proof of lock from round 1 that does not exist
  // (round 1 prevoted nil): no prevote for it; the timeout prevotes nil.
  s.deliver(signed_proposal(net, 1, 2, 1, y));
  EXPECT_TRUE(s.votes(VoteType::kPrevote).empty());
  s.fire(Timeout{Step::kPropose, 1, 2});
  ASSERT_EQ(s.votes(VoteType::kPrevote).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrevote)[0].block, std::nullopt);
  for (size_t i : {o[0], o[1]}) s.deliver(signed_vote(net, i, VoteType::kPrevote, 1, 2, std::nullopt));
  for (size_t i : {o[0], o[1]}) s.deliver(signed_vote(net, i, VoteType::kPrecommit, 1, 2, std::nullopt));
  s.fire(Timeout{Step::kPrecommit, 1, 2});
  ASSERT_EQ(s.engine().round(), 3u);

  // Round 3: me proposes its valid value x with its proof-of-lock round 0,
  // without asking the node to build a block, and prevotes it.
  EXPECT_TRUE(s.outputs<BuildProposal>().empty());
  std::vector<Proposal> props = s.proposals();
  ASSERT_EQ(props.size(), 1u);
  EXPECT_EQ(props[0].round, 3u);
  EXPECT_EQ(props[0].pol_round, 0);
  EXPECT_EQ(props[0].block.hash(), x.hash());
  ASSERT_EQ(s.votes(VoteType::kPrevote).size(), 2u);
  EXPECT_EQ(s.votes(VoteType::kPrevote)[1].block, hash_of(x));
}

TEST(Tendermint, NewerPolLetsALockedValidatorPrevoteAnotherValue) {
  Net net = make_net({1, 1, 1, 1});
  const size_t me = non_proposer(net, 1, 3);
  const std::vector<size_t> o = others(net, me, 3);
  Solo s(net, me);
  s.start(1);
  Block x = make_block(net.set, 1, "x");
  Block y = make_block(net.set, 1, "y");

  // Round 0: lock on x.
  s.deliver(signed_proposal(net, 1, 0, -1, x));
  s.deliver(signed_vote(net, o[0], VoteType::kPrevote, 1, 0, hash_of(x)));
  s.deliver(signed_vote(net, o[1], VoteType::kPrevote, 1, 0, hash_of(x)));
  ASSERT_EQ(s.votes(VoteType::kPrecommit).size(), 1u);
  for (size_t i : {o[0], o[1]}) s.deliver(signed_vote(net, i, VoteType::kPrecommit, 1, 0, std::nullopt));
  s.fire(Timeout{Step::kPrecommit, 1, 0});
  ASSERT_EQ(s.engine().round(), 1u);
  s.clear();

  // Round 1: the others form a polka for y; me never saw round 1's proposal,
  // so it prevotes nil on timeout and then precommits nil on the prevote timeout.
  for (size_t i : o) s.deliver(signed_vote(net, i, VoteType::kPrevote, 1, 1, hash_of(y)));
  s.fire(Timeout{Step::kPropose, 1, 1});
  EXPECT_TRUE(s.scheduled(Step::kPrevote, 1, 1));
  s.fire(Timeout{Step::kPrevote, 1, 1});
  ASSERT_EQ(s.votes(VoteType::kPrecommit).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrecommit)[0].block, std::nullopt);
  for (size_t i : {o[0], o[1]}) s.deliver(signed_vote(net, i, VoteType::kPrecommit, 1, 1, std::nullopt));
  s.fire(Timeout{Step::kPrecommit, 1, 1});
  ASSERT_EQ(s.engine().round(), 2u);
  s.clear();

  // Round 2: y with the round-1 proof of lock, newer than me's lock (round 0).
  s.deliver(signed_proposal(net, 1, 2, 1, y));
  ASSERT_EQ(s.votes(VoteType::kPrevote).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrevote)[0].block, hash_of(y));
}

TEST(Tendermint, FutureRoundMessagesAreStoredAndCounted) {
  Net net = make_net({1, 1, 1, 1});
  const size_t me = non_proposer(net, 1, 2);
  const std::vector<size_t> o = others(net, me, 3);
  Solo s(net, me);
  s.start(1);
  Block x = make_block(net.set, 1, "x");

  // One precommit of round 1 (1/4 of the power): stored, no round skip.
  s.deliver(signed_vote(net, o[0], VoteType::kPrecommit, 1, 1, hash_of(x)));
  EXPECT_EQ(s.engine().round(), 0u);
  // A second: more than 1/3 has moved on; skip to round 1.
  s.deliver(signed_vote(net, o[1], VoteType::kPrecommit, 1, 1, hash_of(x)));
  EXPECT_EQ(s.engine().round(), 1u);
  EXPECT_TRUE(s.outputs<Decide>().empty());
  // The third precommit and round 1's proposal: decide x in round 1.
  s.deliver(signed_vote(net, o[2], VoteType::kPrecommit, 1, 1, hash_of(x)));
  EXPECT_TRUE(s.outputs<Decide>().empty());
  s.deliver(signed_proposal(net, 1, 1, -1, x));
  std::vector<Decide> decided = s.outputs<Decide>();
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].block.hash(), x.hash());
  EXPECT_EQ(decided[0].commit.round, 1u);
  EXPECT_EQ(decided[0].commit.sigs.size(), 3u);
  EXPECT_TRUE(verify_commit(net.set, x.header, decided[0].commit).ok());

  // After deciding, input for the height is ignored until start(h + 1).
  s.clear();
  s.fire(Timeout{Step::kPropose, 1, 1});
  s.deliver(signed_vote(net, me, VoteType::kPrevote, 1, 1, hash_of(x)));
  EXPECT_TRUE(s.log().empty());
  s.start(2);
  EXPECT_EQ(s.engine().height(), 2u);
  EXPECT_EQ(s.engine().round(), 0u);
}

TEST(Tendermint, DecidesOnAnEarlierRoundsCommit) {
  Net net = make_net({1, 1, 1, 1});
  const size_t me = non_proposer(net, 1, 2);
  const std::vector<size_t> o = others(net, me, 3);
  Solo s(net, me);
  s.start(1);
  Block x = make_block(net.set, 1, "x");
  s.deliver(signed_proposal(net, 1, 0, -1, x));
  s.fire(Timeout{Step::kPrecommit, 1, 0});  // me moves to round 1 early
  ASSERT_EQ(s.engine().round(), 1u);
  for (size_t i : o) s.deliver(signed_vote(net, i, VoteType::kPrecommit, 1, 0, hash_of(x)));
  std::vector<Decide> decided = s.outputs<Decide>();
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].commit.round, 0u);
  EXPECT_TRUE(verify_commit(net.set, x.header, decided[0].commit).ok());
}

TEST(Tendermint, EquivocationIsKeptAndNotCounted) {
  Net net = make_net({1, 1, 1, 1});
  const size_t me = non_proposer(net, 1, 1);
  const std::vector<size_t> o = others(net, me, 3);
  Solo s(net, me);
  s.start(1);
  Block x = make_block(net.set, 1, "x");
  Block y = make_block(net.set, 1, "y");
  s.deliver(signed_proposal(net, 1, 0, -1, y));  // me prevotes y

  Vote first = signed_vote(net, o[0], VoteType::kPrevote, 1, 0, hash_of(x));
  Vote second = signed_vote(net, o[0], VoteType::kPrevote, 1, 0, hash_of(y));
  s.deliver(first);
  s.deliver(second);
  s.deliver(signed_vote(net, o[0], VoteType::kPrevote, 1, 0, std::nullopt));  // a third: no new evidence
  std::vector<Equivocation> ev = s.engine().equivocations();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].first, first);
  EXPECT_EQ(ev[0].second, second);

  // y has me + o[1] = 2 of 4 (o[0]'s second vote does not count): no precommit.
  s.clear();
  s.deliver(signed_vote(net, o[1], VoteType::kPrevote, 1, 0, hash_of(y)));
  EXPECT_TRUE(s.votes(VoteType::kPrecommit).empty());
  s.deliver(signed_vote(net, o[2], VoteType::kPrevote, 1, 0, hash_of(y)));
  ASSERT_EQ(s.votes(VoteType::kPrecommit).size(), 1u);
  EXPECT_EQ(s.votes(VoteType::kPrecommit)[0].block, hash_of(y));
}

TEST(Tendermint, FarFutureRoundsAreBoundedPerValidator) {
  Net net = make_net({1, 1, 1, 1});
  const size_t me = non_proposer(net, 1, 1);
  const std::vector<size_t> o = others(net, me, 3);
  Solo s(net, me);
  s.start(1);
  // o[0] fills two far rounds; its third far round is refused, so o[1]'s
  // message there does not make more than 1/3 of the power.
  s.deliver(signed_vote(net, o[0], VoteType::kPrevote, 1, 100, std::nullopt));
  s.deliver(signed_vote(net, o[0], VoteType::kPrevote, 1, 200, std::nullopt));
  s.deliver(signed_vote(net, o[0], VoteType::kPrevote, 1, 300, std::nullopt));
  s.deliver(signed_vote(net, o[1], VoteType::kPrevote, 1, 300, std::nullopt));
  EXPECT_EQ(s.engine().round(), 0u);
  // In a round it already occupies, it is still heard.
  s.deliver(signed_vote(net, o[1], VoteType::kPrevote, 1, 200, std::nullopt));
  EXPECT_EQ(s.engine().round(), 200u);
}

TEST(Tendermint, NonValidatorFollowsWithoutSigning) {
  Net net = make_net({1, 1, 1, 1});
  Solo s(net, testing::seeded_key("follower", 0));
  s.start(1);
  Block x = make_block(net.set, 1, "x");
  s.deliver(signed_proposal(net, 1, 0, -1, x));
  EXPECT_EQ(s.engine().step(), Step::kPrevote);
  for (size_t i = 0; i < 3; ++i) s.deliver(signed_vote(net, i, VoteType::kPrevote, 1, 0, hash_of(x)));
  for (size_t i = 0; i < 3; ++i) s.deliver(signed_vote(net, i, VoteType::kPrecommit, 1, 0, hash_of(x)));
  EXPECT_TRUE(s.proposals().empty());
  EXPECT_TRUE(s.votes(VoteType::kPrevote).empty());
  EXPECT_TRUE(s.votes(VoteType::kPrecommit).empty());
  ASSERT_EQ(s.outputs<Decide>().size(), 1u);
  EXPECT_EQ(s.outputs<Decide>()[0].block.hash(), x.hash());
}

TEST(Tendermint, StaleProposalReadyIsIgnored) {
  Net net = make_net({1, 1, 1, 1});
  const size_t me = net.proposer(1, 0);
  Solo s(net, me);
  s.start(1);
  ASSERT_EQ(s.outputs<BuildProposal>().size(), 1u);
  // The proposer schedules the propose timeout too: a build slower than it
  // (or a proposal it cannot sign after a restart) must not stall the round.
  EXPECT_TRUE(s.scheduled(Step::kPropose, 1, 0));
  s.clear();
  s.ready(1, 1, make_block(net.set, 1, "wrong round"));
  s.ready(2, 0, make_block(net.set, 2, "wrong height"));
  EXPECT_TRUE(s.log().empty());
  Block x = make_block(net.set, 1, "x");
  s.ready(1, 0, x);
  ASSERT_EQ(s.proposals().size(), 1u);
  EXPECT_EQ(s.proposals()[0].pol_round, -1);
  ASSERT_EQ(s.votes(VoteType::kPrevote).size(), 1u);  // its own proposal came back
  EXPECT_EQ(s.votes(VoteType::kPrevote)[0].block, hash_of(x));
  s.clear();
  s.ready(1, 0, make_block(net.set, 1, "again"));  // asked once, answered once
  EXPECT_TRUE(s.log().empty());
}

// A harsher network: every (recipient, message) pair is delivered on its own,
// in a seeded pseudo-random order; a message of round 0 between different
// validators is late with probability `late` (it arrives only after the next
// timeout fires: the network before GST); a message for a height the
// recipient has not started yet is held and delivered when it starts it (what
// the node's p2p layer must do, since the engine ignores other heights).
//
// Optionally one validator is Byzantine: it runs no engine and, for every
// (height, round, recipient), sends that recipient its own prevote and
// precommit for a value picked at random (nil, a junk hash or a value seen in
// flight), and, when it is the proposer, a proposal of its own per recipient.
// Honest nodes relay what they receive (the gossip property the paper
// assumes), so every Byzantine message reaches every honest engine. Because
// an engine counts only the first vote of an equivocator, an honest engine may
// then never see 2f+1 precommits that another honest engine decided on; like
// a node doing block sync, the driver then hands it the decided block and
// commit (verified) and starts the next height. Agreement is checked only
// between decisions the engines made themselves.
class Chaos {
 public:
  Chaos(const Net& net, uint64_t target, uint64_t seed, std::optional<size_t> byzantine, double late)
      : net_(net),
        target_(target),
        rng_(seed),
        byzantine_(byzantine),
        late_prob_(late),
        decided_(net.keys.size()),
        held_(net.keys.size()) {
    for (size_t i = 0; i < net.keys.size(); ++i) {
      engines_.push_back(byzantine == i ? nullptr : make_tendermint(test_config(), net.keys[i]));
    }
  }

  bool run(size_t max_steps = 400000) {
    for (size_t i = 0; i < engines_.size(); ++i) {
      if (honest(i)) handle(i, engines_[i]->start(1, net_.set));
    }
    for (size_t steps = 0; steps < max_steps; ++steps) {
      if (done()) return true;
      if (!flight_.empty()) {
        size_t k = std::uniform_int_distribution<size_t>(0, flight_.size() - 1)(rng_);
        Flight f = std::move(flight_[k]);
        flight_.erase(flight_.begin() + static_cast<std::ptrdiff_t>(k));
        deliver(f);
        continue;
      }
      // Nothing in flight and no progress for a while: laggards sync.
      if ((timers_.empty() || idle_timeouts_ > 20) && sync_laggards()) continue;
      if (timers_.empty()) return false;
      // Late messages arrive after the next timeout: the network was slow.
      for (Flight& f : late_) flight_.push_back(std::move(f));
      late_.clear();
      auto earliest = std::min_element(timers_.begin(), timers_.end(), [](const Timer& a, const Timer& b) {
        return std::tie(a.due, a.seq) < std::tie(b.due, b.seq);
      });
      Timer t = *earliest;
      timers_.erase(earliest);
      now_ = t.due;
      ++idle_timeouts_;
      handle(t.engine, engines_[t.engine]->on_timeout(t.timeout));
    }
    return false;
  }

  bool honest(size_t i) const { return engines_[i] != nullptr; }
  // Decisions the engine made itself (not synced).
  const std::map<uint64_t, Decision>& decided(size_t i) const { return decided_[i]; }
  size_t synced() const { return synced_; }

  std::string describe() const {
    std::string out = "t=" + std::to_string(now_) + " in flight " + std::to_string(flight_.size()) +
                      " timers " + std::to_string(timers_.size());
    for (size_t i = 0; i < engines_.size(); ++i) {
      if (!honest(i)) continue;
      const Engine& e = *engines_[i];
      out += " | v" + std::to_string(i) + " h" + std::to_string(e.height()) + " r" +
             std::to_string(e.round()) + " s" + std::to_string(static_cast<int>(e.step())) + " decided " +
             std::to_string(decided_[i].size());
    }
    return out;
  }

 private:
  struct Flight {
    size_t to;
    Message msg;
    bool relay = false;  // a Byzantine message the recipient should relay to the other honest engines
  };
  struct Timer {
    uint64_t due;
    uint64_t seq;
    size_t engine;
    Timeout timeout;
  };

  static uint64_t height_of(const Message& m) {
    return std::visit([](const auto& x) { return x.height; }, m);
  }
  static uint64_t round_of(const Message& m) {
    return std::visit([](const auto& x) { return x.round; }, m);
  }

  uint64_t finished_height(size_t i) const {
    return decided_[i].empty() ? synced_to_[i] : std::max(decided_[i].rbegin()->first, synced_to_[i]);
  }

  bool done() const {
    for (size_t i = 0; i < engines_.size(); ++i) {
      if (honest(i) && finished_height(i) < target_) return false;
    }
    return true;
  }

  const Decision* decision_at(uint64_t h) const {
    for (size_t i = 0; i < engines_.size(); ++i) {
      auto it = decided_[i].find(h);
      if (it != decided_[i].end()) return &it->second;
    }
    return nullptr;
  }

  bool sync_laggards() {
    bool any = false;
    for (size_t i = 0; i < engines_.size(); ++i) {
      if (!honest(i)) continue;
      const uint64_t h = engines_[i]->height();
      if (finished_height(i) >= h) continue;  // waiting for nothing
      const Decision* d = decision_at(h);
      if (!d) continue;
      Status ok = verify_commit(net_.set, d->block.header, d->commit);
      EXPECT_TRUE(ok.ok());
      synced_to_[i] = h;
      ++synced_;
      any = true;
      next_height(i, h);
    }
    return any;
  }

  void deliver(const Flight& f) {
    Engine& e = *engines_[f.to];
    if (height_of(f.msg) > e.height()) {
      held_[f.to].push_back(f.msg);
      return;
    }
    if (f.relay) {
      for (size_t to = 0; to < engines_.size(); ++to) {
        if (honest(to) && to != f.to) flight_.push_back(Flight{to, f.msg});
      }
    }
    if (byzantine_) inject(f.to, f.msg);
    if (const Proposal* p = std::get_if<Proposal>(&f.msg)) {
      handle(f.to, e.on_proposal(*p));
    } else {
      handle(f.to, e.on_vote(std::get<Vote>(f.msg)));
    }
  }

  // The Byzantine validator's messages for the (height, round) of `m`, to `to`.
  void inject(size_t to, const Message& m) {
    const uint64_t h = height_of(m), r = round_of(m);
    if (!injected_.insert({h, r, to}).second) return;
    const size_t b = *byzantine_;
    std::optional<Hash32> seen;
    if (const Proposal* p = std::get_if<Proposal>(&m)) seen = p->block.hash();
    if (const Vote* v = std::get_if<Vote>(&m)) seen = v->block;
    auto pick = [&]() -> std::optional<Hash32> {
      switch (std::uniform_int_distribution<int>(0, 2)(rng_)) {
        case 0: return std::nullopt;
        case 1: return sha256(as_bytes("junk-" + std::to_string(h) + "-" + std::to_string(r)));
        default: return seen;
      }
    };
    flight_.push_back(Flight{to, signed_vote(net_, b, VoteType::kPrevote, h, r, pick()), true});
    flight_.push_back(Flight{to, signed_vote(net_, b, VoteType::kPrecommit, h, r, pick()), true});
    if (net_.proposer(h, r) == b) {
      std::string label = "byz-" + std::to_string(h) + "-" + std::to_string(r) + "-" + std::to_string(to);
      flight_.push_back(Flight{to, signed_proposal(net_, h, r, -1, make_block(net_.set, h, label)), true});
    }
  }

  void next_height(size_t i, uint64_t h) {
    if (h >= target_) return;
    handle(i, engines_[i]->start(h + 1, net_.set));
    std::vector<Message> held = std::exchange(held_[i], {});
    for (Message& m : held) {
      if (height_of(m) == h + 1) {
        deliver(Flight{i, std::move(m)});
      } else if (height_of(m) > h + 1) {
        held_[i].push_back(std::move(m));
      }
    }
  }

  void handle(size_t i, std::vector<Output> outputs) {
    for (Output& out : outputs) {
      if (Broadcast* bc = std::get_if<Broadcast>(&out)) {
        for (size_t to = 0; to < engines_.size(); ++to) {
          if (!honest(to)) continue;
          bool late = to != i && round_of(bc->msg) == 0 && std::bernoulli_distribution(late_prob_)(rng_);
          (late ? late_ : flight_).push_back(Flight{to, bc->msg});
        }
      } else if (ScheduleTimeout* st = std::get_if<ScheduleTimeout>(&out)) {
        timers_.push_back(Timer{now_ + st->after_ms, seq_++, i, st->timeout});
      } else if (BuildProposal* bp = std::get_if<BuildProposal>(&out)) {
        std::string label =
            "h" + std::to_string(bp->height) + "-r" + std::to_string(bp->round) + "-v" + std::to_string(i);
        handle(i, engines_[i]->on_proposal_ready(bp->height, bp->round,
                                                 make_block(net_.set, bp->height, label)));
      } else {
        Decide& d = std::get<Decide>(out);
        const uint64_t h = d.block.header.height;
        Status ok = verify_commit(net_.set, d.block.header, d.commit);
        EXPECT_TRUE(ok.ok()) << (ok.ok() ? "" : ok.error().to_string());
        decided_[i][h] = Decision{d.block, d.commit};
        idle_timeouts_ = 0;
        next_height(i, h);
      }
    }
  }

  const Net& net_;
  const uint64_t target_;
  std::mt19937_64 rng_;
  const std::optional<size_t> byzantine_;
  const double late_prob_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::vector<std::map<uint64_t, Decision>> decided_;
  std::vector<uint64_t> synced_to_ = std::vector<uint64_t>(net_.keys.size(), 0);
  size_t synced_ = 0;
  std::vector<Flight> flight_;
  std::vector<Flight> late_;
  std::vector<std::vector<Message>> held_;
  std::set<std::tuple<uint64_t, uint64_t, size_t>> injected_;
  std::vector<Timer> timers_;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
  uint64_t idle_timeouts_ = 0;
};

// Agreement (honest validators never decide different blocks at a height)
// and termination under seeded reordering, late messages and optionally one
// Byzantine validator. Returns how many decisions laggards had to sync.
size_t expect_agreement(const Net& net, std::optional<size_t> byzantine, double late, uint64_t seeds,
                        uint64_t heights) {
  size_t synced = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    Chaos c(net, heights, seed, byzantine, late);
    EXPECT_TRUE(c.run()) << "seed " << seed << ": " << c.describe();
    synced += c.synced();
    for (uint64_t h = 1; h <= heights; ++h) {
      std::optional<Hash32> agreed;
      size_t deciders = 0;
      for (size_t i = 0; i < net.keys.size(); ++i) {
        auto it = c.decided(i).find(h);
        if (!c.honest(i) || it == c.decided(i).end()) continue;
        ++deciders;
        if (!agreed) agreed = it->second.block.hash();
        EXPECT_EQ(it->second.block.hash(), *agreed)
            << "seed " << seed << " height " << h << " validator " << i;
      }
      EXPECT_GE(deciders, 1u) << "seed " << seed << " height " << h;
    }
  }
  return synced;
}

TEST(Tendermint, ReorderingAndLateMessagesStillAgree) {
  EXPECT_EQ(expect_agreement(make_net({1, 1, 1, 1}), std::nullopt, 0.3, 20, 4), 0u);
}

TEST(Tendermint, OneByzantineOfFourCannotBreakAgreement) {
  Net net = make_net({1, 1, 1, 1});
  size_t synced = expect_agreement(net, net.proposer(1, 0), 0.2, 20, 4);
  std::cout << "    decisions synced by laggards: " << synced << " of " << 20 * 4 * 3 << "\n";
}

TEST(Tendermint, WeightedSetWithByzantineBelowOneThirdAgrees) {
  Net net = make_net({1, 2, 3, 4});
  size_t byz = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (net.set.validators()[i].power == 3) byz = i;  // 3 of 10 < 1/3
  }
  size_t synced = expect_agreement(net, byz, 0.2, 20, 4);
  std::cout << "    decisions synced by laggards: " << synced << " of " << 20 * 4 * 3 << "\n";
}

TEST(ProposerFor, DeterministicAndRotating) {
  Net net = make_net({1, 1, 1, 1});
  // The same set built from another order gives the same proposers.
  std::vector<Validator> reversed(net.set.validators().rbegin(), net.set.validators().rend());
  ValidatorSet again = ValidatorSet::make(reversed).value();
  for (uint64_t h = 1; h <= 200; ++h) {
    for (uint64_t r = 0; r < 4; ++r) {
      const Validator& p = proposer_for(net.set, h, r);
      EXPECT_EQ(&p, &proposer_for(net.set, h, r));
      EXPECT_EQ(p.address(), proposer_for(again, h, r).address());
      // Equal powers: the next round always has another proposer.
      EXPECT_NE(p.address(), proposer_for(net.set, h, r + 1).address()) << h << "/" << r;
    }
  }
  // Huge heights and rounds do not overflow.
  EXPECT_NO_FATAL_FAILURE(proposer_for(net.set, UINT64_MAX, UINT64_MAX));
}

TEST(ProposerFor, WeightedByPower) {
  Net net = make_net({3, 1, 1, 1});
  std::map<size_t, uint64_t> count;
  for (uint64_t h = 1; h <= 6000; ++h) ++count[net.proposer(h, 0)];
  size_t heavy = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (net.set.validators()[i].power == 3) heavy = i;
  }
  EXPECT_EQ(count[heavy], 3000u);
  for (size_t i = 0; i < 4; ++i) {
    if (i != heavy) {
      EXPECT_EQ(count[i], 1000u) << i;
    }
  }
  // Large powers: still proportional over any window of total-power steps,
  // and the heavy validator does not get long runs of consecutive turns.
  Net big = make_net({3000000, 1000000, 1000000, 1000000}, "big");
  std::map<size_t, uint64_t> big_count;
  size_t longest = 0, run = 0, last = SIZE_MAX;
  for (uint64_t h = 1; h <= 60000; ++h) {
    size_t p = big.proposer(h, 0);
    ++big_count[p];
    run = p == last ? run + 1 : 1;
    last = p;
    longest = std::max(longest, run);
  }
  size_t big_heavy = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (big.set.validators()[i].power == 3000000) big_heavy = i;
  }
  double ratio = static_cast<double>(big_count[big_heavy]) / 60000.0;
  EXPECT_NEAR(ratio, 0.5, 0.02);
  EXPECT_LE(longest, 4u);
}

}  // namespace
}  // namespace trustmesh::consensus
