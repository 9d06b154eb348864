// Tests of the consensus wire types (block.h, vote.h, validator_set.h):
// encode/decode round trips, strict decoding, the tx Merkle root's shape and
// verify_commit, the check light clients run.
#include "consensus/block.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "consensus/validator_set.h"
#include "consensus/vote.h"
#include "consensus_util.h"
#include "core/hash.h"

namespace trustmesh::consensus {
namespace {

using cbor::Value;
using testing::kChain;
using testing::make_block;
using testing::make_net;
using testing::Net;
using testing::signed_vote;

Hash32 h32(std::string_view label) {
  return sha256(as_bytes(label));
}

BlockHeader sample_header() {
  BlockHeader h;
  h.chain_id = "test";
  h.height = 42;
  h.time = 1767225600;
  h.prev_hash = h32("prev");
  h.tx_root = h32("txs");
  h.state_root = h32("state");
  h.validators_hash = h32("vals");
  h.next_validators_hash = h32("next");
  h.proposer = Address::of(testing::seeded_key("proposer", 0).public_key());
  return h;
}

// `m` (a map) with `key` set to `v`, added if absent.
Value with_field(const Value& m, std::string_view key, Value v) {
  cbor::MapEntries entries = m.map_entries();
  for (auto& [k, val] : entries) {
    if (k == Value::text(std::string(key))) {
      val = std::move(v);
      return Value::map(std::move(entries));
    }
  }
  entries.emplace_back(Value::text(std::string(key)), std::move(v));
  return Value::map(std::move(entries));
}

Value without_field(const Value& m, std::string_view key) {
  cbor::MapEntries entries;
  for (const auto& [k, val] : m.map_entries()) {
    if (!(k == Value::text(std::string(key)))) entries.emplace_back(k, val);
  }
  return Value::map(std::move(entries));
}

Bytes leaf(std::string_view tx) {
  Bytes b{0x00};
  append(b, as_bytes(tx));
  return b;
}

Hash32 node(const Hash32& l, const Hash32& r) {
  Bytes b{0x01};
  append(b, l);
  append(b, r);
  return sha256(b);
}

std::vector<Bytes> txs_of(std::initializer_list<std::string_view> txs) {
  std::vector<Bytes> out;
  for (std::string_view t : txs) out.push_back(to_bytes(t));
  return out;
}

// --- round trips ---

TEST(Block, HeaderRoundTrip) {
  BlockHeader h = sample_header();
  Bytes enc = h.encode();
  Result<BlockHeader> back = BlockHeader::decode(enc);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, h);
  EXPECT_EQ(back->encode(), enc);
  EXPECT_EQ(back->hash(), h.hash());
  EXPECT_EQ(h.hash(), sha256(enc));
  // Every field is covered by the hash.
  BlockHeader other = h;
  other.time += 1;
  EXPECT_NE(other.hash(), h.hash());
  other = h;
  other.proposer = Address();
  EXPECT_NE(other.hash(), h.hash());
  other = h;
  other.next_validators_hash[0] ^= 1;
  EXPECT_NE(other.hash(), h.hash());
}

TEST(Block, BlockRoundTrip) {
  Net net = make_net({1});
  Block b = make_block(net.set, 7, "tx-a");
  b.txs.push_back(to_bytes("tx-b"));
  b.txs.push_back(Bytes{});
  b.header.tx_root = tx_merkle_root(b.txs);
  Bytes enc = b.encode();
  Result<Block> back = Block::decode(enc);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->header, b.header);
  EXPECT_EQ(back->txs, b.txs);
  EXPECT_EQ(back->encode(), enc);
  EXPECT_EQ(back->hash(), b.hash());
  // A body that does not match the header's tx root is refused.
  Block wrong = b;
  wrong.txs.pop_back();
  EXPECT_FALSE(Block::decode(wrong.encode()).ok());
  // So is a block larger than the bound.
  EXPECT_EQ(Block::decode(enc, enc.size() - 1).error().code, ErrorCode::kTooLarge);
}

