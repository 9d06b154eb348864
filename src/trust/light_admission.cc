// Light-client admission; see light_admission.h.
#include "trust/light_admission.h"

#include "trust/proven_state.h"

namespace trustmesh::trust {

namespace {

Error malformed(const std::string& why) {
  return make_error(ErrorCode::kMalformed, "admission answer: " + why);
}

Result<Bytes> hex_field(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return malformed(std::string("missing ") + key);
  auto b = from_hex(j[key].get<std::string>());
  if (!b.ok()) return malformed(std::string(key) + " is not hex");
  return *b;
}

}  // namespace

Result<LightAdmission> decide_from_proofs(const light::TrustAnchor& anchor, const nlohmann::json& answer,
                                          const Policy& policy, const AdmissionRequest& req,
                                          const light::Freshness& fresh) {
  if (!answer.is_object() || !answer.contains("proof") || !answer["proof"].is_object())
    return malformed("no proof; ask with ?prove=true");
  const nlohmann::json& p = answer["proof"];
  TM_ASSIGN_OR_RETURN(Bytes header, hex_field(p, "header_cbor"));
  TM_ASSIGN_OR_RETURN(Bytes commit, hex_field(p, "commit_cbor"));
  TM_ASSIGN_OR_RETURN(light::VerifiedHeader vh, light::verify_header(anchor, header, commit));
  TM_ASSIGN_OR_RETURN(uint64_t age, light::check_freshness(vh.header, fresh));
  if (!p.contains("entries") || !p["entries"].is_array()) return malformed("no entries");
  std::vector<ProofEntry> entries;
  for (const auto& e : p["entries"]) {
    if (!e.is_object()) return malformed("an entry is not an object");
    ProofEntry pe;
    TM_ASSIGN_OR_RETURN(pe.key, hex_field(e, "key"));
    TM_ASSIGN_OR_RETURN(pe.proof, hex_field(e, "proof"));
    if (e.contains("value") && !e["value"].is_null()) {
      TM_ASSIGN_OR_RETURN(Bytes v, hex_field(e, "value"));
      pe.value = std::move(v);
    }
    entries.push_back(std::move(pe));
  }
  TM_ASSIGN_OR_RETURN(ProvenState state, ProvenState::verify(vh, entries));
  TM_ASSIGN_OR_RETURN(Decision d, evaluate_admission(state, {state.height(), state.time()}, policy, req));
  LightAdmission out;
  out.node_agreed = answer.contains("decision") && answer["decision"] == (d.admit ? "admit" : "deny");
  out.decision = std::move(d);
  out.age_s = age;
  out.proven_entries = state.size();
  return out;
}

}  // namespace trustmesh::trust
