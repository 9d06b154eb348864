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
  return validator_changes_to_cbor(changes);
}

Result<std::vector<ValidatorChange>> decode_changes(const cbor::Value& v) {
  auto r = validator_changes_from_cbor(v);
  if (!r.ok()) return malformed(r.error().message);
  return r;
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
  if (set.empty()) return make_error(ErrorCode::kInvalidArgument, "the change would leave no validator");
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

Status schedule_validator_changes(Overlay& state, uint64_t effective_height,
                                  const std::vector<ValidatorChange>& changes) {
  TM_ASSIGN_OR_RETURN(std::vector<PendingValidatorChanges> pending, pending_validator_changes(state));
  // The set after everything already scheduled, then these: must be valid.
  TM_ASSIGN_OR_RETURN(std::vector<GenesisValidator> future, validators_for(state, UINT64_MAX));
  TM_TRY(apply_validator_changes(std::move(future), changes));
  if (!pending.empty() && pending.back().effective_height == effective_height) {
    for (const auto& c : changes) pending.back().changes.push_back(c);
  } else {
    pending.push_back(PendingValidatorChanges{effective_height, changes});
  }
  state.put(schema::validators_pending_key(), encode_pending_changes(pending));
  return Status::Ok();
}

Status promote_validator_changes(Overlay& state, uint64_t height) {
  TM_ASSIGN_OR_RETURN(std::vector<PendingValidatorChanges> pending, pending_validator_changes(state));
  if (pending.empty() || pending.front().effective_height > height) return Status::Ok();
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, state.get(schema::validators_key()));
  if (!raw) return make_error(ErrorCode::kInternal, "pending validator changes but no validator set");
  TM_ASSIGN_OR_RETURN(std::vector<GenesisValidator> set, decode_validator_set(*raw));
  size_t done = 0;
  for (; done < pending.size() && pending[done].effective_height <= height; ++done) {
    TM_ASSIGN_OR_RETURN(set, apply_validator_changes(std::move(set), pending[done].changes));
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<ptrdiff_t>(done));
  state.put(schema::validators_key(), encode_validator_set(set));
  if (pending.empty()) {
    state.erase(schema::validators_pending_key());
  } else {
    state.put(schema::validators_pending_key(), encode_pending_changes(pending));
  }
  return Status::Ok();
}

}  // namespace trustmesh::ledger