TEST(Block, VoteRoundTrip) {
  Net net = make_net({1, 1});
  for (std::optional<Hash32> block : {std::optional<Hash32>(), std::optional<Hash32>(h32("b"))}) {
    for (VoteType type : {VoteType::kPrevote, VoteType::kPrecommit}) {
      Vote v = signed_vote(net, 1, type, 9, 3, block);
      Result<Vote> back = Vote::from_cbor(v.to_cbor());
      ASSERT_TRUE(back.ok()) << back.error().to_string();
      EXPECT_EQ(*back, v);
      EXPECT_EQ(v.validator, net.set.validators()[1].address());
      EXPECT_TRUE(net.set.validators()[1].key.verify(back->sign_bytes(kChain), back->sig));
      // The signature binds chain, type, height, round and value.
      EXPECT_FALSE(net.set.validators()[1].key.verify(back->sign_bytes("other"), back->sig));
      Vote changed = *back;
      changed.round += 1;
      EXPECT_FALSE(net.set.validators()[1].key.verify(changed.sign_bytes(kChain), changed.sig));
      changed = *back;
      changed.type = type == VoteType::kPrevote ? VoteType::kPrecommit : VoteType::kPrevote;
      EXPECT_FALSE(net.set.validators()[1].key.verify(changed.sign_bytes(kChain), changed.sig));
      changed = *back;
      changed.block = block ? std::nullopt : std::optional<Hash32>(h32("b"));
      EXPECT_FALSE(net.set.validators()[1].key.verify(changed.sign_bytes(kChain), changed.sig));
    }
  }
}

TEST(Block, ProposalRoundTrip) {
  Net net = make_net({1});
  Block b = make_block(net.set, 3, "p");
  for (int64_t pol : {int64_t{-1}, int64_t{0}, int64_t{4}}) {
    Proposal p = make_proposal(net.keys[0], kChain, 3, 5, pol, b).value();
    Result<Proposal> back = Proposal::from_cbor(p.to_cbor());
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->height, 3u);
    EXPECT_EQ(back->round, 5u);
    EXPECT_EQ(back->pol_round, pol);
    EXPECT_EQ(back->block.hash(), b.hash());
    EXPECT_EQ(back->block.txs, b.txs);
    EXPECT_EQ(back->proposer, net.set.validators()[0].address());
    EXPECT_EQ(back->sig, p.sig);
    EXPECT_TRUE(net.set.validators()[0].key.verify(back->sign_bytes(kChain), back->sig));
    EXPECT_EQ(cbor::encode(back->to_cbor()), cbor::encode(p.to_cbor()));
  }
  // pol_round must be -1 or below the round.
  for (int64_t pol : {int64_t{-2}, int64_t{5}, int64_t{6}}) {
    Proposal p = make_proposal(net.keys[0], kChain, 3, 5, pol, b).value();
    EXPECT_FALSE(Proposal::from_cbor(p.to_cbor()).ok()) << pol;
  }
}

TEST(Block, CommitRoundTrip) {
  Net net = make_net({1, 1, 1, 1});
  Hash32 block = h32("c");
  std::vector<Vote> votes;
  for (size_t i : {3, 1, 0, 1}) votes.push_back(signed_vote(net, i, VoteType::kPrecommit, 8, 2, block));
  Commit c = make_commit(8, 2, block, votes);
  ASSERT_EQ(c.sigs.size(), 3u);  // sorted, duplicate dropped
  EXPECT_TRUE(std::is_sorted(c.sigs.begin(), c.sigs.end(), [](const CommitSig& a, const CommitSig& b) {
    return a.validator < b.validator;
  }));
  Bytes enc = c.encode();
  Result<Commit> back = Commit::decode(enc);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, c);
  EXPECT_EQ(back->encode(), enc);
  // Each signature is the validator's precommit.
  for (const CommitSig& s : back->sigs) {
    Vote v = back->precommit_of(s);
    EXPECT_EQ(v.type, VoteType::kPrecommit);
    EXPECT_EQ(v.block, block);
    EXPECT_TRUE(net.set.validators()[*net.set.index_of(s.validator)].key.verify(v.sign_bytes(kChain), v.sig));
  }
}

