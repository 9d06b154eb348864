// CBOR encoding of compliance-ledger records; see compliance.h.
#include "ledger/compliance.h"

#include <algorithm>
#include <array>

#include "ledger/records.h"

namespace trustmesh::ledger {

using cbor::MapEntries;
using cbor::MapReader;
using cbor::Value;

namespace {

Value text(std::string_view s) {
  return Value::text(std::string(s));
}
Value bytes(ByteView b) {
  return Value::bytes(b);
}

void put_opt_uint(MapEntries& e, std::string_view k, const std::optional<uint64_t>& v) {
  if (v) e.emplace_back(text(k), Value::uint(*v));
}
void put_opt_text(MapEntries& e, std::string_view k, const std::string& v) {
  if (!v.empty()) e.emplace_back(text(k), text(v));
}

void put_opt_map(MapEntries& e, std::string_view k, const TextMap& m) {
  if (!m.empty()) e.emplace_back(text(k), text_map_to_cbor(m));
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

Result<uint64_t> parse_u16(std::string_view s) {
  if (s.empty() || s.size() > 5 || (s.size() > 1 && s[0] == '0'))
    return make_error(ErrorCode::kInvalidArgument, "'" + std::string(s) + "' is not a number 1..65535");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return make_error(ErrorCode::kInvalidArgument, "'" + std::string(s) + "' is not a number 1..65535");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v == 0 || v > 65535)
    return make_error(ErrorCode::kInvalidArgument, "'" + std::string(s) + "' is not a number 1..65535");
  return v;
}

}  // namespace

// ---- optional fields ----

Result<std::optional<uint64_t>> read_opt_uint(MapReader& r, std::string_view k) {
  if (!r.has(k)) return std::optional<uint64_t>();
  TM_ASSIGN_OR_RETURN(uint64_t v, r.get_uint(k));
  return std::optional<uint64_t>(v);
}

Result<std::string> read_opt_text(MapReader& r, std::string_view k) {
  if (!r.has(k)) return std::string();
  TM_ASSIGN_OR_RETURN(std::string v, r.get_text(k));
  if (v.empty())
    return make_error(ErrorCode::kNonCanonical, std::string(k) + " is empty; leave it out instead");
  return v;
}

Result<Bytes> read_opt_bytes(MapReader& r, std::string_view k) {
  if (!r.has(k)) return Bytes();
  TM_ASSIGN_OR_RETURN(Bytes v, r.get_bytes(k));
  if (v.empty())
    return make_error(ErrorCode::kNonCanonical, std::string(k) + " is empty; leave it out instead");
  return v;
}

Result<TextMap> read_opt_text_map(MapReader& r, std::string_view k) {
  if (!r.has(k)) return TextMap();
  TM_ASSIGN_OR_RETURN(const Value* v, r.get(k));
  TM_ASSIGN_OR_RETURN(TextMap m, text_map_from_cbor(*v, k));
  if (m.empty())
    return make_error(ErrorCode::kNonCanonical, std::string(k) + " is empty; leave it out instead");
  return m;
}

// ---- text maps ----

Status check_text_map(const TextMap& m, std::string_view what) {
  if (m.size() > kMaxTextMapEntries)
    return make_error(ErrorCode::kTooLarge, std::string(what) + " has " + std::to_string(m.size()) +
                                                " entries; the limit is " +
                                                std::to_string(kMaxTextMapEntries));
  for (const auto& [k, v] : m) {
    if (k.empty() || k.size() > kMaxTextMapKey)
      return make_error(ErrorCode::kTooLarge, std::string(what) + " key '" + k + "' must be 1.." +
                                                  std::to_string(kMaxTextMapKey) + " bytes");
    if (v.size() > kMaxTextMapValue)
      return make_error(ErrorCode::kTooLarge, std::string(what) + " value of '" + k + "' is over " +
                                                  std::to_string(kMaxTextMapValue) + " bytes");
  }
  return Status::Ok();
}

Value text_map_to_cbor(const TextMap& m) {
  MapEntries e;
  for (const auto& [k, v] : m) e.emplace_back(text(k), text(v));
  return Value::map(std::move(e));
}

Result<TextMap> text_map_from_cbor(const Value& v, std::string_view what) {
  if (!v.is_map())
    return make_error(ErrorCode::kMalformed, std::string(what) + " must be a map of text to text");
  TextMap m;
  for (const auto& [k, val] : v.map_entries()) {
    if (!k.is_text() || !val.is_text())
      return make_error(ErrorCode::kMalformed, std::string(what) + " must be a map of text to text");
    m.emplace(std::string(k.text_view()), std::string(val.text_view()));
  }
  TM_TRY(check_text_map(m, what));
  return m;
}

bool is_org_kind(std::string_view kind) {
  return one_of(kind, {"manufacturer", "standards_body", "test_lab", "certification_body", "regulator",
                       "integrator", "software_developer", "network_operator"});
}

bool is_power_role(std::string_view role) {
  return role == "standards_body" || role == "test_lab" || role == "certification_body";
}

Bytes org_root_message(std::string_view chain_id, std::string_view org_id, const Address& sender) {
  Bytes m = to_bytes(std::string_view("trustmesh/org-root/v1"));
  m.push_back(0);
  append(m, as_bytes(chain_id));
  m.push_back(0);
  append(m, as_bytes(org_id));
  m.push_back(0);
  append(m, sender.view());
  return m;
}

bool is_claim_type(std::string_view type) {
  return one_of(type, {"membership", "membership_ended", "liaison", "lab_approval", "compliance",
                       "certification_failed", "advisory", "firmware_vote", "device_status", "endorsement",
                       "revocation", "cosign"});
}

Result<Subject> parse_subject(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon + 1 == s.size())
    return make_error(ErrorCode::kInvalidArgument,
                      "subject '" + std::string(s) + "' must be kind:id, e.g. org:acme or model:4660/22136");
  Subject out{std::string(s.substr(0, colon)), std::string(s.substr(colon + 1))};
  if (!one_of(out.kind, {"org", "model", "release", "cert", "device"}))
    return make_error(ErrorCode::kInvalidArgument,
                      "subject kind '" + out.kind + "' is not one of org, model, release, cert, device");
  if (out.kind == "model") {
    if (out.id.find('/') == std::string::npos)
      return make_error(ErrorCode::kInvalidArgument, "a model subject is model:<vid>/<pid> in decimal");
    TM_ASSIGN_OR_RETURN(auto ids, parse_model_id(out.id));
    (void)ids;
  }
  if (out.kind == "release" || out.kind == "cert") {
    auto h = hash32_from_hex(out.id);
    if (!h.ok() || to_hex(*h) != out.id)
      return make_error(ErrorCode::kInvalidArgument, "a " + out.kind + " subject is " + out.kind +
                                                         ":<64 lower-case hex digits of SHA-256>");
  }
  return out;
}

