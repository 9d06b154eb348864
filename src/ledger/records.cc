// CBOR encoding of ledger records; see records.h.
#include "ledger/records.h"

#include <algorithm>

#include "core/hash.h"

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
}  // namespace

Result<Hash32> hash32_of(const Bytes& b, std::string_view what) {
  if (b.size() != 32) {
    return make_error(ErrorCode::kMalformed,
                      std::string(what) + " must be 32 bytes, got " + std::to_string(b.size()));
  }
  Hash32 h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

Result<Address> address_of(const Bytes& b, std::string_view what) {
  auto a = Address::from_bytes(b);
  if (!a.ok()) {
    return make_error(ErrorCode::kMalformed, std::string(what) + " must be a 20-byte address, got " +
                                                 std::to_string(b.size()) + " bytes");
  }
  return a;
}

Result<Hash32> read_hash32(MapReader& r, std::string_view key) {
  TM_ASSIGN_OR_RETURN(Bytes b, r.get_bytes(key));
  return hash32_of(b, key);
}

Result<Address> read_address(MapReader& r, std::string_view key) {
  TM_ASSIGN_OR_RETURN(Bytes b, r.get_bytes(key));
  return address_of(b, key);
}

Result<std::map<std::string, uint64_t>> read_param_changes(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "changes"));  // checks: a map with text keys
  std::map<std::string, uint64_t> out;
  for (const auto& [k, val] : v.map_entries()) {
    TM_ASSIGN_OR_RETURN(std::string key, k.as_text());
    TM_ASSIGN_OR_RETURN(out[key], val.as_uint());
  }
  return out;
}

Value param_changes_to_cbor(const std::map<std::string, uint64_t>& changes) {
  MapEntries e;
  for (const auto& [k, val] : changes) e.emplace_back(text(k), Value::uint(val));
  return Value::map(std::move(e));
}

// ---- Account ----

Value Account::to_cbor() const {
  return Value::map({{text("balance"), Value::uint(balance)}, {text("seq"), Value::uint(seq)}});
}

Result<Account> Account::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "account"));
  Account a;
  TM_ASSIGN_OR_RETURN(a.balance, r.get_uint("balance"));
  TM_ASSIGN_OR_RETURN(a.seq, r.get_uint("seq"));
  TM_TRY(r.finish());
  return a;
}

// ---- NameValue ----

Value NameValue::to_cbor() const {
  MapEntries e;
  e.emplace_back(text("cert_hash"), bytes(cert_hash));
  if (cert_der) e.emplace_back(text("cert_der"), bytes(*cert_der));
  if (config_hash) e.emplace_back(text("config_hash"), bytes(*config_hash));
  return Value::map(std::move(e));
}

Result<NameValue> NameValue::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "name value"));
  NameValue nv;
  TM_ASSIGN_OR_RETURN(nv.cert_hash, read_hash32(r, "cert_hash"));
  if (r.has("cert_der")) {
    TM_ASSIGN_OR_RETURN(Bytes der, r.get_bytes("cert_der"));
    nv.cert_der = std::move(der);
  }
  if (r.has("config_hash")) {
    TM_ASSIGN_OR_RETURN(Bytes cfg, r.get_bytes("config_hash"));
    TM_ASSIGN_OR_RETURN(Hash32 h, hash32_of(cfg, "config_hash"));
    nv.config_hash = h;
  }
  TM_TRY(r.finish());
  return nv;
}

Hash32 NameValue::digest() const {
  return sha256(cbor::encode(to_cbor()));
}

std::string_view name_status_name(NameStatus s) {
  switch (s) {
    case NameStatus::kActive: return "active";
    case NameStatus::kRevoked: return "revoked";
    case NameStatus::kRetired: return "retired";
  }
  return "unknown";
}

namespace {
constexpr std::string_view kStageNames[] = {"manufactured", "distribution", "installed",
                                            "operation",    "transferred",  "retired"};
constexpr uint64_t kMaxStage = static_cast<uint64_t>(DeviceStage::kRetired);
}  // namespace

std::string_view device_stage_name(DeviceStage s) {
  auto i = static_cast<size_t>(s);
  return i <= kMaxStage ? kStageNames[i] : "unknown";
}

std::optional<DeviceStage> device_stage_from(std::string_view name) {
  for (size_t i = 0; i <= kMaxStage; ++i)
    if (kStageNames[i] == name) return static_cast<DeviceStage>(i);
  return std::nullopt;
}