TEST(Block, ValidatorSetRoundTrip) {
  Net net = make_net({5, 1, 3, 2});
  Value v = net.set.to_cbor();
  Result<ValidatorSet> back = ValidatorSet::from_cbor(v);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->hash(), net.set.hash());
  EXPECT_EQ(back->total_power(), 11u);
  ASSERT_EQ(back->size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(back->validators()[i].key, net.set.validators()[i].key);
    EXPECT_EQ(back->validators()[i].power, net.set.validators()[i].power);
  }
  // The hash depends on the powers.
  std::vector<Validator> vals = net.set.validators();
  vals[0].power += 1;
  EXPECT_NE(ValidatorSet::make(vals).value().hash(), net.set.hash());
}

// --- strict decoding ---

TEST(Block, HeaderDecodeIsStrict) {
  Value v = sample_header().to_cbor();
  ASSERT_TRUE(BlockHeader::decode(cbor::encode(v)).ok());
  // Unknown field.
  EXPECT_FALSE(BlockHeader::decode(cbor::encode(with_field(v, "extra", Value::uint(1)))).ok());
  // Missing field.
  EXPECT_FALSE(BlockHeader::decode(cbor::encode(without_field(v, "state"))).ok());
  // Wrong hash sizes.
  for (std::string_view key : {"prev", "txs", "state", "vals", "next_vals"}) {
    EXPECT_FALSE(BlockHeader::decode(cbor::encode(with_field(v, key, Value::bytes(Bytes(31, 7))))).ok())
        << key;
    EXPECT_FALSE(BlockHeader::decode(cbor::encode(with_field(v, key, Value::bytes(Bytes(33, 7))))).ok())
        << key;
  }
  EXPECT_FALSE(BlockHeader::decode(cbor::encode(with_field(v, "proposer", Value::bytes(Bytes(19, 7))))).ok());
  // Wrong types.
  EXPECT_FALSE(BlockHeader::decode(cbor::encode(with_field(v, "height", Value::integer(-1)))).ok());
  EXPECT_FALSE(BlockHeader::decode(cbor::encode(with_field(v, "chain", Value::bytes(Bytes{1})))).ok());
  // Non-canonical CBOR: the height as a 9-byte integer instead of 2.
  Bytes enc = sample_header().encode();
  Bytes long_form = cbor::encode(Value::text("height"));
  auto at = std::search(enc.begin(), enc.end(), long_form.begin(), long_form.end());
  ASSERT_NE(at, enc.end());
  size_t pos = static_cast<size_t>(at - enc.begin()) + long_form.size();
  ASSERT_EQ(enc[pos], 0x18);  // 42: one-byte argument
  Bytes bad(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(pos));
  Bytes wide = {0x1b, 0, 0, 0, 0, 0, 0, 0, 42};
  append(bad, wide);
  bad.insert(bad.end(), enc.begin() + static_cast<std::ptrdiff_t>(pos + 2), enc.end());
  EXPECT_FALSE(BlockHeader::decode(bad).ok());
  // Trailing bytes.
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_FALSE(BlockHeader::decode(trailing).ok());
}

TEST(Block, BlockAndVoteDecodeAreStrict) {
  Net net = make_net({1});
  Block b = make_block(net.set, 2, "x");
  Value bv = b.to_cbor();
  EXPECT_FALSE(Block::decode(cbor::encode(with_field(bv, "extra", Value::null()))).ok());
  EXPECT_FALSE(Block::decode(cbor::encode(with_field(bv, "txs", Value::array({Value::text("x")})))).ok());

  Vote v = signed_vote(net, 0, VoteType::kPrevote, 1, 0, h32("v"));
  Value vv = v.to_cbor();
  EXPECT_FALSE(Vote::from_cbor(with_field(vv, "extra", Value::uint(0))).ok());
  EXPECT_FALSE(Vote::from_cbor(with_field(vv, "type", Value::uint(3))).ok());
  EXPECT_FALSE(Vote::from_cbor(with_field(vv, "block", Value::bytes(Bytes(31, 1)))).ok());
  EXPECT_FALSE(Vote::from_cbor(with_field(vv, "validator", Value::bytes(Bytes(21, 1)))).ok());
  EXPECT_FALSE(Vote::from_cbor(without_field(vv, "sig")).ok());
}

