// Signer: never two different votes for one (height, round, type) or two
// proposals for one (height, round), across reopening the same log; a
// precommit's block and proof of lock survive; compaction keeps the newest
// height. And the engine restored from the log after a "crash" comes back
// locked: it re-sends its votes and prevotes nil for another block.
#include "consensus/signer.h"

#include <gtest/gtest.h>

#include "consensus/consensus_util.h"

namespace trustmesh::consensus {
namespace {

using namespace testing;

std::shared_ptr<Signer> open_signer(const KeyPair& key, std::shared_ptr<SignLog> log) {
  auto s = Signer::open(key, std::string(kChain), std::move(log));
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return std::move(s).value();
}

TEST(Signer, RefusesConflictsEvenAfterReopening) {
  Net net = make_net({1, 1, 1, 1});
  auto log = std::make_shared<MemorySignLog>();
  Hash32 a = make_block(net.set, 1, "a").hash(), b = make_block(net.set, 1, "b").hash();
  {
    auto s = open_signer(net.keys[0], log);
    auto v = s->sign_vote(VoteType::kPrevote, 1, 0, a);
    ASSERT_TRUE(v.ok());
    auto again = s->sign_vote(VoteType::kPrevote, 1, 0, a);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->block, v->block);
    EXPECT_EQ(s->sign_vote(VoteType::kPrevote, 1, 0, b).error().code, ErrorCode::kConflict);
    EXPECT_EQ(s->sign_vote(VoteType::kPrevote, 1, 0, std::nullopt).error().code, ErrorCode::kConflict);
    EXPECT_TRUE(s->sign_vote(VoteType::kPrecommit, 1, 0, std::nullopt).ok());  // another type
    EXPECT_TRUE(s->sign_vote(VoteType::kPrevote, 1, 1, b).ok());               // another round
    ASSERT_TRUE(s->sign_proposal(1, 2, -1, make_block(net.set, 1, "p")).ok());
    EXPECT_EQ(s->sign_proposal(1, 2, -1, make_block(net.set, 1, "q")).error().code, ErrorCode::kConflict);
  }
  // A restart: a new Signer on the same log remembers everything.
  auto s = open_signer(net.keys[0], log);
  EXPECT_EQ(s->sign_vote(VoteType::kPrevote, 1, 0, b).error().code, ErrorCode::kConflict);
  EXPECT_EQ(s->sign_vote(VoteType::kPrevote, 1, 1, a).error().code, ErrorCode::kConflict);
  EXPECT_EQ(s->sign_vote(VoteType::kPrecommit, 1, 0, a).error().code, ErrorCode::kConflict);
  EXPECT_EQ(s->sign_proposal(1, 2, -1, make_block(net.set, 1, "q")).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(s->sign_proposal(1, 2, -1, make_block(net.set, 1, "p")).ok());
  EXPECT_EQ(s->votes_at(1).size(), 3u);
}

TEST(Signer, KeepsThePrecommittedBlockAndItsProofOfLock) {
  Net net = make_net({1, 1, 1, 1});
  auto log = std::make_shared<MemorySignLog>();
  Block blk = make_block(net.set, 3, "locked");
  std::vector<Vote> pol;
  for (size_t i = 0; i < 3; ++i) pol.push_back(signed_vote(net, i, VoteType::kPrevote, 3, 1, blk.hash()));
  ASSERT_TRUE(
      open_signer(net.keys[0], log)->sign_vote(VoteType::kPrecommit, 3, 1, blk.hash(), &blk, &pol).ok());
  auto s = open_signer(net.keys[0], log);
  auto back = s->block_at(3, blk.hash());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->hash(), blk.hash());
  EXPECT_EQ(s->pol_at(3, blk.hash()), pol);
}

TEST(Signer, CompactionKeepsTheNewestHeight) {
  Net net = make_net({1});
  auto log = std::make_shared<MemorySignLog>();
  {
    auto s = open_signer(net.keys[0], log);
    for (uint64_t h = 1; h <= 2100; ++h) {
      ASSERT_TRUE(s->sign_vote(VoteType::kPrevote, h, 0, std::nullopt).ok());
      ASSERT_TRUE(s->sign_vote(VoteType::kPrecommit, h, 0, std::nullopt).ok());
    }
  }
  auto s = open_signer(net.keys[0], log);  // 4,200 records: compacted on open
  EXPECT_EQ(log->load()->size(), 2u);
  EXPECT_EQ(s->votes_at(2100).size(), 2u);
  EXPECT_EQ(s->sign_vote(VoteType::kPrevote, 2100, 0, Hash32{}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(open_signer(net.keys[0], log)->votes_at(2100).size(), 2u);
}

std::vector<Vote> broadcast_votes(const std::vector<Output>& outs, const Address& who) {
  std::vector<Vote> v;
  for (const Output& o : outs) {
    if (auto* b = std::get_if<Broadcast>(&o)) {
      if (auto* vote = std::get_if<Vote>(&b->msg); vote && vote->validator == who) v.push_back(*vote);
    }
  }
  return v;
}

TEST(Signer, RestartedEngineComesBackLockedAndSilentAboutOtherBlocks) {
  Net net = make_net({1, 1, 1, 1});
  // A validator that proposes neither round 0 nor round 1 of height 1.
  size_t me = 0;
  while (me == net.proposer(1, 0) || me == net.proposer(1, 1)) ++me;
  const Address my_addr = net.set.validators()[me].address();
  auto log = std::make_shared<MemorySignLog>();
  Block b = make_block(net.set, 1, "b");
  {
    auto engine = make_tendermint(test_config(), open_signer(net.keys[me], log));
    engine->start(1, net.set);
    auto outs = engine->on_proposal(signed_proposal(net, 1, 0, -1, b));
    auto mine = broadcast_votes(outs, my_addr);
    ASSERT_EQ(mine.size(), 1u);
    engine->on_vote(mine[0]);
    std::vector<Vote> precommits;
    for (size_t i = 0; i < 4; ++i) {
      if (i == me) continue;
      auto o = engine->on_vote(signed_vote(net, i, VoteType::kPrevote, 1, 0, b.hash()));
      for (const Vote& v : broadcast_votes(o, my_addr)) precommits.push_back(v);
    }
    ASSERT_EQ(precommits.size(), 1u);
    EXPECT_EQ(precommits[0].type, VoteType::kPrecommit);
    EXPECT_EQ(precommits[0].block, b.hash());
  }  // crash: the engine is gone, the log stays
  auto engine = make_tendermint(test_config(), open_signer(net.keys[me], log));
  auto outs = engine->start(1, net.set);
  auto resent = broadcast_votes(outs, my_addr);
  // Its prevote and precommit go out again (the prevote twice: it is also
  // part of the proof of lock), and nothing else of its own.
  ASSERT_GE(resent.size(), 2u);
  bool prevote = false, precommit = false;
  for (const Vote& v : resent) {
    EXPECT_EQ(v.block, b.hash());
    prevote |= v.type == VoteType::kPrevote;
    precommit |= v.type == VoteType::kPrecommit;
  }
  EXPECT_TRUE(prevote && precommit);
  size_t pol = 0;
  for (const Output& o : outs) {
    if (auto* bc = std::get_if<Broadcast>(&o)) {
      if (auto* v = std::get_if<Vote>(&bc->msg); v && v->validator != my_addr) ++pol;
    }
  }
  EXPECT_GE(pol, 2u) << "and so does the proof of lock";
  EXPECT_EQ(engine->round(), 0u);
  EXPECT_EQ(engine->step(), Step::kPrecommit);
  // Round 1 proposes another block: the restored validator stays locked.
  engine->on_timeout(Timeout{Step::kPrecommit, 1, 0});
  ASSERT_EQ(engine->round(), 1u);
  auto o = engine->on_proposal(signed_proposal(net, 1, 1, -1, make_block(net.set, 1, "c")));
  auto votes = broadcast_votes(o, my_addr);
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].type, VoteType::kPrevote);
  EXPECT_FALSE(votes[0].block.has_value()) << "locked on b: nil for c";
}

}  // namespace
}  // namespace trustmesh::consensus