bool stage_allowed(DeviceStage from, DeviceStage to) {
  using S = DeviceStage;
  if (to == S::kRetired) return from != S::kRetired;
  switch (from) {
    case S::kManufactured: return to == S::kDistribution || to == S::kInstalled;
    case S::kDistribution: return to == S::kDistribution || to == S::kInstalled;
    case S::kInstalled: return to == S::kOperation;
    case S::kOperation: return to == S::kInstalled || to == S::kTransferred;
    case S::kTransferred: return to == S::kInstalled || to == S::kOperation;
    case S::kRetired: return false;
  }
  return false;
}

// ---- NameRecord ----

Value NameRecord::to_cbor() const {
  return Value::map({
      {text("owner"), bytes(owner.view())},
      {text("value"), value.to_cbor()},
      {text("status"), Value::uint(static_cast<uint64_t>(status))},
      {text("stage"), Value::uint(static_cast<uint64_t>(stage))},
      {text("registered_at"), Value::uint(registered_at)},
      {text("expires_at"), Value::uint(expires_at)},
      {text("updated_at"), Value::uint(updated_at)},
      {text("history_len"), Value::uint(history_len)},
  });
}

Result<NameRecord> NameRecord::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "name record"));
  NameRecord n;
  TM_ASSIGN_OR_RETURN(n.owner, read_address(r, "owner"));
  TM_ASSIGN_OR_RETURN(const Value* val, r.get("value"));
  TM_ASSIGN_OR_RETURN(n.value, NameValue::from_cbor(*val));
  TM_ASSIGN_OR_RETURN(uint64_t status, r.get_uint("status"));
  if (status > static_cast<uint64_t>(NameStatus::kRetired))
    return make_error(ErrorCode::kMalformed, "name record: unknown status " + std::to_string(status));
  n.status = static_cast<NameStatus>(status);
  TM_ASSIGN_OR_RETURN(uint64_t stage, r.get_uint("stage"));
  if (stage > kMaxStage)
    return make_error(ErrorCode::kMalformed, "name record: unknown stage " + std::to_string(stage));
  n.stage = static_cast<DeviceStage>(stage);
  TM_ASSIGN_OR_RETURN(n.registered_at, r.get_uint("registered_at"));
  TM_ASSIGN_OR_RETURN(n.expires_at, r.get_uint("expires_at"));
  TM_ASSIGN_OR_RETURN(n.updated_at, r.get_uint("updated_at"));
  TM_ASSIGN_OR_RETURN(uint64_t hl, r.get_uint("history_len"));
  if (hl > UINT32_MAX) return make_error(ErrorCode::kMalformed, "name record: history_len out of range");
  n.history_len = static_cast<uint32_t>(hl);
  TM_TRY(r.finish());
  return n;
}

// ---- Preorder ----

Value Preorder::to_cbor() const {
  return Value::map({{text("height"), Value::uint(height)}, {text("deadline"), Value::uint(deadline)}});
}

Result<Preorder> Preorder::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "preorder"));
  Preorder p;
  TM_ASSIGN_OR_RETURN(p.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(p.deadline, r.get_uint("deadline"));
  TM_TRY(r.finish());
  return p;
}

// ---- HistoryEntry ----

Value HistoryEntry::to_cbor() const {
  Value v = Value::map({
      {text("height"), Value::uint(height)},
      {text("tx"), bytes(tx_hash)},
      {text("op"), text(op)},
      {text("owner"), bytes(owner.view())},
      {text("value_hash"), bytes(value_hash)},
      {text("expires_at"), Value::uint(expires_at)},
      {text("stage"), Value::uint(static_cast<uint64_t>(stage))},
  });
  if (!cert) return v;
  MapEntries e = v.map_entries();
  e.emplace_back(text("cert"), bytes(*cert));
  return Value::map(std::move(e));
}