TEST(Block, CommitDecodeIsStrict) {
  Net net = make_net({1, 1, 1, 1});
  Hash32 block = h32("c");
  std::vector<Vote> votes;
  for (size_t i = 0; i < 3; ++i) votes.push_back(signed_vote(net, i, VoteType::kPrecommit, 8, 0, block));
  Commit c = make_commit(8, 0, block, votes);
  ASSERT_TRUE(Commit::decode(c.encode()).ok());

  Commit unsorted = c;
  std::reverse(unsorted.sigs.begin(), unsorted.sigs.end());
  Result<Commit> r = Commit::decode(unsorted.encode());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNonCanonical);

  Commit duplicated = c;
  duplicated.sigs.insert(duplicated.sigs.begin() + 1, duplicated.sigs[0]);
  EXPECT_FALSE(Commit::decode(duplicated.encode()).ok());

  EXPECT_FALSE(Commit::decode(cbor::encode(with_field(c.to_cbor(), "extra", Value::uint(1)))).ok());
  EXPECT_FALSE(
      Commit::decode(cbor::encode(with_field(c.to_cbor(), "block", Value::bytes(Bytes(31, 0))))).ok());
  Value bad_sig_entry = Value::array({Value::array({Value::bytes(Bytes(20, 1))})});
  EXPECT_FALSE(Commit::decode(cbor::encode(with_field(c.to_cbor(), "sigs", bad_sig_entry))).ok());
  Value short_addr = Value::array({Value::array({Value::bytes(Bytes(19, 1)), Value::bytes(Bytes(64, 0))})});
  EXPECT_FALSE(Commit::decode(cbor::encode(with_field(c.to_cbor(), "sigs", short_addr))).ok());
}

TEST(Block, ValidatorSetDecodeIsStrict) {
  Net net = make_net({1, 2, 3});
  cbor::Array items = net.set.to_cbor().array_items();
  std::reverse(items.begin(), items.end());
  Result<ValidatorSet> r = ValidatorSet::from_cbor(Value::array(items));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNonCanonical);
  cbor::Array zero = net.set.to_cbor().array_items();
  zero[0] = Value::array({zero[0].array_items()[0], Value::uint(0)});
  EXPECT_FALSE(ValidatorSet::from_cbor(Value::array(zero)).ok());
  cbor::Array dup = net.set.to_cbor().array_items();
  dup[1] = dup[0];
  EXPECT_FALSE(ValidatorSet::from_cbor(Value::array(dup)).ok());
  EXPECT_FALSE(ValidatorSet::from_cbor(Value::array({})).ok());
  EXPECT_FALSE(
      ValidatorSet::from_cbor(Value::array({Value::array({Value::bytes(Bytes(34, 9)), Value::uint(1)})}))
          .ok());
}

// --- tx Merkle root ---

