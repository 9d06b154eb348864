// POST /v1/admission[?prove=true]: a gateway's admit-or-deny question.
//
// Body: {"policy": {...policy object, trust/policy.h...},
//        "certificate": "<PEM, or hex of the DER>", "chain": "<PEM>" (optional),
//        "firmware": "<sha256 hex>" (optional)}
// Answer: trust::decision_json at the latest height. With prove=true the
// answer also carries, under one signed header, a proof for every state key
// the evaluation read ("proof": {"header_cbor", "commit_cbor", "entries":
// [{"key", "value" | null, "proof"}]}), so a light client can run the same
// evaluation itself and trust no node (trust/proven_state.h).
#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/url.h"
#include "core/x509.h"
#include "node/node.h"
#include "store/block_store.h"
#include "store/proof.h"
#include "trust/evaluate.h"
#include "trust/json.h"
#include "trust/proven_state.h"

namespace trustmesh::api {

namespace {

using nlohmann::json;

Error bad(const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, why);
}

Result<Bytes> one_certificate(const std::string& text, const std::string& what) {
  if (text.find("-----BEGIN") == std::string::npos) {
    auto der = from_hex(text);
    if (!der.ok()) return bad(what + " is neither PEM nor hex DER");
    return *der;
  }
  auto list = x509::read_certificates(text);
  if (!list.ok()) return bad(what + ": " + list.error().message);
  if (list->size() != 1) return bad(what + " must hold exactly one certificate");
  return list->front();
}

Result<trust::AdmissionRequest> parse_request(const json& j, trust::Policy& policy) {
  if (!j.is_object()) return bad("body must be a JSON object with policy and certificate");
  for (const auto& [k, v] : j.items()) {
    if (k != "policy" && k != "certificate" && k != "chain" && k != "firmware")
      return bad("unknown field \"" + k + "\" (known: policy, certificate, chain, firmware)");
  }
  if (!j.contains("policy") || !j["policy"].is_object()) return bad("\"policy\" must be a policy object");
  TM_ASSIGN_OR_RETURN(policy, trust::parse_policy(j["policy"].dump()));
  if (!j.contains("certificate") || !j["certificate"].is_string())
    return bad("\"certificate\" must be the device certificate as PEM or hex DER");
  trust::AdmissionRequest req;
  TM_ASSIGN_OR_RETURN(req.device_der, one_certificate(j["certificate"].get<std::string>(), "certificate"));
  if (j.contains("chain")) {
    if (!j["chain"].is_string()) return bad("\"chain\" must be PEM text");
    auto chain = x509::read_certificates(j["chain"].get<std::string>());
    if (!chain.ok()) return bad("chain: " + chain.error().message);
    req.chain = *chain;
  }
  if (j.contains("firmware")) {
    if (!j["firmware"].is_string()) return bad("\"firmware\" must be a SHA-256 in hex");
    TM_ASSIGN_OR_RETURN(Hash32 h, parse_hash(j["firmware"].get<std::string>(), "firmware"));
    req.firmware = h;
  }
  return req;
}

Status answer(const std::shared_ptr<const store::ReadView>& view, const json& body, bool prove,
              Response& res) {
  trust::Policy policy;
  TM_ASSIGN_OR_RETURN(trust::AdmissionRequest req, parse_request(body, policy));
  TM_ASSIGN_OR_RETURN(auto hc, store::read_header_commit(*view, view->height()));
  uint64_t time = 0;
  if (hc) {
    TM_ASSIGN_OR_RETURN(auto hdr, consensus::BlockHeader::decode(hc->first));
    time = hdr.time;
  }
  node::ViewReader base(view);
  trust::RecordingReader rec(base);
  TM_ASSIGN_OR_RETURN(trust::Decision d, trust::evaluate_admission(rec, {view->height(), time}, policy, req));
  json out = trust::decision_json(d);
  if (prove) {
    if (!hc) return make_error(ErrorCode::kNotFound, "no block committed yet: nothing to prove against");
    json entries = json::array();
    for (const Bytes& key : rec.keys()) {
      TM_ASSIGN_OR_RETURN(auto value, view->get(key));
      TM_ASSIGN_OR_RETURN(store::Proof p, view->prove(key));
      entries.push_back(json{{"key", to_hex(key)},
                             {"value", value ? json(to_hex(*value)) : json(nullptr)},
                             {"proof", to_hex(store::encode_proof(p))}});
    }
    out["proof"] =
        json{{"header_cbor", to_hex(hc->first)}, {"commit_cbor", to_hex(hc->second)}, {"entries", entries}};
  }
  res.body = out.dump();
  return Status::Ok();
}

}  // namespace

void handle_admission(const Context& ctx, const Request& req, Response& res) {
  Result<bool> prove = query_flag(req.query, "prove");
  if (!prove.ok()) return write_error(res, prove.error());
  json body = json::parse(req.body.begin(), req.body.end(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded())
    return write_error(res,
                       bad("body is not valid JSON; expected {\"policy\": {...}, \"certificate\": \"PEM\"}"));
  auto view = ctx.node.view();
  Status s = answer(view, body, *prove, res);
  if (!s.ok()) write_error(res, s.error());
}

}  // namespace trustmesh::api
