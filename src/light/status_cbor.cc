// encode_status_answer / verify_status_cbor (status_cbor.h).
#include "light/status_cbor.h"

#include "core/cbor.h"

namespace trustmesh::light {

namespace {

Error malformed(const std::string& msg) {
  return make_error(ErrorCode::kMalformed, "status answer: " + msg);
}

Result<const cbor::Value*> need(const cbor::Value& m, const char* key) {
  const cbor::Value* v = m.find(key);
  if (v == nullptr) return malformed(std::string(key) + " is required");
  return v;
}

Result<Bytes> need_bytes(const cbor::Value& m, const char* key) {
  TM_ASSIGN_OR_RETURN(const cbor::Value* v, need(m, key));
  if (!v->is_bytes()) return malformed(std::string(key) + " must be a byte string");
  return v->as_bytes();
}

Status same(const cbor::Value& m, const char* key, const std::string& proven) {
  const cbor::Value* v = m.find(key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_text()) return malformed(std::string(key) + " must be text");
  if (v->text_view() != proven) {
    return make_error(ErrorCode::kInvalidArgument, "status answer: plain field '" + std::string(key) +
                                                       "' is " + std::string(v->text_view()) +
                                                       " but the verified record says " + proven +
                                                       " (the server is lying or broken)");
  }
  return Status::Ok();
}

Status same(const cbor::Value& m, const char* key, uint64_t proven) {
  const cbor::Value* v = m.find(key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_uint()) return malformed(std::string(key) + " must be an unsigned integer");
  if (v->as_uint().value() != proven) {
    return make_error(ErrorCode::kInvalidArgument,
                      "status answer: plain field '" + std::string(key) + "' is " +
                          std::to_string(v->as_uint().value()) + " but the verified header says " +
                          std::to_string(proven) + " (the server is lying or broken)");
  }
  return Status::Ok();
}

}  // namespace

Bytes encode_status_answer(const StatusAnswer& a) {
  using cbor::Value;
  return cbor::encode(Value::map({
      {Value::text("name"), Value::text(a.name)},
      {Value::text("status"), Value::text(a.status)},
      {Value::text("height"), Value::uint(a.height)},
      {Value::text("header_time"), Value::uint(a.header_time)},
      {Value::text("header_age_s"), Value::uint(a.header_age_s)},
      {Value::text("header"), Value::bytes(a.header)},
      {Value::text("commit"), Value::bytes(a.commit)},
      {Value::text("value"), a.value ? Value::bytes(*a.value) : Value::null()},
      {Value::text("proof"), Value::bytes(a.proof)},
  }));
}

Result<VerifiedNameStatus> verify_status_cbor(const TrustAnchor& anchor, std::string_view name, ByteView body,
                                              const Freshness& fresh) {
  Result<cbor::Value> decoded = cbor::decode(body);
  if (!decoded.ok()) return malformed(decoded.error().message);
  const cbor::Value& m = *decoded;
  if (!m.is_map()) return malformed("must be a CBOR map");
  TM_ASSIGN_OR_RETURN(Bytes header, need_bytes(m, "header"));
  TM_ASSIGN_OR_RETURN(Bytes commit, need_bytes(m, "commit"));
  TM_ASSIGN_OR_RETURN(Bytes proof, need_bytes(m, "proof"));
  TM_ASSIGN_OR_RETURN(const cbor::Value* value, need(m, "value"));
  NameStatusClaim claim{std::string(name), std::nullopt, std::move(proof)};
  if (!value->is_null()) {
    if (!value->is_bytes()) return malformed("value must be a byte string or null");
    claim.record_cbor = value->as_bytes().value();
  }
  TM_ASSIGN_OR_RETURN(VerifiedHeader vh, verify_header(anchor, header, commit));
  TM_ASSIGN_OR_RETURN(VerifiedNameStatus v, verify_name_status(vh, claim, fresh));
  TM_TRY(same(m, "name", v.name));
  TM_TRY(same(m, "status", v.status));
  TM_TRY(same(m, "height", v.height));
  TM_TRY(same(m, "header_time", v.header_time));
  return v;
}

}  // namespace trustmesh::light