TEST(Block, TxMerkleRootShapes) {
  const Hash32 la = sha256(leaf("a")), lb = sha256(leaf("b")), lc = sha256(leaf("c")), ld = sha256(leaf("d")),
               le = sha256(leaf("e"));
  EXPECT_EQ(tx_merkle_root({}), sha256(ByteView()));
  EXPECT_EQ(tx_merkle_root(txs_of({"a"})), la);
  EXPECT_EQ(tx_merkle_root(txs_of({"a", "b"})), node(la, lb));
  EXPECT_EQ(tx_merkle_root(txs_of({"a", "b", "c"})), node(node(la, lb), lc));
  EXPECT_EQ(tx_merkle_root(txs_of({"a", "b", "c", "d", "e"})), node(node(node(la, lb), node(lc, ld)), le));

  std::vector<Hash32> roots = {tx_merkle_root({}), tx_merkle_root(txs_of({"a"})),
                               tx_merkle_root(txs_of({"a", "b"})), tx_merkle_root(txs_of({"a", "b", "c"})),
                               tx_merkle_root(txs_of({"a", "b", "c", "d", "e"}))};
  for (size_t i = 0; i < roots.size(); ++i) {
    for (size_t j = i + 1; j < roots.size(); ++j) EXPECT_NE(roots[i], roots[j]) << i << " " << j;
  }

  // Changing, reordering or duplicating any transaction changes the root.
  std::vector<Bytes> five = txs_of({"a", "b", "c", "d", "e"});
  const Hash32 base = tx_merkle_root(five);
  for (size_t i = 0; i < five.size(); ++i) {
    std::vector<Bytes> changed = five;
    changed[i].push_back('!');
    EXPECT_NE(tx_merkle_root(changed), base) << i;
  }
  std::vector<Bytes> swapped = five;
  std::swap(swapped[3], swapped[4]);
  EXPECT_NE(tx_merkle_root(swapped), base);
  std::vector<Bytes> dup = five;
  dup.push_back(five.back());
  EXPECT_NE(tx_merkle_root(dup), base);

  // Leaves and inner nodes are domain-separated: a tx that looks like two
  // leaf hashes does not reproduce the two-leaf root.
  Bytes fake(la.begin(), la.end());
  append(fake, lb);
  EXPECT_NE(tx_merkle_root({fake}), tx_merkle_root(txs_of({"a", "b"})));
}

// --- verify_commit ---

class VerifyCommit : public ::testing::Test {
 protected:
  VerifyCommit() : net(make_net({1, 1, 1, 1})), block(make_block(net.set, 5, "block")) {}

  Commit commit_by(std::vector<size_t> signers, uint64_t height = 5, uint64_t round = 2,
                   std::optional<Hash32> hash = std::nullopt) const {
    Hash32 h = hash ? *hash : block.hash();
    std::vector<Vote> votes;
    for (size_t i : signers) votes.push_back(signed_vote(net, i, VoteType::kPrecommit, height, round, h));
    return make_commit(height, round, h, votes);
  }

  Net net;
  Block block;
};

TEST_F(VerifyCommit, OkWithQuorum) {
  EXPECT_TRUE(verify_commit(net.set, block.header, commit_by({0, 1, 2})).ok());
  EXPECT_TRUE(verify_commit(net.set, block.header, commit_by({1, 2, 3})).ok());
  EXPECT_TRUE(verify_commit(net.set, block.header, commit_by({0, 1, 2, 3})).ok());
}

TEST_F(VerifyCommit, FailsWithoutQuorum) {
  EXPECT_FALSE(verify_commit(net.set, block.header, commit_by({0, 1})).ok());
  EXPECT_FALSE(verify_commit(net.set, block.header, commit_by({3})).ok());
  EXPECT_FALSE(verify_commit(net.set, block.header, commit_by({})).ok());
}

TEST_F(VerifyCommit, QuorumIsByPowerNotCount) {
  Net weighted = make_net({1, 1, 1, 3});  // total 6: quorum needs 5
  Block b = make_block(weighted.set, 5, "w");
  size_t heavy = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (weighted.set.validators()[i].power == 3) heavy = i;
  }
  std::vector<size_t> light;
  for (size_t i = 0; i < 4; ++i) {
    if (i != heavy) light.push_back(i);
  }
  auto commit = [&](std::vector<size_t> signers) {
    std::vector<Vote> votes;
    for (size_t i : signers) votes.push_back(signed_vote(weighted, i, VoteType::kPrecommit, 5, 0, b.hash()));
    return make_commit(5, 0, b.hash(), votes);
  };
  EXPECT_FALSE(verify_commit(weighted.set, b.header, commit(light)).ok());              // 3 of 6
  EXPECT_FALSE(verify_commit(weighted.set, b.header, commit({heavy, light[0]})).ok());  // 4 of 6: exactly 2/3
  EXPECT_TRUE(verify_commit(weighted.set, b.header, commit({heavy, light[0], light[1]})).ok());  // 5 of 6
}

