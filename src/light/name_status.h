// A device name's status, verified against a verified header's state root:
// the node sends the name's record (or nothing) and a sparse Merkle proof; the
// light client checks membership (or non-membership) of the state key
// ledger::schema::name_key(name) and decodes the record strictly. The result
// needs no trust in the node.
//
// Status at the header's height h (the state after block h):
//   no record                    -> "unregistered"
//   record.expired_at(h)         -> "expired"   (even if it was revoked)
//   record.status == kRevoked    -> "revoked" (kRetired -> "retired")
//   otherwise                    -> "active"
//
// Invariants of a VerifiedNameStatus: it came from verify_name_status, so the
// record (if any) is exactly the committed state at `height`, the header was
// within the freshness bound and `status` is derived from the record, never
// taken from the node.
#pragma once

#include <optional>
#include <string>

#include "ledger/records.h"
#include "light/header.h"

namespace trustmesh::light {

// What the node sent for one name. `name` must be the name the caller asked
// for, not one read from the node's answer.
struct NameStatusClaim {
  std::string name;
  std::optional<Bytes> record_cbor;  // NameRecord CBOR; nullopt = "not registered"
  Bytes proof;                       // store::encode_proof
};

struct VerifiedNameStatus {
  std::string name;
  std::string status;  // "active" | "revoked" | "retired" | "expired" | "unregistered"
  std::optional<ledger::NameRecord> record;
  uint64_t height = 0;
  uint64_t header_time = 0;
  uint64_t age_s = 0;  // now - header_time (0 if slightly in the future)
};

// Errors: kInvalidArgument for a stale header or a proof that does not match
// the header's state root (wrong name, record, height or claimed absence);
// kBadName for a name that is not valid syntax; kMalformed / kNonCanonical for
// proof or record bytes that do not decode strictly.
Result<VerifiedNameStatus> verify_name_status(const VerifiedHeader& header, const NameStatusClaim& claim,
                                              const Freshness& fresh);

// The status word of a record at height h (the table above).
std::string_view name_status_at(const std::optional<ledger::NameRecord>& record, uint64_t height);

}  // namespace trustmesh::light
