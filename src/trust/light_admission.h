// Admission by a light client: check a node's POST /v1/admission?prove=true
// answer (api/handlers_admission.cc) against a trust anchor and decide
// locally. The node's own decision is only compared, never used.
//
// Steps: verify the header by its commit (light/header.h) and its freshness;
// verify every proof against the header's state root (proven_state.h); run
// evaluate_admission over exactly those entries. Errors: whatever the header,
// freshness or proof checks say; kNotFound when the node withheld an entry
// the evaluation needs.
#pragma once

#include <nlohmann/json.hpp>

#include "light/header.h"
#include "light/trust_anchor.h"
#include "trust/evaluate.h"

namespace trustmesh::trust {

struct LightAdmission {
  Decision decision;
  uint64_t age_s = 0;         // of the header the decision rests on
  size_t proven_entries = 0;  // state entries checked
  bool node_agreed = false;   // the node's own decision was the same
};

Result<LightAdmission> decide_from_proofs(const light::TrustAnchor& anchor, const nlohmann::json& answer,
                                          const Policy& policy, const AdmissionRequest& req,
                                          const light::Freshness& fresh);

}  // namespace trustmesh::trust
