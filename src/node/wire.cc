// Peer message codecs (see wire.h).
#include "node/wire.h"

namespace trustmesh::node::wire {

using cbor::Value;

namespace {

enum Kind : uint64_t { kProposal = 1, kVote = 2, kTxs = 3, kStatus = 4, kGetBlock = 5, kBlock = 6 };

Error malformed(const std::string& what) {
  return make_error(ErrorCode::kMalformed, "peer message: " + what);
}

Value kind_and(uint64_t kind, Value body) {
  return Value::array({Value::uint(kind), std::move(body)});
}

}  // namespace

uint8_t channel_of(const Msg& m) {
  switch (m.index()) {
    case 0:
    case 1: return kChannelConsensus;
    case 2: return kChannelTxs;
    default: return kChannelSync;
  }
}

Bytes encode(const Msg& m) {
  Value v;
  if (auto* p = std::get_if<consensus::Proposal>(&m)) {
    v = kind_and(kProposal, p->to_cbor());
  } else if (auto* vote = std::get_if<consensus::Vote>(&m)) {
    v = kind_and(kVote, vote->to_cbor());
  } else if (auto* b = std::get_if<TxBatch>(&m)) {
    cbor::Array txs;
    txs.reserve(b->txs.size());
    for (const Bytes& tx : b->txs) txs.push_back(Value::bytes(ByteView(tx)));
    v = kind_and(kTxs, Value::array(std::move(txs)));
  } else if (auto* s = std::get_if<Status>(&m)) {
    v = kind_and(kStatus, Value::uint(s->height));
  } else if (auto* g = std::get_if<GetBlock>(&m)) {
    v = kind_and(kGetBlock, Value::uint(g->height));
  } else {
    const BlockMsg& bm = std::get<BlockMsg>(m);
    v = Value::array(
        {Value::uint(kBlock), Value::bytes(ByteView(bm.block)), Value::bytes(ByteView(bm.commit))});
  }
  return cbor::encode(v);
}

Result<Msg> decode(uint8_t channel, ByteView data) {
  TM_ASSIGN_OR_RETURN(Value v, cbor::decode(data));
  if (!v.is_array() || v.array_items().empty()) return malformed("not a [kind, ...] array");
  const cbor::Array& items = v.array_items();
  TM_ASSIGN_OR_RETURN(uint64_t kind, items[0].as_uint());
  const size_t want_items = kind == kBlock ? 3 : 2;
  if (items.size() != want_items) return malformed("kind " + std::to_string(kind) + " has the wrong arity");
  const uint8_t want_channel = kind <= kVote ? kChannelConsensus : kind == kTxs ? kChannelTxs : kChannelSync;
  if (kind < kProposal || kind > kBlock) return malformed("unknown kind " + std::to_string(kind));
  if (want_channel != channel)
    return malformed("kind " + std::to_string(kind) + " on channel " + std::to_string(channel));
  switch (kind) {
    case kProposal: {
      TM_ASSIGN_OR_RETURN(consensus::Proposal p, consensus::Proposal::from_cbor(items[1]));
      return Msg{std::move(p)};
    }
    case kVote: {
      TM_ASSIGN_OR_RETURN(consensus::Vote vote, consensus::Vote::from_cbor(items[1]));
      return Msg{std::move(vote)};
    }
    case kTxs: {
      if (!items[1].is_array()) return malformed("txs is not an array");
      const cbor::Array& arr = items[1].array_items();
      if (arr.size() > kMaxTxsPerBatch) return malformed("too many txs in one batch");
      TxBatch b;
      b.txs.reserve(arr.size());
      for (const Value& t : arr) {
        TM_ASSIGN_OR_RETURN(Bytes tx, t.as_bytes());
        b.txs.push_back(std::move(tx));
      }
      return Msg{std::move(b)};
    }
    case kStatus: {
      TM_ASSIGN_OR_RETURN(uint64_t h, items[1].as_uint());
      return Msg{Status{h}};
    }
    case kGetBlock: {
      TM_ASSIGN_OR_RETURN(uint64_t h, items[1].as_uint());
      return Msg{GetBlock{h}};
    }
    default: {
      BlockMsg bm;
      TM_ASSIGN_OR_RETURN(bm.block, items[1].as_bytes());
      TM_ASSIGN_OR_RETURN(bm.commit, items[2].as_bytes());
      return Msg{std::move(bm)};
    }
  }
}

}  // namespace trustmesh::node::wire
