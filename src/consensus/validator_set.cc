// ValidatorSet: canonical order, bounds and hashing (see validator_set.h).
#include "consensus/validator_set.h"

#include <algorithm>

#include "core/hash.h"

namespace trustmesh::consensus {

namespace {
constexpr uint64_t kMaxTotalPower = uint64_t{1} << 62;
constexpr size_t kMaxValidators = 1000;
}  // namespace

Result<ValidatorSet> ValidatorSet::make(std::vector<Validator> validators) {
  if (validators.empty()) return make_error(ErrorCode::kInvalidArgument, "validator set is empty");
  if (validators.size() > kMaxValidators)
    return make_error(ErrorCode::kTooLarge, "more than " + std::to_string(kMaxValidators) + " validators");
  std::sort(validators.begin(), validators.end(),
            [](const Validator& a, const Validator& b) { return a.address() < b.address(); });
  ValidatorSet set;
  for (const Validator& v : validators) {
    if (v.power == 0) return make_error(ErrorCode::kInvalidArgument, "validator with zero power");
    if (v.power > kMaxTotalPower - set.total_)
      return make_error(ErrorCode::kTooLarge, "total voting power exceeds 2^62");
    Address a = v.address();
    if (!set.addresses_.empty() && set.addresses_.back() == a)
      return make_error(ErrorCode::kInvalidArgument, "duplicate validator " + a.to_string());
    set.total_ += v.power;
    set.addresses_.push_back(a);
    set.validators_.push_back(v);
  }
  return set;
}

std::optional<size_t> ValidatorSet::index_of(const Address& a) const {
  auto it = std::lower_bound(addresses_.begin(), addresses_.end(), a);
  if (it == addresses_.end() || !(*it == a)) return std::nullopt;
  return static_cast<size_t>(it - addresses_.begin());
}

cbor::Value ValidatorSet::to_cbor() const {
  cbor::Array items;
  for (const Validator& v : validators_) {
    items.push_back(cbor::Value::array({cbor::Value::bytes(v.key.encoded()), cbor::Value::uint(v.power)}));
  }
  return cbor::Value::array(std::move(items));
}

Result<ValidatorSet> ValidatorSet::from_cbor(const cbor::Value& v) {
  if (!v.is_array()) return make_error(ErrorCode::kMalformed, "validator set: expected an array");
  std::vector<Validator> vals;
  for (const cbor::Value& item : v.array_items()) {
    if (!item.is_array() || item.array_items().size() != 2)
      return make_error(ErrorCode::kMalformed, "validator set: each entry is [key, power]");
    TM_ASSIGN_OR_RETURN(Bytes enc, item.array_items()[0].as_bytes());
    TM_ASSIGN_OR_RETURN(PublicKey key, PublicKey::from_encoded_cached(enc));
    TM_ASSIGN_OR_RETURN(uint64_t power, item.array_items()[1].as_uint());
    vals.push_back(Validator{key, power});
  }
  TM_ASSIGN_OR_RETURN(ValidatorSet set, make(std::move(vals)));
  if (!(set.to_cbor() == v))
    return make_error(ErrorCode::kNonCanonical, "validator set: entries not in address order");
  return set;
}

Hash32 ValidatorSet::hash() const {
  return sha256(cbor::encode(to_cbor()));
}

}  // namespace trustmesh::consensus
