// The block store: committed blocks, their commits and tx results, and the
// indexes the API serves (tx by hash, names by owner), kept as raw entries of
// the StateDb so that a block and the state it produces are written in ONE
// synced batch (StateDb::write). Hence after any crash the newest stored block
// is exactly the newest committed state height: there is nothing to repair.
//
// Layout (raw keys, see state_db.h):
//   "H" height(u64 BE)            -> header CBOR (also inside the block; kept apart
//                                    so light-client answers need not read blocks)
//   "B" height(u64 BE)            -> block (consensus::Block CBOR; opaque here)
//   "C" height(u64 BE)            -> commit CBOR
//   "R" height(u64 BE)            -> CBOR array of the block's TxResult
//   "T" tx hash(32)               -> height(u64 BE) index(u32 BE)
//   "O" owner address(20) name    -> "" (a name currently owned by owner)
// The store does not interpret the block, commit or results bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/address.h"
#include "store/state_db.h"

namespace trustmesh::store {

struct StoredBlock {
  Bytes header;
  Bytes block;
  Bytes commit;
  Bytes results;
};

struct TxLocation {
  uint64_t height = 0;
  uint32_t index = 0;
};

struct OwnerIndexChange {
  Address owner;
  std::string name;
  bool add = true;  // false: remove
};

// The raw writes that store a block at `height` with its indexes.
std::vector<RawWrite> block_writes(uint64_t height, ByteView header, ByteView block, ByteView commit,
                                   ByteView results, const std::vector<Hash32>& tx_hashes,
                                   const std::vector<OwnerIndexChange>& owners);

Result<std::optional<StoredBlock>> read_block(const ReadView& view, uint64_t height);
// Header and commit of a height (what light clients need), without the body.
Result<std::optional<std::pair<Bytes, Bytes>>> read_header_commit(const ReadView& view, uint64_t height);
Result<std::optional<TxLocation>> find_tx(const ReadView& view, const Hash32& tx_hash);
// Names currently owned by `owner`, in name order, at most `limit`.
Result<std::vector<std::string>> names_of(const ReadView& view, const Address& owner, size_t limit);

}  // namespace trustmesh::store
