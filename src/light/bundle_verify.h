// Verification of a proof bundle (store/proof_bundle.h) against a trust
// anchor: every header by its commit (verify_header), every entry by its
// proof against the state root of the header at the entry's height. No
// freshness bound is applied here: a replica keeps old verified answers and
// says how old they are; freshness is the asking device's policy.
//
// Invariants: a VerifiedBundle comes only from verify_bundle, so each of its
// entries is exactly the committed state of its key after block `height` of
// the anchor's chain, and `headers` holds exactly the bundle's headers, each
// verified. One bad header or entry refuses the whole bundle (a peer that
// sends anything unverifiable is not half-believed).
#pragma once

#include <map>

#include "light/header.h"
#include "store/proof_bundle.h"

namespace trustmesh::light {

struct VerifiedBundle {
  struct Header {
    VerifiedHeader verified;
    store::BundleHeader raw;  // the bytes that were verified
  };
  std::map<uint64_t, Header> headers;       // by height
  std::vector<store::BundleEntry> entries;  // each proven against headers.at(height)
};

// kInvalidArgument for another chain, two different headers at one height,
// an entry at a height without a header or a proof that does not match;
// otherwise the errors of verify_header and store::decode_proof.
Result<VerifiedBundle> verify_bundle(const TrustAnchor& anchor, store::ProofBundle bundle);

}  // namespace trustmesh::light
