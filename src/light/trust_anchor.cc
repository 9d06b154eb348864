// Genesis JSON -> TrustAnchor (trust_anchor.h). Parsed with nlohmann::json in
// no-exception mode; every used field is type-checked by hand, so bad input
// is an Error value naming the field, never a throw.
#include "light/trust_anchor.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace trustmesh::light {

using nlohmann::json;

namespace {

Error bad(std::string msg) {
  return make_error(ErrorCode::kInvalidArgument, "genesis: " + std::move(msg));
}

Result<consensus::Validator> parse_validator(const json& v, const std::string& where) {
  if (!v.is_object()) return bad(where + " must be an object");
  auto pk = v.find("pub_key");
  if (pk == v.end() || !pk->is_string()) return bad(where + ".pub_key (hex string) is required");
  Result<Bytes> raw = from_hex(pk->get_ref<const std::string&>());
  if (!raw.ok()) return bad(where + ".pub_key: " + raw.error().message);
  Result<PublicKey> key = PublicKey::from_encoded(*raw);
  if (!key.ok())
    return make_error(key.error().code, "genesis: " + where + ".pub_key: " + key.error().message);
  consensus::Validator val{*key, 1};
  if (auto p = v.find("power"); p != v.end()) {
    if (!p->is_number_integer() || (!p->is_number_unsigned() && p->get<int64_t>() < 0))
      return bad(where + ".power must be a positive integer");
    val.power = p->get<uint64_t>();
    if (val.power == 0) return bad(where + ".power must be >= 1");
  }
  return val;
}

}  // namespace

Result<TrustAnchor> TrustAnchor::from_genesis_json(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::kMalformed, "genesis: not valid JSON");
  if (!j.is_object()) return bad("top level must be an object");

  auto cid = j.find("chain_id");
  if (cid == j.end() || !cid->is_string()) return bad("chain_id (string) is required");
  std::string chain_id = cid->get<std::string>();
  if (chain_id.empty() || chain_id.size() > 64 ||
      !std::all_of(chain_id.begin(), chain_id.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return bad("chain_id must be 1..64 printable ASCII characters without spaces");
  }

  auto vals = j.find("validators");
  if (vals == j.end()) return bad("validators is required (a light client trusts nothing without it)");
  if (!vals->is_array() || vals->empty()) return bad("validators must be a non-empty array");
  std::vector<consensus::Validator> list;
  for (size_t i = 0; i < vals->size(); ++i) {
    TM_ASSIGN_OR_RETURN(consensus::Validator v,
                        parse_validator((*vals)[i], "validators[" + std::to_string(i) + "]"));
    list.push_back(std::move(v));
  }
  Result<consensus::ValidatorSet> set = consensus::ValidatorSet::make(std::move(list));
  if (!set.ok()) return make_error(set.error().code, "genesis: validators: " + set.error().message);
  return TrustAnchor{std::move(chain_id), std::move(set).value()};
}

}  // namespace trustmesh::light
