// The state key layout. Every key the ledger reads or writes is built here, so
// the layout is documented in one place and no two record kinds can collide
// (each has its own prefix; variable-length parts are length-prefixed or last).
//
//   "a:" addr(20)                  -> Account
//   "n:" name                      -> NameRecord
//   "p:" commitment(32) addr(20)   -> Preorder (keyed by owner too, so copying
//                                     someone's commitment from the mempool
//                                     neither blocks nor steals it)
//   "x#" height(u64 BE)            -> count of preorders that lapse at height
//   "x:" height(u64 BE) idx(u32 BE) -> commitment(32)||addr(20) of one of them
//                                     (deleted with it at the end of that block)
//   "h:" len(1) name idx(u32 BE)   -> HistoryEntry number idx of the name
//   "g:chain_id"                   -> chain id (CBOR text), written by genesis
//   "g:params"                     -> Params
//   "g:supply"                     -> total supply (CBOR uint)
//   "g:trustees"                   -> array of trustee addresses, sorted
//   "g:validators"                 -> [[encoded key, power], ...] by address (the
//                                     validator set; absent for offline replays)
//   "g:validators_pending"         -> [[effective height, [[key, power], ...]], ...]
//                                     (ledger/validators.h)
//   "ev:" addr(20) height(u64 BE) round(u64 BE) type(1)
//                                  -> {"included", "reporter"}: a recorded equivocation
//   "g:next_proposal"              -> next proposal id (CBOR uint)
//   "g:prop:" id(u64 BE)           -> Proposal
#pragma once

#include <string_view>

#include "core/address.h"
#include "core/bytes.h"

namespace trustmesh::ledger::schema {

Bytes account_key(const Address& a);
Bytes name_key(std::string_view name);
Bytes preorder_key(const Hash32& commitment, const Address& owner);
Bytes preorder_expiry_count_key(uint64_t height);
Bytes preorder_expiry_key(uint64_t height, uint32_t index);
Bytes history_key(std::string_view name, uint32_t index);
Bytes chain_id_key();
Bytes params_key();
Bytes supply_key();
Bytes trustees_key();
Bytes validators_key();
Bytes validators_pending_key();
Bytes evidence_key(const Address& validator, uint64_t height, uint64_t round, uint8_t type);
Bytes next_proposal_key();
Bytes proposal_key(uint64_t id);

}  // namespace trustmesh::ledger::schema