Result<std::pair<uint64_t, uint64_t>> parse_model_id(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos)
    return make_error(ErrorCode::kInvalidArgument,
                      "model '" + std::string(s) + "' must be <vid>/<pid> in decimal");
  TM_ASSIGN_OR_RETURN(uint64_t vid, parse_u16(s.substr(0, slash)));
  TM_ASSIGN_OR_RETURN(uint64_t pid, parse_u16(s.substr(slash + 1)));
  return std::pair{vid, pid};
}

std::string model_subject(uint64_t vid, uint64_t pid) {
  return "model:" + std::to_string(vid) + "/" + std::to_string(pid);
}

// ---- Org ----

Value Org::to_cbor() const {
  MapEntries e{{text("id"), text(id)},
               {text("kind"), text(kind)},
               {text("name"), text(name)},
               {text("admin"), bytes(admin.view())},
               {text("cert_count"), Value::uint(cert_count)},
               {text("registered_at"), Value::uint(registered_at)},
               {text("updated_at"), Value::uint(updated_at)}};
  cbor::Array r;
  for (const Hash32& h : roots) r.push_back(bytes(h));
  e.emplace_back(text("roots"), Value::array(std::move(r)));
  put_opt_uint(e, "vendor_id", vendor_id);
  put_opt_text(e, "crl_url", crl_url);
  put_opt_map(e, "roles", roles);
  return Value::map(std::move(e));
}

Result<Org> Org::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "org"));
  Org o;
  TM_ASSIGN_OR_RETURN(o.id, r.get_text("id"));
  TM_ASSIGN_OR_RETURN(o.kind, r.get_text("kind"));
  TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
  TM_ASSIGN_OR_RETURN(o.admin, read_address(r, "admin"));
  TM_ASSIGN_OR_RETURN(uint64_t n, r.get_uint("cert_count"));
  if (n > UINT32_MAX) return make_error(ErrorCode::kMalformed, "cert_count out of range");
  o.cert_count = static_cast<uint32_t>(n);
  TM_ASSIGN_OR_RETURN(o.registered_at, r.get_uint("registered_at"));
  TM_ASSIGN_OR_RETURN(o.updated_at, r.get_uint("updated_at"));
  TM_ASSIGN_OR_RETURN(const Value* roots, r.get("roots"));
  if (!roots->is_array() || roots->array_items().size() > kMaxOrgRoots)
    return make_error(ErrorCode::kMalformed, "roots must be an array of at most 8 hashes");
  for (const Value& h : roots->array_items()) {
    TM_ASSIGN_OR_RETURN(Bytes b, h.as_bytes());
    TM_ASSIGN_OR_RETURN(Hash32 hh, hash32_of(b, "root"));
    o.roots.push_back(hh);
  }
  TM_ASSIGN_OR_RETURN(o.vendor_id, read_opt_uint(r, "vendor_id"));
  TM_ASSIGN_OR_RETURN(o.crl_url, read_opt_text(r, "crl_url"));
  TM_ASSIGN_OR_RETURN(o.roles, read_opt_text_map(r, "roles"));
  TM_TRY(r.finish());
  return o;
}

