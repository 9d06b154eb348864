// Proof key rules (proof_keys.h).
#include "ledger/proof_keys.h"

#include <algorithm>

#include "core/cbor.h"
#include "ledger/domains.h"
#include "ledger/schema.h"

namespace trustmesh::ledger {

namespace {

std::optional<uint64_t> as_uint(const Bytes& value) {
  auto v = cbor::decode(value);
  if (!v.ok() || !v->is_uint()) return std::nullopt;
  auto n = v->as_uint();
  if (!n.ok()) return std::nullopt;
  return *n;
}

}  // namespace

ProofKey claims_root(std::string_view subject) {
  return {schema::subject_claim_count_key(subject), ProofRole::kClaimCount, std::string(subject)};
}

ProofKey domain_root(std::string_view subject) {
  return {schema::domain_subject_key(subject), ProofRole::kDomainPlace, std::string(subject)};
}

std::vector<ProofKey> next_keys(const ProofKey& k, const std::optional<Bytes>& value) {
  std::vector<ProofKey> out;
  if (!value) return out;
  switch (k.role) {
    case ProofRole::kValue: break;
    case ProofRole::kClaimCount: {
      const std::optional<uint64_t> n = as_uint(*value);
      if (!n || *n > UINT32_MAX) break;
      const uint32_t count = static_cast<uint32_t>(*n);
      const uint32_t first = count > kMaxProvenClaimsPerSubject ? count - kMaxProvenClaimsPerSubject : 0;
      out.reserve(count - first);
      for (uint32_t i = first; i < count; ++i)
        out.push_back({schema::subject_claim_key(k.subject, i), ProofRole::kClaimIndex, k.subject});
      break;
    }
    case ProofRole::kClaimIndex: {
      const std::optional<uint64_t> id = as_uint(*value);
      if (id) out.push_back({schema::claim_key(*id), ProofRole::kValue, {}});
      break;
    }
    case ProofRole::kDomainPlace: {
      auto v = cbor::decode(*value);
      if (!v.ok()) break;
      auto place = DomainPlace::from_cbor(*v);
      if (place.ok()) out.push_back({schema::domain_key(place->domain), ProofRole::kValue, {}});
      break;
    }
  }
  return out;
}

Result<std::vector<Bytes>> expand_proof_keys(const StateReader& s, const ProofKey& root) {
  std::vector<Bytes> keys;
  std::vector<ProofKey> level{root};
  while (!level.empty()) {
    std::vector<ProofKey> next;
    for (const ProofKey& k : level) {
      TM_ASSIGN_OR_RETURN(std::optional<Bytes> value, s.get(k.key));
      keys.push_back(k.key);
      for (ProofKey& child : next_keys(k, value)) next.push_back(std::move(child));
    }
    level = std::move(next);
  }
  return keys;
}

}  // namespace trustmesh::ledger
