// verify_name_status (name_status.h).
#include "light/name_status.h"

#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/schema.h"
#include "store/proof.h"

namespace trustmesh::light {

std::string_view name_status_at(const std::optional<ledger::NameRecord>& record, uint64_t height) {
  if (!record) return "unregistered";
  if (record->expired_at(height)) return "expired";
  return ledger::name_status_name(record->status);
}

Result<VerifiedNameStatus> verify_name_status(const VerifiedHeader& vh, const NameStatusClaim& claim,
                                              const Freshness& fresh) {
  const consensus::BlockHeader& h = vh.header;
  TM_ASSIGN_OR_RETURN(uint64_t age, check_freshness(h, fresh));
  TM_TRY(ledger::check_name(claim.name, ledger::kHardMaxNameLen));

  // Messages are built only on failure: this is the hot path of a gateway.
  auto fail = [&](const Error& e, std::string_view context) {
    std::string msg = context.empty() ? e.message : std::string(context) + " (" + e.message + ")";
    return make_error(e.code, "name '" + claim.name + "' at height " + std::to_string(h.height) + ": " + msg);
  };
  Result<store::Proof> proof = store::decode_proof(claim.proof);
  if (!proof.ok()) return fail(proof.error(), "");
  Bytes key = ledger::schema::name_key(claim.name);

  std::optional<ledger::NameRecord> record;
  if (claim.record_cbor) {
    Status st = store::verify_membership(h.state_root, key, *claim.record_cbor, *proof);
    if (!st.ok()) {
      return fail(st.error(), "the record and proof do not match the header's state root");
    }
    // The bytes are committed state, so a failure here means a bug or a
    // format change, not a lying node; still an error, never a guess.
    Result<cbor::Value> v = cbor::decode(*claim.record_cbor);
    if (!v.ok()) return fail(v.error(), "record does not decode");
    Result<ledger::NameRecord> rec = ledger::NameRecord::from_cbor(*v);
    if (!rec.ok()) return fail(rec.error(), "record does not decode");
    record = std::move(rec).value();
  } else {
    Status st = store::verify_non_membership(h.state_root, key, *proof);
    if (!st.ok()) {
      return fail(st.error(), "the proof does not show the name unregistered under the header's state root");
    }
  }
  VerifiedNameStatus out;
  out.name = claim.name;
  out.status = std::string(name_status_at(record, h.height));
  out.record = std::move(record);
  out.height = h.height;
  out.header_time = h.time;
  out.age_s = age;
  return out;
}

}  // namespace trustmesh::light
