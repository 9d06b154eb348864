// Who may read what an edge server holds. A device's configuration is the
// detail of its access domain (ledger/domains.h): an edge server serves it
// only to a caller that holds read in the domain of every device of its
// domain whose record names it, deciding from the domain records in its own
// verified replica, so it decides the same way as a node, cut off or not.
//
// Invariants: ReplicaState fails closed: a key the replica tracks but has
// not verified yet is an error (kLedgerUnavailable), never "absent", so a
// device whose domain place is not synced is never taken for a public one;
// a key it does not track is kNotFound.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/request_auth.h"
#include "edge/blob_cache.h"
#include "edge/replica.h"
#include "ledger/state.h"

namespace trustmesh::edge {

// The replica's verified state as a ledger::StateReader (see the invariants).
class ReplicaState : public ledger::StateReader {
 public:
  explicit ReplicaState(const Replica& r) : r_(r) {}
  Result<std::optional<Bytes>> get(ByteView key) const override { return r_.value(key); }

 private:
  const Replica& r_;
};

// The devices of the replica's domain whose held record names `sha256` as
// their configuration (empty: it is no configuration this server knows of).
Result<std::vector<std::string>> configuration_of(const Replica& r, const Hash32& sha256);

// When an access decision is made, and how old the domain records it rests
// on may be (a peer may push old genuine records; past the bound the
// decision waits for a sync).
struct AccessClock {
  uint64_t now = 0;
  uint64_t max_age_s = 7 * 24 * 3600;
};

// Ok if `caller` (nullopt: anonymous) may read a configuration of `devices`:
// read on each one's domain where that domain is private, by domain records
// no older than the clock's bound. kAccessDenied says which domain and
// right; kLedgerUnavailable while not synced or too old.
Status check_configuration_read(const Replica& r, const std::vector<std::string>& devices,
                                const std::optional<Address>& caller, const AccessClock& clock);

// The authoritative check for a held configuration: every device the node
// named for it ("device:<name>@<registered_at>") must be in this domain, in
// that registration, and readable by `caller`; kAccessDenied otherwise
// (also for a configuration kept without its devices).
Status check_configuration_subjects(const Replica& r, const BlobCache& blobs, const Hash32& sha256,
                                    const std::optional<Address>& caller, const AccessClock& clock);

// Who signed a request (HTTP Authorization header or CoAP option) sent to
// `authority` (nullopt: unsigned). kUnauthenticated for a signature that
// does not verify or an authority `policy` does not take (ending with `remedy`).
Result<std::optional<Address>> caller_of(const auth::AuthorityPolicy& policy, std::string_view chain_id,
                                         std::string_view header, std::string_view authority,
                                         std::string_view method, std::string_view target, uint64_t now,
                                         std::string_view remedy);

// Makes blob `sha256` held for `caller` (fetched from a node if need be,
// at most `max_bytes`; 0: the cache's limit), or says why not: a
// configuration is checked before it is fetched (the domain's devices whose
// record names it) and after (every device the node names for it). The
// kind it is held as.
Result<BlobCache::Kind> authorize_blob(const Replica& r, const BlobCache& blobs, const Hash32& sha256,
                                       const std::optional<Address>& caller, const AccessClock& clock,
                                       uint64_t max_bytes = 0);

}  // namespace trustmesh::edge
