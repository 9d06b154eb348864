// The validator set: who signs blocks and with how much voting power.
//
// Invariants of a ValidatorSet built by make(): at least one validator; every
// power is >= 1; addresses are unique; the list is sorted by address (so the
// set has one canonical encoding and one hash); the total power fits in 62
// bits, so 3 * power never overflows in quorum arithmetic.
#pragma once

#include <optional>
#include <vector>

#include "core/address.h"
#include "core/cbor.h"
#include "core/keys.h"

namespace trustmesh::consensus {

struct Validator {
  PublicKey key;
  uint64_t power = 0;
  Address address() const { return Address::of(key); }
};

class ValidatorSet {
 public:
  static Result<ValidatorSet> make(std::vector<Validator> validators);

  const std::vector<Validator>& validators() const { return validators_; }
  size_t size() const { return validators_.size(); }
  uint64_t total_power() const { return total_; }
  // True iff `power` is more than two thirds of the total.
  bool is_quorum(uint64_t power) const { return 3 * power > 2 * total_; }
  // True iff `power` is more than one third (at least one honest validator).
  bool is_one_third(uint64_t power) const { return 3 * power > total_; }
  // Index of the validator with this address, or nullopt.
  std::optional<size_t> index_of(const Address& a) const;

  // [[encoded key, power], ...] in address order.
  cbor::Value to_cbor() const;
  static Result<ValidatorSet> from_cbor(const cbor::Value& v);
  Hash32 hash() const;  // SHA-256 of encode(to_cbor())

 private:
  std::vector<Validator> validators_;
  std::vector<Address> addresses_;  // parallel to validators_
  uint64_t total_ = 0;
};

}  // namespace trustmesh::consensus
