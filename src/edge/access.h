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

// Ok if `caller` (nullopt: anonymous) may read a configuration of `devices`:
// read on each one's domain where that domain is private. kAccessDenied
// says which domain and right; kLedgerUnavailable while not synced.
Status check_configuration_read(const Replica& r, const std::vector<std::string>& devices,
                                const std::optional<Address>& caller);

// Who signed a request (HTTP Authorization header or CoAP option) sent to
// `authority` (nullopt: unsigned). kUnauthenticated for a signature that
// does not verify or an authority `policy` does not take (ending with `remedy`).
Result<std::optional<Address>> caller_of(const auth::AuthorityPolicy& policy, std::string_view chain_id,
                                         std::string_view header, std::string_view authority,
                                         std::string_view method, std::string_view target, uint64_t now,
                                         std::string_view remedy);

// How `caller` may have blob `sha256` from this edge server: as a
// configuration of the domain's devices if it reads their domains, as a
// public blob if it is no configuration; kAccessDenied (saying why) for a
// configuration it may not read or one no device of the domain names now.
Result<BlobCache::Kind> blob_access(const Replica& r, const BlobCache& blobs, const Hash32& sha256,
                                    const std::optional<Address>& caller);

}  // namespace trustmesh::edge