Result<HistoryEntry> HistoryEntry::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "history entry"));
  HistoryEntry h;
  TM_ASSIGN_OR_RETURN(h.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(h.tx_hash, read_hash32(r, "tx"));
  TM_ASSIGN_OR_RETURN(h.op, r.get_text("op"));
  TM_ASSIGN_OR_RETURN(h.owner, read_address(r, "owner"));
  TM_ASSIGN_OR_RETURN(h.value_hash, read_hash32(r, "value_hash"));
  TM_ASSIGN_OR_RETURN(h.expires_at, r.get_uint("expires_at"));
  TM_ASSIGN_OR_RETURN(uint64_t stage, r.get_uint("stage"));
  if (stage > kMaxStage)
    return make_error(ErrorCode::kMalformed, "history entry: unknown stage " + std::to_string(stage));
  h.stage = static_cast<DeviceStage>(stage);
  if (r.has("cert")) {
    TM_ASSIGN_OR_RETURN(Hash32 c, read_hash32(r, "cert"));
    h.cert = c;
  }
  TM_TRY(r.finish());
  return h;
}

// ---- Proposal ----

Value addresses_to_cbor(const std::vector<Address>& list) {
  cbor::Array items;
  for (const auto& a : list) items.push_back(bytes(a.view()));
  return Value::array(std::move(items));
}

Result<std::vector<Address>> addresses_from_cbor(const Value& v, std::string_view what) {
  if (!v.is_array()) return make_error(ErrorCode::kMalformed, std::string(what) + " must be an array");
  std::vector<Address> out;
  for (const auto& item : v.array_items()) {
    TM_ASSIGN_OR_RETURN(Bytes b, item.as_bytes());
    TM_ASSIGN_OR_RETURN(Address a, address_of(b, what));
    if (!out.empty() && !(out.back() < a)) {
      return make_error(ErrorCode::kNonCanonical, std::string(what) + " must be sorted and unique");
    }
    out.push_back(a);
  }
  return out;
}

Value Proposal::to_cbor() const {
  Value v = Value::map({
      {text("id"), Value::uint(id)},
      {text("proposer"), bytes(proposer.view())},
      {text("height"), Value::uint(height)},
      {text("changes"), param_changes_to_cbor(changes)},
      {text("approvals"), addresses_to_cbor(approvals)},
      {text("applied"), Value::boolean(applied)},
  });
  if (validators.empty() && grants.empty() && ca_roots.empty() && vendor_ids.empty()) return v;
  MapEntries e = v.map_entries();
  if (!validators.empty()) e.emplace_back(text("validators"), validator_changes_to_cbor(validators));
  if (!grants.empty()) e.emplace_back(text("grants"), role_grants_to_cbor(grants));
  if (!ca_roots.empty()) e.emplace_back(text("ca_roots"), der_list_to_cbor(ca_roots));
  if (!vendor_ids.empty()) e.emplace_back(text("vendor_ids"), vendor_grants_to_cbor(vendor_ids));
  return Value::map(std::move(e));
}

Result<Proposal> Proposal::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "proposal"));
  Proposal p;
  TM_ASSIGN_OR_RETURN(p.id, r.get_uint("id"));
  TM_ASSIGN_OR_RETURN(p.proposer, read_address(r, "proposer"));
  TM_ASSIGN_OR_RETURN(p.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(const Value* ch, r.get("changes"));
  TM_ASSIGN_OR_RETURN(p.changes, read_param_changes(*ch));
  TM_ASSIGN_OR_RETURN(const Value* ap, r.get("approvals"));
  TM_ASSIGN_OR_RETURN(p.approvals, addresses_from_cbor(*ap, "approvals"));
  TM_ASSIGN_OR_RETURN(p.applied, r.get_bool("applied"));
  if (r.has("validators")) {
    TM_ASSIGN_OR_RETURN(const Value* vs, r.get("validators"));
    TM_ASSIGN_OR_RETURN(p.validators, validator_changes_from_cbor(*vs));
  }
  if (r.has("grants")) {
    TM_ASSIGN_OR_RETURN(const Value* g, r.get("grants"));
    TM_ASSIGN_OR_RETURN(p.grants, role_grants_from_cbor(*g));
  }
  if (r.has("ca_roots")) {
    TM_ASSIGN_OR_RETURN(const Value* c, r.get("ca_roots"));
    TM_ASSIGN_OR_RETURN(p.ca_roots, der_list_from_cbor(*c, "ca_roots"));
  }
  if (r.has("vendor_ids")) {
    TM_ASSIGN_OR_RETURN(const Value* g, r.get("vendor_ids"));
    TM_ASSIGN_OR_RETURN(p.vendor_ids, vendor_grants_from_cbor(*g));
  }
  TM_TRY(r.finish());
  return p;
}

