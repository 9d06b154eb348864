// Chain parameters: fees and limits, set in genesis and changed only by a
// trustee-approved governance proposal. All values are integers (no floats in
// the ledger). validate() holds the invariants every stored Params satisfies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/cbor.h"

namespace trustmesh::ledger {

// Hard ceilings that no governance vote can raise (they bound decoder work).
constexpr uint64_t kHardMaxNameLen = 255;
constexpr uint64_t kHardMaxTxBytes = 64 * 1024;
// Block-count ceilings keep every height + blocks sum far from overflow.
constexpr uint64_t kHardMaxBlocks = uint64_t{1} << 40;
// Fee ceiling: a governance vote cannot price every account out of sending
// the transaction that would undo it (balances are typically far above this).
constexpr uint64_t kHardMaxFee = 1'000'000;

struct Params {
  uint64_t min_tx_fee = 10;       // every tx pays at least this; burned
  uint64_t name_base_fee = 1000;  // register/renew: base + per_block * validity; burned
  uint64_t name_fee_per_block = 1;
  uint64_t preorder_min_blocks = 1;    // register allowed from preorder height + min ...
  uint64_t preorder_max_blocks = 100;  // ... up to preorder height + max (inclusive)
  uint64_t min_validity_blocks = 10;
  uint64_t max_validity_blocks = 5256000;  // about a year at 6 s blocks
  uint64_t max_name_len = 255;
  uint64_t max_cert_der_bytes = 2048;  // certificate DER carried in a name's value
  uint64_t max_tx_bytes = 8192;

  bool operator==(const Params&) const = default;

  Status validate() const;
  cbor::Value to_cbor() const;
  static Result<Params> from_cbor(const cbor::Value& v);

  // Names of all fields, in the order above (for JSON, CLI and governance).
  static const std::vector<std::string_view>& field_names();
  // Sets one field by name; kBadParams if unknown.
  Status set(std::string_view name, uint64_t value);
  Result<uint64_t> get(std::string_view name) const;
};

}  // namespace trustmesh::ledger
