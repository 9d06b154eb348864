// Which state keys prove "the claims about a subject" and "the access domain
// of a subject". Those answers span keys that are found only by reading
// others (a subject's claim count names its index keys, an index entry names
// a claim id, a domain place names its domain), so a node that proves them
// (POST /v1/proofs "claims_about", "domain_of") and an edge replica that
// keeps them (src/edge/replica.h) must follow the same links; both use these
// rules.
//
// Invariants: next_keys is a pure function of a key's role and its committed
// value, so a replica that holds a verified value derives exactly the keys
// an honest node proves with it. A count names at most
// kMaxProvenClaimsPerSubject index keys (the newest), so one subject cannot
// make an answer unbounded. Values that do not decode lead nowhere (the node
// never writes them; a replica then holds the parent and nothing below it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "ledger/state.h"

namespace trustmesh::ledger {

inline constexpr uint32_t kMaxProvenClaimsPerSubject = 1024;

enum class ProofRole : uint8_t {
  kValue,        // a record; leads nowhere
  kClaimCount,   // subject_claim_count_key(subject): uint n
  kClaimIndex,   // subject_claim_key(subject, i): uint claim id
  kDomainPlace,  // domain_subject_key(subject): DomainPlace
};

struct ProofKey {
  Bytes key;
  ProofRole role = ProofRole::kValue;
  std::string subject;  // for kClaimCount and kClaimIndex
  bool operator==(const ProofKey&) const = default;
};

// The root of the claims about `subject` ("device:<name>", "model:<vid>/<pid>",
// "org:<id>", ...) and of its domain place. Callers check the subject first
// (parse_subject / domain_subject).
ProofKey claims_root(std::string_view subject);
ProofKey domain_root(std::string_view subject);

// The keys a key's committed value leads to (none when absent).
std::vector<ProofKey> next_keys(const ProofKey& k, const std::optional<Bytes>& value);

// Every key under `root` in state `s`, root first, parents before children.
Result<std::vector<Bytes>> expand_proof_keys(const StateReader& s, const ProofKey& root);

}  // namespace trustmesh::ledger
