// Header verification: a block header is trusted once its commit carries
// precommit signatures of more than 2/3 of the trust anchor's voting power,
// and fresh once its time is within a bound of the device's clock (the role
// OCSP's nextUpdate plays).
//
// Invariants: a VerifiedHeader is only produced by verify_header (or copied
// from one); its chain id is the anchor's, its validators_hash is the
// anchor's set hash, its commit verified, and hash == header.hash().
// This client follows a fixed validator set: a header signed by any other set
// is refused (validator set changes are not supported yet).
#pragma once

#include <cstdint>

#include "consensus/block.h"
#include "light/trust_anchor.h"

namespace trustmesh::light {

struct VerifiedHeader {
  consensus::BlockHeader header;
  Hash32 hash{};
};

// Decodes both encodings strictly (kMalformed / kNonCanonical / kTooLarge),
// then checks: header.chain_id == anchor.chain_id and header.validators_hash
// == anchor.validators.hash() (kInvalidArgument), and verify_commit: same
// height and block hash, known distinct signers holding > 2/3 of the power
// (kInvalidArgument), every signature valid (kBadSignature).
// Successful verdicts are memoised per thread (the last few (anchor, header,
// commit) triples, by their SHA-256), since a gateway checks many answers
// proven under one block; the memo never changes a result.
Result<VerifiedHeader> verify_header(const TrustAnchor& anchor, ByteView header_cbor, ByteView commit_cbor);

// How recent a header must be. `now` is the verifier's clock (seconds since
// the epoch); it must be set: 0 is refused rather than read as 1970.
struct Freshness {
  uint64_t now = 0;
  uint64_t max_age_s = 60;     // header.time >= now - max_age_s
  uint64_t max_future_s = 30;  // header.time <= now + max_future_s (clock skew)
};

// The header's age in seconds (0 if it is slightly in the future), or
// kInvalidArgument saying how old (or how far ahead) it is.
Result<uint64_t> check_freshness(const consensus::BlockHeader& header, const Freshness& fresh);

}  // namespace trustmesh::light
