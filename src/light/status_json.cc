// verify_status_json (status_json.h). JSON fields are type-checked by hand
// before any get<>(), so malformed answers are Error values, never throws.
#include "light/status_json.h"

#include "core/address.h"
#include "ledger/schema.h"

namespace trustmesh::light {

using nlohmann::json;

namespace {

Error malformed(const std::string& msg) {
  return make_error(ErrorCode::kMalformed, "status answer: " + msg);
}

Error disagrees(const std::string& field, const std::string& claimed, const std::string& proven) {
  return make_error(ErrorCode::kInvalidArgument, "status answer: plain field '" + field + "' is " + claimed +
                                                     " but the verified record says " + proven +
                                                     " (the node is lying or broken)");
}

const json* field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

Result<std::string> text(const json& obj, const char* key, const std::string& where) {
  const json* f = field(obj, key);
  if (f == nullptr) return malformed(where + key + " is required");
  if (!f->is_string()) return malformed(where + key + " must be a string");
  return f->get<std::string>();
}

Result<Bytes> hex(const json& obj, const char* key, const std::string& where) {
  TM_ASSIGN_OR_RETURN(std::string s, text(obj, key, where));
  Result<Bytes> b = from_hex(s);
  if (!b.ok()) return malformed(where + key + ": " + b.error().message);
  return b;
}

Result<uint64_t> get_uint(const json& f, const char* key) {
  // Parsed text gives unsigned numbers; a json built in code may hold signed ones.
  if (!f.is_number_integer() || (!f.is_number_unsigned() && f.get<int64_t>() < 0))
    return malformed(std::string(key) + " must be a non-negative integer");
  return f.get<uint64_t>();
}

// A uint field that, if present, must equal `proven`; `required` if it must be present.
Status check_uint(const json& body, const char* key, uint64_t proven, bool required) {
  const json* f = field(body, key);
  if (f == nullptr) return required ? Status(malformed(std::string(key) + " is required")) : Status::Ok();
  TM_ASSIGN_OR_RETURN(uint64_t v, get_uint(*f, key));
  if (v != proven) return disagrees(key, std::to_string(v), std::to_string(proven));
  return Status::Ok();
}

// A hash field (hex) that, if present, must equal `proven` (nullopt: must be absent).
Status check_hash(const json& body, const char* key, const std::optional<Hash32>& proven, bool required) {
  const json* f = field(body, key);
  if (f == nullptr) {
    if (required && proven) return malformed(std::string(key) + " is required");
    return Status::Ok();
  }
  if (!f->is_string()) return malformed(std::string(key) + " must be a hex string");
  Result<Hash32> h = hash32_from_hex(f->get_ref<const std::string&>());
  if (!h.ok()) return malformed(std::string(key) + ": " + h.error().message);
  if (!proven) return disagrees(key, to_hex(*h), "none");
  if (*h != *proven) return disagrees(key, to_hex(*h), to_hex(*proven));
  return Status::Ok();
}

Status check_plain_fields(const json& body, const VerifiedNameStatus& v) {
  TM_ASSIGN_OR_RETURN(std::string status, text(body, "status", ""));
  if (status != v.status) return disagrees("status", "'" + status + "'", "'" + v.status + "'");
  TM_TRY(check_uint(body, "height", v.height, true));
  if (!v.record) {
    for (const char* key :
         {"owner", "cert_hash", "cert_der", "config_hash", "expires_at", "registered_at", "updated_at"}) {
      if (field(body, key) != nullptr) {
        return make_error(ErrorCode::kInvalidArgument,
                          std::string("status answer: plain field '") + key +
                              "' is set but the proof shows the name unregistered");
      }
    }
    return Status::Ok();
  }
  const ledger::NameRecord& r = *v.record;
  TM_ASSIGN_OR_RETURN(std::string owner_text, text(body, "owner", ""));
  Result<Address> owner = Address::parse(owner_text);
  if (!owner.ok()) return malformed("owner: " + owner.error().message);
  if (*owner != r.owner) return disagrees("owner", owner_text, r.owner.to_string());
  TM_TRY(check_hash(body, "cert_hash", r.value.cert_hash, true));
  TM_TRY(check_hash(body, "config_hash", r.value.config_hash, false));
  TM_TRY(check_uint(body, "expires_at", r.expires_at, true));
  TM_TRY(check_uint(body, "registered_at", r.registered_at, false));
  TM_TRY(check_uint(body, "updated_at", r.updated_at, false));
  if (const json* der = field(body, "cert_der")) {
    if (!der->is_string()) return malformed("cert_der must be a hex string");
    Result<Bytes> b = from_hex(der->get_ref<const std::string&>());
    if (!b.ok()) return malformed("cert_der: " + b.error().message);
    if (!r.value.cert_der || *b != *r.value.cert_der)
      return disagrees("cert_der", std::to_string(b->size()) + " bytes",
                       r.value.cert_der ? "other bytes" : "none");
  }
  return Status::Ok();
}

}  // namespace

Result<VerifiedNameStatus> verify_status_json(const TrustAnchor& anchor, std::string_view name,
                                              const json& body, const Freshness& fresh) {
  if (!body.is_object()) return malformed("body must be a JSON object");
  TM_ASSIGN_OR_RETURN(std::string answered, text(body, "name", ""));
  if (answered != name) {
    return make_error(ErrorCode::kInvalidArgument,
                      "status answer is for name '" + answered + "', asked for '" + std::string(name) + "'");
  }
  TM_ASSIGN_OR_RETURN(Bytes header_cbor, hex(body, "header_cbor", ""));
  TM_ASSIGN_OR_RETURN(Bytes commit_cbor, hex(body, "commit_cbor", ""));
  const json* p = field(body, "proof");
  if (p == nullptr || !p->is_object()) return malformed("proof (object) is required; ask with ?prove=true");

  NameStatusClaim claim;
  claim.name = std::string(name);
  TM_ASSIGN_OR_RETURN(Bytes key, hex(*p, "key", "proof."));
  if (key != ledger::schema::name_key(name)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "status answer: proof.key is not the state key of name '" + std::string(name) + "'");
  }
  if (field(*p, "value") != nullptr) {
    TM_ASSIGN_OR_RETURN(claim.record_cbor, hex(*p, "value", "proof."));
  }
  TM_ASSIGN_OR_RETURN(claim.proof, hex(*p, "proof", "proof."));

  TM_ASSIGN_OR_RETURN(VerifiedHeader header, verify_header(anchor, header_cbor, commit_cbor));
  TM_ASSIGN_OR_RETURN(VerifiedNameStatus v, verify_name_status(header, claim, fresh));
  TM_TRY(check_plain_fields(body, v));
  return v;
}

Result<VerifiedNameStatus> verify_status_body(const TrustAnchor& anchor, std::string_view name,
                                              std::string_view body, const Freshness& fresh) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return malformed("not valid JSON");
  return verify_status_json(anchor, name, j, fresh);
}

}  // namespace trustmesh::light
