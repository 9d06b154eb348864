// Block header and body encoding, hashing and the tx Merkle root (block.h).
#include "consensus/block.h"

#include "core/hash.h"
#include "ledger/records.h"

namespace trustmesh::consensus {

using cbor::Value;

namespace {
Value hash_value(const Hash32& h) {
  return Value::bytes(ByteView(h));
}

Hash32 merkle(const std::vector<Hash32>& leaves, size_t lo, size_t hi) {
  if (hi - lo == 1) return leaves[lo];
  size_t split = 1;
  while (split * 2 < hi - lo) split *= 2;
  Hash32 l = merkle(leaves, lo, lo + split);
  Hash32 r = merkle(leaves, lo + split, hi);
  Sha256 h;
  uint8_t tag = 0x01;
  h.update(ByteView(&tag, 1));
  h.update(ByteView(l));
  h.update(ByteView(r));
  return h.finish();
}
}  // namespace

Value BlockHeader::to_cbor() const {
  return Value::map({
      {Value::text("chain"), Value::text(chain_id)},
      {Value::text("height"), Value::uint(height)},
      {Value::text("time"), Value::uint(time)},
      {Value::text("prev"), hash_value(prev_hash)},
      {Value::text("txs"), hash_value(tx_root)},
      {Value::text("state"), hash_value(state_root)},
      {Value::text("vals"), hash_value(validators_hash)},
      {Value::text("next_vals"), hash_value(next_validators_hash)},
      {Value::text("proposer"), Value::bytes(ByteView(proposer.bytes()))},
  });
}

Result<BlockHeader> BlockHeader::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, cbor::MapReader::of(v, "header"));
  BlockHeader h;
  TM_ASSIGN_OR_RETURN(h.chain_id, r.get_text("chain"));
  TM_ASSIGN_OR_RETURN(h.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(h.time, r.get_uint("time"));
  TM_ASSIGN_OR_RETURN(h.prev_hash, ledger::read_hash32(r, "prev"));
  TM_ASSIGN_OR_RETURN(h.tx_root, ledger::read_hash32(r, "txs"));
  TM_ASSIGN_OR_RETURN(h.state_root, ledger::read_hash32(r, "state"));
  TM_ASSIGN_OR_RETURN(h.validators_hash, ledger::read_hash32(r, "vals"));
  TM_ASSIGN_OR_RETURN(h.next_validators_hash, ledger::read_hash32(r, "next_vals"));
  TM_ASSIGN_OR_RETURN(h.proposer, ledger::read_address(r, "proposer"));
  TM_TRY(r.finish());
  return h;
}

Result<BlockHeader> BlockHeader::decode(ByteView data) {
  if (data.size() > 4096) return make_error(ErrorCode::kTooLarge, "header larger than 4096 bytes");
  TM_ASSIGN_OR_RETURN(Value v, cbor::decode(data));
  return from_cbor(v);
}

Hash32 BlockHeader::hash() const {
  return sha256(encode());
}

Hash32 tx_merkle_root(const std::vector<Bytes>& txs) {
  if (txs.empty()) return sha256(ByteView());
  std::vector<Hash32> leaves;
  leaves.reserve(txs.size());
  for (const Bytes& tx : txs) {
    Sha256 h;
    uint8_t tag = 0x00;
    h.update(ByteView(&tag, 1));
    h.update(ByteView(tx));
    leaves.push_back(h.finish());
  }
  return merkle(leaves, 0, leaves.size());
}

Value Block::to_cbor() const {
  cbor::Array items;
  items.reserve(txs.size());
  for (const Bytes& tx : txs) items.push_back(Value::bytes(ByteView(tx)));
  return Value::map(
      {{Value::text("header"), header.to_cbor()}, {Value::text("txs"), Value::array(std::move(items))}});
}

Result<Block> Block::decode(ByteView data, size_t max_bytes) {
  if (data.size() > max_bytes)
    return make_error(ErrorCode::kTooLarge, "block larger than " + std::to_string(max_bytes) + " bytes");
  cbor::DecodeLimits limits;
  limits.max_items = 1000000;
  TM_ASSIGN_OR_RETURN(Value v, cbor::decode(data, limits));
  TM_ASSIGN_OR_RETURN(auto r, cbor::MapReader::of(v, "block"));
  Block b;
  TM_ASSIGN_OR_RETURN(const Value* hv, r.get("header"));
  TM_ASSIGN_OR_RETURN(b.header, BlockHeader::from_cbor(*hv));
  TM_ASSIGN_OR_RETURN(const Value* tv, r.get("txs"));
  if (!tv->is_array()) return make_error(ErrorCode::kMalformed, "block: txs must be an array");
  for (const Value& t : tv->array_items()) {
    TM_ASSIGN_OR_RETURN(Bytes tx, t.as_bytes());
    b.txs.push_back(std::move(tx));
  }
  TM_TRY(r.finish());
  if (tx_merkle_root(b.txs) != b.header.tx_root)
    return make_error(ErrorCode::kInvalidArgument, "block: tx root does not match its transactions");
  return b;
}

}  // namespace trustmesh::consensus
