// verify_bundle (bundle_verify.h).
#include "light/bundle_verify.h"

#include "store/proof.h"

namespace trustmesh::light {

Result<VerifiedBundle> verify_bundle(const TrustAnchor& anchor, store::ProofBundle bundle) {
  if (bundle.chain_id != anchor.chain_id) {
    return make_error(ErrorCode::kInvalidArgument,
                      "bundle is for chain '" + bundle.chain_id + "', not '" + anchor.chain_id + "'");
  }
  VerifiedBundle out;
  for (store::BundleHeader& h : bundle.headers) {
    TM_ASSIGN_OR_RETURN(VerifiedHeader vh, verify_header(anchor, h.header, h.commit));
    const uint64_t height = vh.header.height;
    auto [it, fresh] = out.headers.emplace(height, VerifiedBundle::Header{vh, std::move(h)});
    if (!fresh && it->second.verified.hash != vh.hash) {
      return make_error(ErrorCode::kInvalidArgument,
                        "bundle has two different headers at height " + std::to_string(height));
    }
  }
  for (const store::BundleEntry& e : bundle.entries) {
    auto it = out.headers.find(e.height);
    if (it == out.headers.end()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "bundle entry at height " + std::to_string(e.height) + " has no header");
    }
    const Hash32& root = it->second.verified.header.state_root;
    TM_ASSIGN_OR_RETURN(store::Proof proof, store::decode_proof(e.proof));
    Status st = e.value ? store::verify_membership(root, e.key, *e.value, proof)
                        : store::verify_non_membership(root, e.key, proof);
    if (!st.ok()) {
      return make_error(st.error().code,
                        "bundle entry " + to_hex(e.key) + " at height " + std::to_string(e.height) +
                            " does not match the header's state root: " + st.error().message);
    }
  }
  out.entries = std::move(bundle.entries);
  return out;
}

}  // namespace trustmesh::light