Value role_grants_to_cbor(const std::vector<RoleGrant>& grants) {
  cbor::Array out;
  for (const auto& g : grants)
    out.push_back(Value::array({text(g.org), text(g.role), Value::boolean(g.revoke)}));
  return Value::array(std::move(out));
}

Result<std::vector<RoleGrant>> role_grants_from_cbor(const Value& v) {
  if (!v.is_array() || v.array_items().empty() || v.array_items().size() > 100)
    return make_error(ErrorCode::kMalformed, "grants must be an array of 1..100 [org, role, revoke] entries");
  std::vector<RoleGrant> out;
  for (const Value& item : v.array_items()) {
    if (!item.is_array() || item.array_items().size() != 3)
      return make_error(ErrorCode::kMalformed, "a grant is [org, role, revoke]");
    RoleGrant g;
    TM_ASSIGN_OR_RETURN(g.org, item.array_items()[0].as_text());
    TM_ASSIGN_OR_RETURN(g.role, item.array_items()[1].as_text());
    TM_ASSIGN_OR_RETURN(g.revoke, item.array_items()[2].as_bool());
    out.push_back(std::move(g));
  }
  return out;
}

Value vendor_grants_to_cbor(const std::vector<VendorGrant>& grants) {
  cbor::Array out;
  for (const auto& g : grants) out.push_back(Value::array({Value::uint(g.vid), text(g.org)}));
  return Value::array(std::move(out));
}

Result<std::vector<VendorGrant>> vendor_grants_from_cbor(const Value& v) {
  if (!v.is_array() || v.array_items().empty() || v.array_items().size() > 100)
    return make_error(ErrorCode::kMalformed, "vendor_ids must be an array of 1..100 [vid, org] entries");
  std::vector<VendorGrant> out;
  for (const Value& item : v.array_items()) {
    if (!item.is_array() || item.array_items().size() != 2)
      return make_error(ErrorCode::kMalformed, "a vendor id assignment is [vid, org]");
    VendorGrant g;
    TM_ASSIGN_OR_RETURN(g.vid, item.array_items()[0].as_uint());
    TM_ASSIGN_OR_RETURN(g.org, item.array_items()[1].as_text());
    out.push_back(std::move(g));
  }
  return out;
}

Value der_list_to_cbor(const std::vector<Bytes>& ders) {
  cbor::Array out;
  for (const Bytes& d : ders) out.push_back(bytes(d));
  return Value::array(std::move(out));
}

Result<std::vector<Bytes>> der_list_from_cbor(const Value& v, std::string_view what) {
  if (!v.is_array() || v.array_items().empty() || v.array_items().size() > 8)
    return make_error(ErrorCode::kMalformed,
                      std::string(what) + " must be an array of 1..8 DER certificates");
  std::vector<Bytes> out;
  for (const Value& item : v.array_items()) {
    TM_ASSIGN_OR_RETURN(Bytes b, item.as_bytes());
    out.push_back(std::move(b));
  }
  return out;
}

Value validator_changes_to_cbor(const std::vector<ValidatorChange>& changes) {
  cbor::Array out;
  for (const auto& c : changes) out.push_back(Value::array({bytes(c.key.encoded()), Value::uint(c.power)}));
  return Value::array(std::move(out));
}

Result<std::vector<ValidatorChange>> validator_changes_from_cbor(const Value& v) {
  constexpr size_t kMaxChanges = 100;
  if (!v.is_array()) return make_error(ErrorCode::kMalformed, "validator changes: not an array");
  if (v.array_items().size() > kMaxChanges)
    return make_error(ErrorCode::kTooLarge, "more than 100 validator changes");
  std::vector<ValidatorChange> out;
  for (const Value& item : v.array_items()) {
    if (!item.is_array() || item.array_items().size() != 2)
      return make_error(ErrorCode::kMalformed, "validator change: not [key, power]");
    TM_ASSIGN_OR_RETURN(Bytes key, item.array_items()[0].as_bytes());
    TM_ASSIGN_OR_RETURN(PublicKey pk, PublicKey::from_encoded(key));
    TM_ASSIGN_OR_RETURN(uint64_t power, item.array_items()[1].as_uint());
    for (const auto& c : out) {
      if (c.key == pk) return make_error(ErrorCode::kMalformed, "validator change: a key appears twice");
    }
    out.push_back(ValidatorChange{std::move(pk), power});
  }
  return out;
}

}  // namespace trustmesh::ledger