TEST_F(VerifyCommit, FailsWithForgedSignature) {
  Commit c = commit_by({0, 1, 2});
  c.sigs[1].sig[5] ^= 0x40;
  Status s = verify_commit(net.set, block.header, c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kBadSignature);
  // A valid signature of the same validator over another round does not fit either.
  Commit other_round = commit_by({0, 1, 2});
  other_round.sigs[0].sig = commit_by({0, 1, 2}, 5, 3).sigs[0].sig;
  EXPECT_FALSE(verify_commit(net.set, block.header, other_round).ok());
  // Nor does its prevote.
  Commit prevote = commit_by({0, 1, 2});
  prevote.sigs[0].sig = signed_vote(net, 0, VoteType::kPrevote, 5, 2, block.hash()).sig;
  EXPECT_FALSE(verify_commit(net.set, block.header, prevote).ok());
}

TEST_F(VerifyCommit, FailsWithUnknownSigner) {
  KeyPair outsider = testing::seeded_key("outsider", 1);
  std::vector<Vote> votes;
  for (size_t i : {0, 1, 2}) votes.push_back(signed_vote(net, i, VoteType::kPrecommit, 5, 2, block.hash()));
  votes.push_back(make_vote(outsider, kChain, VoteType::kPrecommit, 5, 2, block.hash()).value());
  Status s = verify_commit(net.set, block.header, make_commit(5, 2, block.hash(), votes));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("non-validator"), std::string::npos) << s.error().message;
}

TEST_F(VerifyCommit, FailsForAnotherBlockOrHeight) {
  Block other = make_block(net.set, 5, "other");
  // A commit for another block at the same height.
  EXPECT_FALSE(verify_commit(net.set, block.header, commit_by({0, 1, 2}, 5, 2, other.hash())).ok());
  EXPECT_TRUE(verify_commit(net.set, other.header, commit_by({0, 1, 2}, 5, 2, other.hash())).ok());
  // Signed for another height (same block hash claimed).
  EXPECT_FALSE(verify_commit(net.set, block.header, commit_by({0, 1, 2}, 6)).ok());
  // The right commit relabelled with another height: signatures no longer fit.
  Commit relabelled = commit_by({0, 1, 2});
  relabelled.height = 6;
  EXPECT_FALSE(verify_commit(net.set, block.header, relabelled).ok());
  // A header of another height.
  Block next = make_block(net.set, 6, "block");
  EXPECT_FALSE(verify_commit(net.set, next.header, commit_by({0, 1, 2})).ok());
}

TEST_F(VerifyCommit, FailsWithAnotherValidatorSet) {
  Net other = make_net({1, 1, 1, 1}, "other-set");
  // The header names this set; checking against another set fails.
  EXPECT_FALSE(verify_commit(other.set, block.header, commit_by({0, 1, 2})).ok());
  // A header naming the other set, signed by this set's validators.
  Block theirs = make_block(other.set, 5, "block");
  std::vector<Vote> votes;
  for (size_t i : {0, 1, 2}) votes.push_back(signed_vote(net, i, VoteType::kPrecommit, 5, 0, theirs.hash()));
  EXPECT_FALSE(verify_commit(other.set, theirs.header, make_commit(5, 0, theirs.hash(), votes)).ok());
  // Same keys, other powers: another set hash.
  std::vector<Validator> vals = net.set.validators();
  vals[0].power = 2;
  ValidatorSet reweighted = ValidatorSet::make(vals).value();
  EXPECT_FALSE(verify_commit(reweighted, block.header, commit_by({0, 1, 2})).ok());
}

TEST_F(VerifyCommit, FailsWithUnsortedOrDuplicateSigners) {
  Commit c = commit_by({0, 1, 2});
  std::swap(c.sigs[0], c.sigs[1]);
  EXPECT_FALSE(verify_commit(net.set, block.header, c).ok());
  Commit d = commit_by({0, 1});
  d.sigs.push_back(d.sigs[1]);  // the same validator twice would make 3 "signers"
  EXPECT_FALSE(verify_commit(net.set, block.header, d).ok());
}

}  // namespace
}  // namespace trustmesh::consensus
