// Params encoding and validation; see params.h.
#include "ledger/params.h"

namespace trustmesh::ledger {

namespace {

struct Field {
  std::string_view name;
  uint64_t Params::*member;
};

const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = {
      {"min_tx_fee", &Params::min_tx_fee},
      {"name_base_fee", &Params::name_base_fee},
      {"name_fee_per_block", &Params::name_fee_per_block},
      {"preorder_min_blocks", &Params::preorder_min_blocks},
      {"preorder_max_blocks", &Params::preorder_max_blocks},
      {"min_validity_blocks", &Params::min_validity_blocks},
      {"max_validity_blocks", &Params::max_validity_blocks},
      {"max_name_len", &Params::max_name_len},
      {"max_cert_der_bytes", &Params::max_cert_der_bytes},
      {"max_tx_bytes", &Params::max_tx_bytes},
  };
  return kFields;
}

Error bad(std::string msg) {
  return make_error(ErrorCode::kBadParams, std::move(msg));
}

}  // namespace

const std::vector<std::string_view>& Params::field_names() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> out;
    for (const auto& f : fields()) out.push_back(f.name);
    return out;
  }();
  return kNames;
}

Status Params::set(std::string_view name, uint64_t value) {
  for (const auto& f : fields()) {
    if (f.name == name) {
      this->*f.member = value;
      return Status::Ok();
    }
  }
  return bad("unknown parameter '" + std::string(name) + "'");
}

Result<uint64_t> Params::get(std::string_view name) const {
  for (const auto& f : fields()) {
    if (f.name == name) return this->*f.member;
  }
  return bad("unknown parameter '" + std::string(name) + "'");
}

Status Params::validate() const {
  if (preorder_min_blocks < 1)
    return bad("preorder_min_blocks must be at least 1 (front-running protection)");
  if (preorder_max_blocks < preorder_min_blocks)
    return bad("preorder_max_blocks must be >= preorder_min_blocks");
  if (min_validity_blocks < 1) return bad("min_validity_blocks must be at least 1");
  if (max_validity_blocks < min_validity_blocks)
    return bad("max_validity_blocks must be >= min_validity_blocks");
  if (preorder_max_blocks > kHardMaxBlocks || max_validity_blocks > kHardMaxBlocks) {
    return bad("preorder_max_blocks and max_validity_blocks must be at most 2^40");
  }
  if (max_name_len < 1 || max_name_len > kHardMaxNameLen) return bad("max_name_len must be in [1, 255]");
  if (max_tx_bytes < 512 || max_tx_bytes > kHardMaxTxBytes)
    return bad("max_tx_bytes must be in [512, 65536]");
  if (max_cert_der_bytes > max_tx_bytes - 512)
    return bad("max_cert_der_bytes must leave 512 bytes of max_tx_bytes");
  if (min_tx_fee > kHardMaxFee) return bad("min_tx_fee must be at most " + std::to_string(kHardMaxFee));
  return Status::Ok();
}

cbor::Value Params::to_cbor() const {
  cbor::MapEntries e;
  for (const auto& f : fields())
    e.emplace_back(cbor::Value::text(std::string(f.name)), cbor::Value::uint(this->*f.member));
  return cbor::Value::map(std::move(e));
}

Result<Params> Params::from_cbor(const cbor::Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, cbor::MapReader::of(v, "params"));
  Params p;
  for (const auto& f : fields()) {
    TM_ASSIGN_OR_RETURN(p.*f.member, r.get_uint(f.name));
  }
  TM_TRY(r.finish());
  // No validate() here: stored params were validated when written (genesis,
  // governance). Re-validating on read would let a stricter rule in a new
  // version reinterpret existing state and fork nodes by version.
  return p;
}

}  // namespace trustmesh::ledger