// ---- CertRecord ----

Value CertRecord::to_cbor() const {
  MapEntries e{{text("org"), text(org)},
               {text("level"), text(level)},
               {text("der"), bytes(der)},
               {text("revoked"), Value::boolean(revoked)},
               {text("added_at"), Value::uint(added_at)}};
  if (parent) e.emplace_back(text("parent"), bytes(*parent));
  put_opt_uint(e, "vid", vid);
  put_opt_uint(e, "pid", pid);
  if (revoked) e.emplace_back(text("revoked_at"), Value::uint(revoked_at));
  if (revoked_time) e.emplace_back(text("revoked_time"), Value::uint(revoked_time));
  put_opt_text(e, "reason", reason);
  put_opt_text(e, "name", name);
  return Value::map(std::move(e));
}

Result<CertRecord> CertRecord::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "certificate record"));
  CertRecord c;
  TM_ASSIGN_OR_RETURN(c.org, r.get_text("org"));
  TM_ASSIGN_OR_RETURN(c.level, r.get_text("level"));
  TM_ASSIGN_OR_RETURN(c.der, r.get_bytes("der"));
  TM_ASSIGN_OR_RETURN(c.revoked, r.get_bool("revoked"));
  TM_ASSIGN_OR_RETURN(c.added_at, r.get_uint("added_at"));
  if (r.has("parent")) {
    TM_ASSIGN_OR_RETURN(Hash32 p, read_hash32(r, "parent"));
    c.parent = p;
  }
  TM_ASSIGN_OR_RETURN(c.vid, read_opt_uint(r, "vid"));
  TM_ASSIGN_OR_RETURN(c.pid, read_opt_uint(r, "pid"));
  if (c.revoked) {
    TM_ASSIGN_OR_RETURN(c.revoked_at, r.get_uint("revoked_at"));
  }
  TM_ASSIGN_OR_RETURN(auto t, read_opt_uint(r, "revoked_time"));
  if (t && (*t == 0 || !c.revoked)) return make_error(ErrorCode::kNonCanonical, "revoked_time out of place");
  c.revoked_time = t.value_or(0);
  TM_ASSIGN_OR_RETURN(c.reason, read_opt_text(r, "reason"));
  TM_ASSIGN_OR_RETURN(c.name, read_opt_text(r, "name"));
  TM_TRY(r.finish());
  return c;
}

// ---- CrlRecord ----

Value CrlRecord::to_cbor() const {
  return Value::map({{text("org"), text(org)},
                     {text("issuer"), bytes(issuer)},
                     {text("der"), bytes(der)},
                     {text("number"), Value::uint(number)},
                     {text("this_update"), Value::uint(this_update)},
                     {text("next_update"), Value::uint(next_update)},
                     {text("entries"), Value::uint(entries)},
                     {text("published_at"), Value::uint(published_at)}});
}

Result<CrlRecord> CrlRecord::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "CRL record"));
  CrlRecord c;
  TM_ASSIGN_OR_RETURN(c.org, r.get_text("org"));
  TM_ASSIGN_OR_RETURN(c.issuer, read_hash32(r, "issuer"));
  TM_ASSIGN_OR_RETURN(c.der, r.get_bytes("der"));
  TM_ASSIGN_OR_RETURN(c.number, r.get_uint("number"));
  TM_ASSIGN_OR_RETURN(c.this_update, r.get_uint("this_update"));
  TM_ASSIGN_OR_RETURN(c.next_update, r.get_uint("next_update"));
  TM_ASSIGN_OR_RETURN(uint64_t n, r.get_uint("entries"));
  if (n > UINT32_MAX) return make_error(ErrorCode::kMalformed, "entries out of range");
  c.entries = static_cast<uint32_t>(n);
  TM_ASSIGN_OR_RETURN(c.published_at, r.get_uint("published_at"));
  TM_TRY(r.finish());
  return c;
}

// ---- Model ----

Value Model::to_cbor() const {
  MapEntries e{{text("org"), text(org)},
               {text("vid"), Value::uint(vid)},
               {text("pid"), Value::uint(pid)},
               {text("name"), text(name)},
               {text("release_count"), Value::uint(release_count)},
               {text("created_at"), Value::uint(created_at)},
               {text("updated_at"), Value::uint(updated_at)}};
  put_opt_map(e, "label", label);
  return Value::map(std::move(e));
}

