// Peer messages (node/wire.h): every kind round-trips; malformed input,
// unknown kinds, kinds on the wrong channel and oversize batches are errors.
#include "node/wire.h"

#include <gtest/gtest.h>

namespace trustmesh::node::wire {
namespace {

consensus::Vote a_vote() {
  KeyPair k = KeyPair::generate().value();
  return consensus::make_vote(k, "c", consensus::VoteType::kPrecommit, 7, 2, Hash32{}).value();
}

TEST(Wire, EveryKindRoundTrips) {
  std::vector<Msg> msgs = {a_vote(), TxBatch{{Bytes{1, 2}, Bytes{3}}}, Status{42}, GetBlock{7},
                           BlockMsg{Bytes{9, 9}, Bytes{8}}};
  for (const Msg& m : msgs) {
    Bytes enc = encode(m);
    auto back = decode(channel_of(m), enc);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->index(), m.index());
    EXPECT_EQ(encode(*back), enc);
  }
  auto v = decode(kChannelConsensus, encode(a_vote()));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(std::get<consensus::Vote>(*v).height, 7u);
}

TEST(Wire, BadInputIsRefused) {
  EXPECT_FALSE(decode(kChannelSync, Bytes{0xff}).ok());                           // not CBOR
  EXPECT_FALSE(decode(kChannelSync, cbor::encode(cbor::Value::uint(4))).ok());    // not an array
  EXPECT_FALSE(decode(kChannelSync, cbor::encode(cbor::Value::array({}))).ok());  // empty
  EXPECT_FALSE(decode(kChannelSync, Bytes{0x82, 0x09, 0x01}).ok());               // unknown kind 9
  EXPECT_FALSE(decode(kChannelConsensus, encode(Status{1})).ok());                // wrong channel
  EXPECT_FALSE(decode(kChannelTxs, encode(GetBlock{1})).ok());
  // Extra items.
  EXPECT_FALSE(decode(kChannelSync, cbor::encode(cbor::Value::array(
                                        {cbor::Value::uint(4), cbor::Value::uint(1), cbor::Value::uint(2)})))
                   .ok());
  // A batch above the limit.
  cbor::Array txs(kMaxTxsPerBatch + 1, cbor::Value::bytes(Bytes{1}));
  EXPECT_FALSE(
      decode(kChannelTxs, cbor::encode(cbor::Value::array({cbor::Value::uint(3), cbor::Value::array(txs)})))
          .ok());
  // A vote whose fields are wrong.
  EXPECT_FALSE(decode(kChannelConsensus,
                      cbor::encode(cbor::Value::array({cbor::Value::uint(2), cbor::Value::uint(0)})))
                   .ok());
}

}  // namespace
}  // namespace trustmesh::node::wire
