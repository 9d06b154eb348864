// POST /v1/proofs: the committed state of many keys, proven against one
// signed header, as a CBOR proof bundle (store/proof_bundle.h). Edge servers
// (src/edge) fill and refresh their light replica with it; anyone checks it
// with light::verify_bundle and trusts no node.
//
// Body (JSON): {"names": [text...], "orgs": [text...], "models": ["vid/pid"...],
//               "claims_about": [subject...], "domain_of": [subject...]},
// at most kMaxProofKeys items in all; entries come in that order. A
// "claims_about" subject is proven as its claim count, its index entries and
// the claims they name; a "domain_of" subject as its domain place and the
// domain record (ledger/proof_keys.h: the links an edge replica follows too).
// Every key is proven at the same height (the node's latest committed
// block); absent keys get a non-membership proof.
//
// Invariants: the answer is built from one snapshot; nothing is written
// before every proof is in hand, so an error never leaves half an answer. An
// answer holds at most kMaxProofEntries entries (kTooLarge beyond).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "ledger/compliance.h"
#include "ledger/domains.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/proof_keys.h"
#include "ledger/schema.h"
#include "node/node.h"
#include "store/block_store.h"
#include "store/proof.h"
#include "store/proof_bundle.h"

namespace trustmesh::api {

namespace {

using nlohmann::json;

constexpr size_t kMaxProofKeys = 1000;
constexpr size_t kMaxProofEntries = 20'000;
constexpr std::string_view kFields[] = {"names", "orgs", "models", "claims_about", "domain_of"};
constexpr std::string_view kCborType = "application/cbor";

Error bad_request(std::string msg) {
  return make_error(ErrorCode::kInvalidArgument, std::move(msg));
}

// The state keys the body asks for, in the body's order: plain keys, and
// roots whose linked keys are read from the snapshot (ledger/proof_keys.h).
Result<std::vector<ledger::ProofKey>> keys_of(const json& body) {
  if (!body.is_object()) {
    return bad_request(
        "body must be a JSON object: {\"names\": [...], \"orgs\": [...], \"models\": [\"vid/pid\"], "
        "\"claims_about\": [subject], \"domain_of\": [subject]}");
  }
  for (const auto& [field, value] : body.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), field) == std::end(kFields)) {
      return bad_request("unknown field '" + field +
                         "'; expected names, orgs, models, claims_about or domain_of");
    }
  }
  std::vector<ledger::ProofKey> keys;
  for (const std::string_view field_view : kFields) {
    const std::string field(field_view);
    if (!body.contains(field)) continue;
    const json& value = body[field];
    if (!value.is_array()) return bad_request("'" + field + "' must be an array of strings");
    for (const json& item : value) {
      if (!item.is_string()) return bad_request("'" + field + "' must be an array of strings");
      if (keys.size() == kMaxProofKeys) {
        return make_error(ErrorCode::kTooLarge, "at most " + std::to_string(kMaxProofKeys) +
                                                    " keys per request; split the request");
      }
      const std::string& s = item.get_ref<const std::string&>();
      if (field == "names") {
        TM_TRY(ledger::check_name(s, ledger::kHardMaxNameLen));
        keys.push_back({ledger::schema::name_key(s)});
      } else if (field == "orgs") {
        if (s.empty() || s.size() > 64) return bad_request("orgs: an org id is 1..64 characters");
        keys.push_back({ledger::schema::org_key(s)});
      } else if (field == "models") {
        TM_ASSIGN_OR_RETURN(auto ids, ledger::parse_model_id(s));
        keys.push_back({ledger::schema::model_key(ids.first, ids.second)});
      } else if (field == "claims_about") {
        TM_TRY(ledger::parse_subject(s));
        if (s.size() > ledger::kMaxSubjectLen)
          return bad_request("claims_about: a subject is at most 255 bytes");
        keys.push_back(ledger::claims_root(s));
      } else {
        TM_ASSIGN_OR_RETURN(std::string subject, ledger::domain_subject(s));
        keys.push_back(ledger::domain_root(subject));
      }
    }
  }
  if (keys.empty()) return bad_request("ask for at least one key: {\"names\": [\"dev-1\"]}");
  return keys;
}

// The plain keys, with every root expanded in the same snapshot.
Result<std::vector<Bytes>> expand(const store::ReadView& view, std::vector<ledger::ProofKey> asked) {
  std::vector<Bytes> keys;
  keys.reserve(asked.size());
  for (ledger::ProofKey& k : asked) {
    if (k.role == ledger::ProofRole::kValue) {
      keys.push_back(std::move(k.key));
    } else {
      TM_ASSIGN_OR_RETURN(std::vector<Bytes> linked, ledger::expand_proof_keys(view, k));
      for (Bytes& key : linked) keys.push_back(std::move(key));
    }
    if (keys.size() > kMaxProofEntries) {
      return make_error(ErrorCode::kTooLarge, "the answer would prove more than " +
                                                  std::to_string(kMaxProofEntries) +
                                                  " keys (subjects with many claims); ask for fewer at once");
    }
  }
  return keys;
}

Result<store::ProofBundle> build(const store::ReadView& view, std::string chain_id,
                                 std::vector<ledger::ProofKey> asked) {
  TM_ASSIGN_OR_RETURN(std::vector<Bytes> keys, expand(view, std::move(asked)));
  const uint64_t height = view.height();
  TM_ASSIGN_OR_RETURN(auto hc, store::read_header_commit(view, height));
  if (!hc) return make_error(ErrorCode::kInternal, "no header stored at height " + std::to_string(height));
  store::ProofBundle b;
  b.chain_id = std::move(chain_id);
  b.headers.push_back({std::move(hc->first), std::move(hc->second)});
  b.entries.reserve(keys.size());
  for (Bytes& key : keys) {
    store::BundleEntry e;
    TM_ASSIGN_OR_RETURN(e.value, view.get(key));
    TM_ASSIGN_OR_RETURN(store::Proof proof, view.prove(key));
    e.proof = store::encode_proof(proof);
    e.height = height;
    e.key = std::move(key);
    b.entries.push_back(std::move(e));
  }
  return b;
}

}  // namespace

void handle_proofs(const Context& ctx, const Request& req, Response& res) {
  json body = json::parse(req.body.begin(), req.body.end(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return write_error(res, bad_request("body is not valid JSON; expected {\"names\": [\"dev-1\", ...]}"));
  }
  Result<std::vector<ledger::ProofKey>> keys = keys_of(body);
  if (!keys.ok()) return write_error(res, keys.error());
  auto view = ctx.node.view();
  if (view->height() == 0) {
    return write_error(res, 503, ErrorCode::kNotFound,
                       "no block has been committed yet, so there is no signed header to prove against; "
                       "retry after the first block");
  }
  Result<store::ProofBundle> b = build(*view, ctx.node.chain_id(), std::move(keys).value());
  if (!b.ok()) return write_error(res, b.error());
  Bytes cbor = store::encode_bundle(*b);
  res.content_type = kCborType;
  res.body.assign(cbor.begin(), cbor.end());
}

}  // namespace trustmesh::api
