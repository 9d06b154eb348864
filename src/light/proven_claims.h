// The claims about one subject, read out of a verified proof bundle: what a
// device or gateway gets from an edge server (GET /v1/edge/claims/{subject},
// CoAP /v1/claims/{subject}) or a node (POST /v1/proofs "claims_about") and
// checks without trusting either.
//
// Invariants: proven_claims takes only a VerifiedBundle (every entry already
// proven against a verified header) and accepts it only if it is complete
// by the links of ledger/proof_keys.h: the subject's claim count, an index
// entry for each index the count names (the newest
// ledger::kMaxProvenClaimsPerSubject), and for each the claim record it
// names, whose id and subject match. A server cannot leave a claim out (for
// example a "stolen" status) without the bundle being refused.
#pragma once

#include <string>
#include <vector>

#include "ledger/compliance.h"
#include "light/bundle_verify.h"

namespace trustmesh::light {

struct ProvenClaim {
  ledger::Claim claim;
  uint64_t height = 0;       // the block whose state shows this record
  uint64_t header_time = 0;  // that block's time
};

struct ProvenClaims {
  std::string subject;
  uint32_t count = 0;               // claims ever made about it (the list holds the newest, up to the cap)
  uint64_t height = 0;              // the block whose state shows the count
  uint64_t header_time = 0;         // that block's time
  std::vector<ProvenClaim> claims;  // oldest first
  // The oldest block any part of the answer is proven at, and its time: what
  // a freshness bound applies to (a claim record may be older than the count).
  uint64_t oldest_height = 0;
  uint64_t oldest_time = 0;
};

// kInvalidArgument saying what is missing or inconsistent.
Result<ProvenClaims> proven_claims(const VerifiedBundle& vb, std::string_view subject);

}  // namespace trustmesh::light
