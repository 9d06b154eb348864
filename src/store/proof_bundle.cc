// encode_bundle / decode_bundle (proof_bundle.h).
#include "store/proof_bundle.h"

#include "core/cbor.h"

namespace trustmesh::store {

namespace {

cbor::Value entry_to_cbor(const BundleEntry& e) {
  return cbor::Value::map({
      {cbor::Value::text("key"), cbor::Value::bytes(e.key)},
      {cbor::Value::text("height"), cbor::Value::uint(e.height)},
      {cbor::Value::text("value"), e.value ? cbor::Value::bytes(*e.value) : cbor::Value::null()},
      {cbor::Value::text("proof"), cbor::Value::bytes(e.proof)},
  });
}

Result<const cbor::Array*> array_field(cbor::MapReader& r, std::string_view key, size_t max) {
  TM_ASSIGN_OR_RETURN(const cbor::Value* v, r.get(key));
  if (!v->is_array())
    return make_error(ErrorCode::kMalformed, "bundle: '" + std::string(key) + "' must be an array");
  if (v->array_items().size() > max) {
    return make_error(ErrorCode::kTooLarge,
                      "bundle: more than " + std::to_string(max) + " items in '" + std::string(key) + "'");
  }
  return &v->array_items();
}

cbor::Value header_to_cbor(const BundleHeader& h) {
  return cbor::Value::map({
      {cbor::Value::text("header"), cbor::Value::bytes(h.header)},
      {cbor::Value::text("commit"), cbor::Value::bytes(h.commit)},
  });
}

Result<BundleHeader> header_from(const cbor::Value& v) {
  TM_ASSIGN_OR_RETURN(cbor::MapReader r, cbor::MapReader::of(v, "bundle header"));
  BundleHeader h;
  TM_ASSIGN_OR_RETURN(h.header, r.get_bytes("header"));
  TM_ASSIGN_OR_RETURN(h.commit, r.get_bytes("commit"));
  TM_TRY(r.finish());
  return h;
}

Result<BundleEntry> entry_from(const cbor::Value& v) {
  TM_ASSIGN_OR_RETURN(cbor::MapReader r, cbor::MapReader::of(v, "bundle entry"));
  BundleEntry e;
  TM_ASSIGN_OR_RETURN(e.key, r.get_bytes("key"));
  if (e.key.empty() || e.key.size() > kMaxBundleKey) {
    return make_error(ErrorCode::kMalformed,
                      "bundle entry: key must be 1.." + std::to_string(kMaxBundleKey) + " bytes");
  }
  TM_ASSIGN_OR_RETURN(e.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(const cbor::Value* value, r.get("value"));
  if (!value->is_null()) {
    TM_ASSIGN_OR_RETURN(Bytes b, value->as_bytes());
    e.value = std::move(b);
  }
  TM_ASSIGN_OR_RETURN(e.proof, r.get_bytes("proof"));
  TM_TRY(r.finish());
  return e;
}

}  // namespace

Bytes encode_bundle(const ProofBundle& b) {
  cbor::Array headers;
  headers.reserve(b.headers.size());
  for (const BundleHeader& h : b.headers) {
    headers.push_back(header_to_cbor(h));
  }
  cbor::Array entries;
  entries.reserve(b.entries.size());
  for (const BundleEntry& e : b.entries) entries.push_back(entry_to_cbor(e));
  return cbor::encode(cbor::Value::map({
      {cbor::Value::text("chain_id"), cbor::Value::text(b.chain_id)},
      {cbor::Value::text("headers"), cbor::Value::array(std::move(headers))},
      {cbor::Value::text("entries"), cbor::Value::array(std::move(entries))},
  }));
}

Bytes encode_bundle_header(const BundleHeader& h) {
  return cbor::encode(header_to_cbor(h));
}

Result<BundleHeader> decode_bundle_header(ByteView data) {
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(data));
  return header_from(v);
}

Bytes encode_bundle_entry(const BundleEntry& e) {
  return cbor::encode(entry_to_cbor(e));
}

Result<BundleEntry> decode_bundle_entry(ByteView data) {
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(data));
  return entry_from(v);
}

Result<ProofBundle> decode_bundle(ByteView data) {
  cbor::DecodeLimits limits;
  limits.max_items = 8 * kMaxBundleEntries + 4 * kMaxBundleHeaders + 16;
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(data, limits));
  TM_ASSIGN_OR_RETURN(cbor::MapReader r, cbor::MapReader::of(v, "bundle"));
  ProofBundle b;
  TM_ASSIGN_OR_RETURN(b.chain_id, r.get_text("chain_id"));
  TM_ASSIGN_OR_RETURN(const cbor::Array* headers, array_field(r, "headers", kMaxBundleHeaders));
  for (const cbor::Value& hv : *headers) {
    TM_ASSIGN_OR_RETURN(BundleHeader h, header_from(hv));
    b.headers.push_back(std::move(h));
  }
  TM_ASSIGN_OR_RETURN(const cbor::Array* entries, array_field(r, "entries", kMaxBundleEntries));
  b.entries.reserve(entries->size());
  for (const cbor::Value& ev : *entries) {
    TM_ASSIGN_OR_RETURN(BundleEntry e, entry_from(ev));
    b.entries.push_back(std::move(e));
  }
  TM_TRY(r.finish());
  return b;
}

}  // namespace trustmesh::store
