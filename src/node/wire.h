// The node's messages between peers: what travels on each p2p channel.
// Every message is one deterministic CBOR array whose first item says its
// kind; decoding is strict (unknown kinds, extra items, wrong types and
// oversize counts are errors, and the node punishes the peer that sent them).
//
//   channel 1 consensus: [1, proposal] | [2, vote]           (consensus/vote.h)
//   channel 2 txs:       [3, [tx bstr, ...]]                 (at most kMaxTxsPerBatch)
//   channel 3 sync:      [4, height]                         status: my latest block
//                        [5, height]                         please send block `height`
//                        [6, block bstr, commit bstr]        a block and its commit
//
// Channel 0 belongs to the p2p layer itself (hello, peer exchange).
#pragma once

#include <variant>
#include <vector>

#include "consensus/engine.h"

namespace trustmesh::node::wire {

inline constexpr uint8_t kChannelConsensus = 1;
inline constexpr uint8_t kChannelTxs = 2;
inline constexpr uint8_t kChannelSync = 3;
inline constexpr size_t kMaxTxsPerBatch = 4096;

struct TxBatch {
  std::vector<Bytes> txs;
};
struct Status {
  uint64_t height = 0;
};
struct GetBlock {
  uint64_t height = 0;
};
struct BlockMsg {
  Bytes block;   // consensus::Block::encode()
  Bytes commit;  // consensus::Commit::encode()
};

using Msg = std::variant<consensus::Proposal, consensus::Vote, TxBatch, Status, GetBlock, BlockMsg>;

uint8_t channel_of(const Msg& m);
Bytes encode(const Msg& m);
// Decodes a message received on `channel`; a kind that belongs to another
// channel is an error.
Result<Msg> decode(uint8_t channel, ByteView data);

}  // namespace trustmesh::node::wire
