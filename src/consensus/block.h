// Blocks: the header every node and light client agrees on, and the body.
//
// Header wire form (deterministic CBOR map, text keys):
//   {"chain": tstr, "height": uint, "time": uint (seconds since the epoch),
//    "prev": bstr32 (hash of the previous header; zeros at height 1),
//    "txs": bstr32 (tx_merkle_root of the body), "state": bstr32 (state root
//    AFTER executing this block), "vals": bstr32 (hash of the validator set
//    that signs this block), "next_vals": bstr32 (the set for height + 1),
//    "proposer": bstr20 (address)}
// The block hash is SHA-256 of that encoding. Block: {"header": ..., "txs": [bstr...]}.
//
// Invariants: decode is strict (unknown fields, wrong sizes, non-canonical
// CBOR refused), so one header has one encoding and one hash; a decoded block's
// header.tx_root matches its txs.
#pragma once

#include <string>
#include <vector>

#include "core/address.h"
#include "core/cbor.h"

namespace trustmesh::consensus {

struct BlockHeader {
  std::string chain_id;
  uint64_t height = 0;
  uint64_t time = 0;
  Hash32 prev_hash{};
  Hash32 tx_root{};
  Hash32 state_root{};
  Hash32 validators_hash{};
  Hash32 next_validators_hash{};
  Address proposer;

  cbor::Value to_cbor() const;
  static Result<BlockHeader> from_cbor(const cbor::Value& v);
  Bytes encode() const { return cbor::encode(to_cbor()); }
  static Result<BlockHeader> decode(ByteView data);
  Hash32 hash() const;
  bool operator==(const BlockHeader&) const = default;
};

// Merkle root of a block's transactions (RFC 6962 shape): leaf = SHA-256(0x00
// || tx bytes), node = SHA-256(0x01 || left || right), split at the largest
// power of two below n; the empty list hashes to SHA-256 of nothing.
Hash32 tx_merkle_root(const std::vector<Bytes>& txs);

struct Block {
  BlockHeader header;
  std::vector<Bytes> txs;

  cbor::Value to_cbor() const;
  Bytes encode() const { return cbor::encode(to_cbor()); }
  // Strict; also checks header.tx_root against txs. max_bytes bounds the input.
  static Result<Block> decode(ByteView data, size_t max_bytes = 64 << 20);
  Hash32 hash() const { return header.hash(); }
};

}  // namespace trustmesh::consensus
