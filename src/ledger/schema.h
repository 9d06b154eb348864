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
// Compliance ledger (ledger/compliance.h):
//   "o:" org id                    -> Org
//   "ov:" vid(u16 BE)              -> org id (CBOR text): vendor IDs are unique
//   "oc:" len(1) org id idx(u32 BE) -> cert hash(32): the org's certificates in order
//   "c:" cert sha256(32)           -> CertRecord
//   "cn:" subject-name sha256(32) idx(u32 BE) -> cert hash(32); "cn#" name hash -> count
//   "m:" vid(u16 BE) pid(u16 BE)   -> Model
//   "mv:" vid pid idx(u32 BE)      -> release sha256(32): the model's releases in order
//   "r:" image sha256(32)          -> Release
//   "cl:" id(u64 BE)               -> Claim; "g:next_claim" -> next claim id
//   "cs:" len(1) subject idx(u32 BE) -> claim id (CBOR uint); "cs#" len(1) subject -> count
//   "cq:" issuer cert sha256(32) len(1) serial -> cert hash(32): ledger certificates by
//                                     issuer and serial number (what OCSP and CRLs name)
//   "cr:" issuer sha256(32) idx(u32 BE) -> cert hash(32); "cr#" issuer -> count: the
//                                     issuer's certificates revoked on the ledger, in order
//   "crl:" issuer cert sha256(32)  -> CrlRecord: the newest CRL that CA published
//   "rh:" len(1) subject idx(u32 BE) -> ChangeEntry of an org or model; "rh#" len(1) subject -> count
// Access domains (ledger/domains.h):
//   "dm:" domain id                -> AccessDomain
//   "ds:" len(1) subject           -> DomainPlace {domain id, index in that domain's list}:
//                                     the one domain a device or model is in
//   "dl:" len(1) domain id idx(u32 BE) -> subject (CBOR text); "dl#" len(1) domain id -> count:
//                                     the domain's subjects (a removal moves the last one
//                                     into the freed index, so the list has no holes)
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

Bytes org_key(std::string_view id);
Bytes vendor_key(uint64_t vid);
Bytes org_cert_key(std::string_view org, uint32_t index);
Bytes cert_key(const Hash32& hash);
Bytes cert_name_key(const Hash32& subject_hash, uint32_t index);
Bytes cert_name_count_key(const Hash32& subject_hash);
Bytes model_key(uint64_t vid, uint64_t pid);
Bytes model_release_key(uint64_t vid, uint64_t pid, uint32_t index);
Bytes release_key(const Hash32& sha256);
Bytes claim_key(uint64_t id);
Bytes next_claim_key();
Bytes subject_claim_key(std::string_view subject, uint32_t index);
Bytes subject_claim_count_key(std::string_view subject);
Bytes crl_key(const Hash32& issuer);
Bytes cert_serial_key(const Hash32& issuer, ByteView serial);  // serial: 1..32 bytes
Bytes revoked_child_key(const Hash32& issuer, uint32_t index);
Bytes revoked_child_count_key(const Hash32& issuer);
Bytes change_key(std::string_view subject, uint32_t index);
Bytes change_count_key(std::string_view subject);

Bytes domain_key(std::string_view id);
Bytes domain_subject_key(std::string_view subject);
Bytes domain_member_key(std::string_view id, uint32_t index);
Bytes domain_member_count_key(std::string_view id);

}  // namespace trustmesh::ledger::schema
