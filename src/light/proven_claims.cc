// proven_claims (proven_claims.h).
#include "light/proven_claims.h"

#include <map>

#include "core/cbor.h"
#include "ledger/domains.h"
#include "ledger/proof_keys.h"
#include "ledger/schema.h"

namespace trustmesh::light {

namespace {

Error incomplete(std::string_view subject, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument,
                    "the answer about " + std::string(subject) + " is incomplete or inconsistent: " + what);
}

}  // namespace

Result<ProvenClaims> proven_claims(const VerifiedBundle& vb, std::string_view subject) {
  std::map<Bytes, const store::BundleEntry*> by_key;
  for (const store::BundleEntry& e : vb.entries) {
    auto [it, fresh] = by_key.emplace(e.key, &e);
    if (!fresh && it->second->height < e.height) it->second = &e;  // the newest of a key
  }
  if (subject.empty() || subject.size() > ledger::kMaxSubjectLen)
    return make_error(ErrorCode::kInvalidArgument, "a subject is 1..255 bytes");
  auto time_at = [&](uint64_t height) {
    auto h = vb.headers.find(height);
    return h == vb.headers.end() ? 0 : h->second.verified.header.time;
  };
  const ledger::ProofKey root = ledger::claims_root(subject);
  auto count = by_key.find(root.key);
  if (count == by_key.end()) return incomplete(subject, "it does not prove the claim count");
  ProvenClaims out;
  out.subject = std::string(subject);
  out.height = count->second->height;
  out.header_time = time_at(out.height);
  out.oldest_height = out.height;
  out.oldest_time = out.header_time;
  auto older = [&](uint64_t height) {
    if (height < out.oldest_height) {
      out.oldest_height = height;
      out.oldest_time = time_at(height);
    }
  };
  if (count->second->value) {
    auto v = cbor::decode(*count->second->value);
    if (!v.ok() || !v->is_uint() || *v->as_uint() > UINT32_MAX)
      return incomplete(subject, "the claim count is not a number");
    out.count = static_cast<uint32_t>(*v->as_uint());
  }
  for (const ledger::ProofKey& index : ledger::next_keys(root, count->second->value)) {
    auto ie = by_key.find(index.key);
    if (ie == by_key.end() || !ie->second->value)
      return incomplete(subject, "an index entry the count names is missing");
    std::vector<ledger::ProofKey> claim_key = ledger::next_keys(index, ie->second->value);
    if (claim_key.size() != 1) return incomplete(subject, "an index entry does not name a claim");
    auto ce = by_key.find(claim_key[0].key);
    if (ce == by_key.end() || !ce->second->value)
      return incomplete(subject, "a claim the index names is missing");
    auto v = cbor::decode(*ce->second->value);
    if (!v.ok()) return incomplete(subject, "a claim record does not decode");
    auto claim = ledger::Claim::from_cbor(*v);
    if (!claim.ok()) return incomplete(subject, "a claim record does not decode: " + claim.error().message);
    if (claim->subject != subject || ledger::schema::claim_key(claim->id) != claim_key[0].key)
      return incomplete(subject, "claim " + std::to_string(claim->id) + " is about " + claim->subject);
    older(ie->second->height);
    older(ce->second->height);
    out.claims.push_back({std::move(claim).value(), ce->second->height, time_at(ce->second->height)});
  }
  return out;
}

}  // namespace trustmesh::light
