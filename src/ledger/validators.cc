// Validator set state (see validators.h).
#include "ledger/validators.h"

#include <algorithm>

#include "ledger/schema.h"

namespace trustmesh::ledger {

namespace {

constexpr uint64_t kMaxTotalPower = uint64_t{1} << 62;

Error malformed(const std::string& what) {
  return make_error(ErrorCode::kMalformed, "validator state: " + what);
}

cbor::Value encode_changes(const std::vector<ValidatorChange>& changes) {
  cbor::Array out;
  for (const auto& c : changes)
    out.push_back(cbor::Value::array({cbor::Value::bytes(c.key.encoded()), cbor::Value::uint(c.power)}));
  return cbor::Value::array(std::move(out));
}

Result<std::vector<ValidatorChange>> decode_changes(const cbor::Value& v) {
  if (!v.is_array()) return malformed("changes are not an array");
  std::vector<ValidatorChange> out;
  for (const cbor::Value& item : v.array_items()) {
    if (!item.is_array() || item.array_items().size() != 2) return malformed("entry is not [key, power]");
    TM_ASSIGN_OR_RETURN(Bytes key, item.array_items()[0].as_bytes());
    TM_ASSIGN_OR_RETURN(uint64_t power, item.array_items()[1].as_uint());
    TM_ASSIGN_OR_RETURN(PublicKey pk, PublicKey::from_encoded(key));
    out.push_back(ValidatorChange{std::move(pk), power});
  }
  return out;
}


}  // namespace

Bytes encode_validator_set(const std::vector<GenesisValidator>& set) {
  std::vector<ValidatorChange> as_changes;
  for (const auto& v : set) as_changes.push_back({v.key, v.power});
  return cbor::encode(encode_changes(as_changes));
}

Result<std::vector<GenesisValidator>> decode_validator_set(ByteView bytes) {
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(bytes));
  TM_ASSIGN_OR_RETURN(std::vector<ValidatorChange> entries, decode_changes(v));
  std::vector<GenesisValidator> out;
  for (auto& e : entries) {
    if (e.power == 0) return malformed("a validator with power 0");
    out.push_back(GenesisValidator{std::move(e.key), e.power, ""});
  }
  return out;
}

Bytes encode_pending_changes(const std::vector<PendingValidatorChanges>& pending) {
  cbor::Array out;
  for (const auto& p : pending)
    out.push_back(cbor::Value::array({cbor::Value::uint(p.effective_height), encode_changes(p.changes)}));
  return cbor::encode(cbor::Value::array(std::move(out)));
}

Result<std::vector<PendingValidatorChanges>> pending_validator_changes(const StateReader& state) {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, state.get(schema::validators_pending_key()));
  std::vector<PendingValidatorChanges> out;
  if (!raw) return out;
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(*raw));
  if (!v.is_array()) return malformed("pending changes are not an array");
  for (const cbor::Value& item : v.array_items()) {
    if (!item.is_array() || item.array_items().size() != 2) return malformed("pending entry");
    PendingValidatorChanges p;
    TM_ASSIGN_OR_RETURN(p.effective_height, item.array_items()[0].as_uint());
    TM_ASSIGN_OR_RETURN(p.changes, decode_changes(item.array_items()[1]));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<GenesisValidator>> apply_validator_changes(std::vector<GenesisValidator> set,
                                                              const std::vector<ValidatorChange>& changes) {
  for (const ValidatorChange& c : changes) {
    auto it = std::find_if(set.begin(), set.end(), [&](const GenesisValidator& v) { return v.key == c.key; });
    if (c.power == 0) {
      if (it != set.end()) set.erase(it);
    } else if (it != set.end()) {
      it->power = c.power;
    } else {
      set.push_back(GenesisValidator{c.key, c.power, ""});
    }
  }
  if (set.empty())
    return make_error(ErrorCode::kInvalidArgument, "the change would leave no validator");
  uint64_t total = 0;
  for (const auto& v : set) {
    if (v.power > kMaxTotalPower - total)
      return make_error(ErrorCode::kInvalidArgument, "total voting power would exceed 2^62");
    total += v.power;
  }
  std::sort(set.begin(), set.end(), [](const GenesisValidator& a, const GenesisValidator& b) {
    return Address::of(a.key) < Address::of(b.key);
  });
  return set;
}

Result<std::vector<GenesisValidator>> validators_for(const StateReader& state, uint64_t height) {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, state.get(schema::validators_key()));
  if (!raw) return make_error(ErrorCode::kNotFound, "the state holds no validator set");
  TM_ASSIGN_OR_RETURN(std::vector<GenesisValidator> set, decode_validator_set(*raw));
  TM_ASSIGN_OR_RETURN(std::vector<PendingValidatorChanges> pending, pending_validator_changes(state));
  for (const PendingValidatorChanges& p : pending) {
    if (p.effective_height > height) break;
    TM_ASSIGN_OR_RETURN(set, apply_validator_changes(std::move(set), p.changes));
  }
  return set;
}

}  // namespace trustmesh::ledger