Result<Model> Model::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "model"));
  Model m;
  TM_ASSIGN_OR_RETURN(m.org, r.get_text("org"));
  TM_ASSIGN_OR_RETURN(m.vid, r.get_uint("vid"));
  TM_ASSIGN_OR_RETURN(m.pid, r.get_uint("pid"));
  TM_ASSIGN_OR_RETURN(m.name, r.get_text("name"));
  TM_ASSIGN_OR_RETURN(uint64_t n, r.get_uint("release_count"));
  if (n > UINT32_MAX) return make_error(ErrorCode::kMalformed, "release_count out of range");
  m.release_count = static_cast<uint32_t>(n);
  TM_ASSIGN_OR_RETURN(m.created_at, r.get_uint("created_at"));
  TM_ASSIGN_OR_RETURN(m.updated_at, r.get_uint("updated_at"));
  TM_ASSIGN_OR_RETURN(m.label, read_opt_text_map(r, "label"));
  TM_TRY(r.finish());
  return m;
}

// ---- ChangeEntry ----

Value ChangeEntry::to_cbor() const {
  return Value::map({{text("height"), Value::uint(height)},
                     {text("tx"), bytes(tx_hash)},
                     {text("op"), text(op)},
                     {text("detail"), text(detail)},
                     {text("digest"), bytes(digest)}});
}

Result<ChangeEntry> ChangeEntry::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "change entry"));
  ChangeEntry c;
  TM_ASSIGN_OR_RETURN(c.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(c.tx_hash, read_hash32(r, "tx"));
  TM_ASSIGN_OR_RETURN(c.op, r.get_text("op"));
  TM_ASSIGN_OR_RETURN(c.detail, r.get_text("detail"));
  TM_ASSIGN_OR_RETURN(c.digest, read_hash32(r, "digest"));
  TM_TRY(r.finish());
  return c;
}

// ---- Release ----

Value Release::to_cbor() const {
  MapEntries e{{text("org"), text(org)},
               {text("vid"), Value::uint(vid)},
               {text("pid"), Value::uint(pid)},
               {text("version"), Value::uint(version)},
               {text("version_string"), text(version_string)},
               {text("kind"), text(kind)},
               {text("sha256"), bytes(sha256)},
               {text("size"), Value::uint(size)},
               {text("published_at"), Value::uint(published_at)}};
  put_opt_text(e, "url", url);
  if (!signature.empty()) e.emplace_back(text("signature"), bytes(signature));
  return Value::map(std::move(e));
}

Result<Release> Release::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "release"));
  Release x;
  TM_TRY(read_release_fields(r, x));
  TM_ASSIGN_OR_RETURN(x.published_at, r.get_uint("published_at"));
  TM_TRY(r.finish());
  return x;
}

// ---- Claim ----

Value Claim::to_cbor() const {
  MapEntries e{{text("id"), Value::uint(id)},
               {text("issuer"), text(issuer)},
               {text("type"), text(type)},
               {text("subject"), text(subject)},
               {text("issued_at"), Value::uint(issued_at)},
               {text("tx"), bytes(tx_hash)}};
  if (expires_at) e.emplace_back(text("expires_at"), Value::uint(expires_at));
  if (withdrawn_at) e.emplace_back(text("withdrawn_at"), Value::uint(withdrawn_at));
  put_opt_map(e, "data", data);
  return Value::map(std::move(e));
}

Result<Claim> Claim::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "claim"));
  Claim c;
  TM_ASSIGN_OR_RETURN(c.id, r.get_uint("id"));
  TM_ASSIGN_OR_RETURN(c.issuer, r.get_text("issuer"));
  TM_ASSIGN_OR_RETURN(c.type, r.get_text("type"));
  TM_ASSIGN_OR_RETURN(c.subject, r.get_text("subject"));
  TM_ASSIGN_OR_RETURN(c.issued_at, r.get_uint("issued_at"));
  TM_ASSIGN_OR_RETURN(c.tx_hash, read_hash32(r, "tx"));
  TM_ASSIGN_OR_RETURN(auto exp, read_opt_uint(r, "expires_at"));
  TM_ASSIGN_OR_RETURN(auto wd, read_opt_uint(r, "withdrawn_at"));
  if ((exp && *exp == 0) || (wd && *wd == 0))
    return make_error(ErrorCode::kNonCanonical, "a zero expires_at/withdrawn_at must be left out");
  c.expires_at = exp.value_or(0);
  c.withdrawn_at = wd.value_or(0);
  TM_ASSIGN_OR_RETURN(c.data, read_opt_text_map(r, "data"));
  TM_TRY(r.finish());
  return c;
}

}  // namespace trustmesh::ledger
