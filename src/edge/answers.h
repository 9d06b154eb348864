// What an edge server answers about a device name, built from its replica:
// the node's proven status answer (GET /v1/names/{name}/status?prove=true,
// so light::verify_status_body checks it unchanged) plus the header's time
// and age, as JSON for HTTP and as CBOR (light/status_cbor.h) for CoAP.
//
// Invariants: every plain field is derived from the verified entry, never
// stored separately; header_age_s is now - header time (0 if the header is
// ahead of the server's clock), so a device sees how stale an answer from a
// cut-off site is.
#pragma once

#include <string>

#include "edge/replica.h"
#include "ledger/records.h"
#include "light/status_cbor.h"

namespace trustmesh::edge {

// A held name record's value decoded (nullopt: the name is proven absent);
// kInternal if it does not decode (the replica holds only verified state).
Result<std::optional<ledger::NameRecord>> name_record(const std::optional<Bytes>& value,
                                                      std::string_view name);

// The status answer for `name` (which the caller checked the replica tracks
// and holds) at server time `now`. kInternal if the held record does not decode.
Result<light::StatusAnswer> status_answer(const HeldEntry& held, std::string_view name, uint64_t now);
Result<std::string> status_json(const HeldEntry& held, std::string_view name, uint64_t now);

// The claims about `subject` ("device:<name>", "model:<vid>/<pid>",
// "org:<id>") held by the replica, as a proof bundle. kInvalidArgument for a
// bad subject, kNotFound outside the domain, kLedgerUnavailable while not
// all of it is verified yet.
Result<store::ProofBundle> claims_bundle(const Replica& r, std::string_view subject);

// {"chain_id", "tracked", "held", "oldest_height", "newest_height",
//  "newest_header_time", "header_age_s", "last_sync": {...}} as JSON.
struct SyncReport;
std::string stats_json(const Replica& r, uint64_t now, const SyncReport* sync);

}  // namespace trustmesh::edge
