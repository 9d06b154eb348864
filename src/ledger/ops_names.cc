// Device-name operations (IoT-PKI name-value store): preorder, register,
// update, transfer, renew, revoke.
//
// Rules kept here:
//  * register needs a preorder of SHA-256(name || salt || sender) made by the
//    sender between preorder_min_blocks and preorder_max_blocks blocks earlier
//    (inclusive); the preorder is consumed. Someone who copies the revealed
//    name from the mempool has no matching preorder of their own.
//  * a name is held from registration until expires_at (exclusive); from then
//    on it is free for anyone to register again. History survives.
//  * revoke is final: afterwards update/transfer/renew/revoke all fail with
//    kNameRevoked, and the name stays reserved until it expires.
//  * registration and renewal fees (base + per_block * validity) are burned.
//  * name.stage moves the device along its supply chain (records.h
//    stage_allowed), sent by the holder (the owner); `to` hands custody on.
//    A new `cert` becomes the bound certificate and the one bound before, if
//    it is an unrevoked device certificate an org certified for this name, is
//    revoked as superseded. A custody change (`to`) revokes
//    (affiliationChanged) every certificate certified for the name but the
//    bound one; retiring (cessationOfOperation) and name.revoke
//    (privilegeWithdrawn) revoke them all. Retiring is final: the name stays
//    reserved until it expires. Only certificates certified for the name are
//    touched, so binding another device's certificate revokes nothing of it.
//  * cert.add with a name ("certify") needs the name held and in service and
//    the certificate's commonName to be the name; it is listed in the name's
//    history, which is how the revocations above find it.
#include "core/hash.h"
#include "ledger/compliance_access.h"
#include "ledger/executor.h"
#include "ledger/ops.h"

namespace trustmesh::ledger {

namespace {

Status check_value(const NameValue& v, const Params& p) {
  if (v.cert_der) {
    if (v.cert_der->size() > p.max_cert_der_bytes) {
      return make_error(ErrorCode::kValueTooLarge, "certificate is " + std::to_string(v.cert_der->size()) +
                                                       " bytes; the limit is " +
                                                       std::to_string(p.max_cert_der_bytes));
    }
    if (sha256(*v.cert_der) != v.cert_hash) {
      return make_error(ErrorCode::kInvalidArgument, "cert_der does not hash to cert_hash");
    }
  }
  return Status::Ok();
}

Status check_validity(uint64_t validity, const Params& p) {
  if (validity < p.min_validity_blocks || validity > p.max_validity_blocks) {
    return make_error(ErrorCode::kBadValidity, "validity " + std::to_string(validity) +
                                                   " blocks is outside [" +
                                                   std::to_string(p.min_validity_blocks) + ", " +
                                                   std::to_string(p.max_validity_blocks) + "]");
  }
  return Status::Ok();
}

Status charge_name_fee(StateAccess& s, OpContext& c, uint64_t validity) {
  TM_ASSIGN_OR_RETURN(uint64_t fee, name_fee(c.params.name_base_fee, c.params.name_fee_per_block, validity));
  TM_TRY(burn_from(s, c.sender, fee));
  c.burned += fee;
  return Status::Ok();
}

Status record_history(StateAccess& s, OpContext& c, std::string_view name, NameRecord& rec,
                      std::string_view op, std::optional<Hash32> cert = std::nullopt) {
  if (rec.history_len == UINT32_MAX) {
    return make_error(ErrorCode::kTooLarge,
                      "name '" + std::string(name) + "' has the maximum number of history entries");
  }
  HistoryEntry h;
  h.height = c.block.height;
  h.tx_hash = c.tx_hash;
  h.op = std::string(op);
  h.owner = rec.owner;
  h.value_hash = rec.value.digest();
  h.expires_at = rec.expires_at;
  h.stage = rec.stage;
  h.cert = cert;
  s.put_history(name, rec.history_len, h);
  rec.history_len += 1;
  rec.updated_at = c.block.height;
  s.put_name(name, rec);
  return Status::Ok();
}

// Loads a name that is held (exists, not expired) and in service (neither
// revoked nor retired).
Result<NameRecord> name_in_service(StateAccess& s, OpContext& c, std::string_view name) {
  // The hard limit, not params.max_name_len: a name registered under a larger
  // limit must stay revocable after governance lowers it.
  TM_TRY(check_name(name, kHardMaxNameLen));
  TM_ASSIGN_OR_RETURN(auto rec, s.name(name));
  if (!rec || rec->expired_at(c.block.height)) {
    if (rec) {
      return make_error(ErrorCode::kNameExpired, "name '" + std::string(name) + "' expired at height " +
                                                     std::to_string(rec->expires_at));
    }
    return make_error(ErrorCode::kNameNotFound, "name '" + std::string(name) + "' is not registered");
  }
  if (rec->status == NameStatus::kRevoked) {
    return make_error(ErrorCode::kNameRevoked,
                      "name '" + std::string(name) + "' is revoked; revocation is final");
  }
  if (rec->status == NameStatus::kRetired) {
    return make_error(ErrorCode::kNameRetired,
                      "name '" + std::string(name) + "' is retired; retirement is final");
  }
  return *std::move(rec);
}

// Loads a name the sender may change: held, in service, owned by the sender.
Result<NameRecord> owned_active_name(StateAccess& s, OpContext& c, std::string_view name) {
  TM_ASSIGN_OR_RETURN(NameRecord rec, name_in_service(s, c, name));
  if (rec.owner != c.sender) {
    return make_error(ErrorCode::kNotOwner, "name '" + std::string(name) + "' is owned by " +
                                                rec.owner.to_string() + ", not the sender");
  }
  return rec;
}

// Revokes `cert` with `reason` if it is an unrevoked device certificate an
// org certified for this very name since its current registration; anything
// else (a hash the ledger does not hold, a CA, another device's certificate
// bound by name.update, a certificate of an earlier holder of the name) is
// left alone.
Status retire_cert(StateAccess& s, OpContext& c, std::string_view name, const NameRecord& held,
                   const Hash32& cert, std::string_view reason) {
  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(auto rec, r.cert(cert));
  if (!rec || rec->revoked || rec->level != "device" || rec->name != name ||
      rec->added_at < held.registered_at)
    return Status::Ok();
  return revoke_cert_record(s, c, cert, std::move(*rec), reason);
}

// retire_cert for the bound certificate and every certificate certified for
// the name since its registration (its "certify" history entries, newest
// first), except `keep`.
Status revoke_certified(StateAccess& s, OpContext& c, std::string_view name, const NameRecord& held,
                        std::string_view reason, const std::optional<Hash32>& keep) {
  if (held.value.cert_hash != keep) TM_TRY(retire_cert(s, c, name, held, held.value.cert_hash, reason));
  for (uint32_t i = held.history_len; i-- > 0;) {
    TM_ASSIGN_OR_RETURN(auto h, s.history(name, i));
    if (!h || h->height < held.registered_at) break;
    if (h->cert && *h->cert != keep) TM_TRY(retire_cert(s, c, name, held, *h->cert, reason));
  }
  return Status::Ok();
}

}  // namespace

Status apply_name_preorder(StateAccess& s, OpContext& c, const op::NamePreorder& o) {
  TM_ASSIGN_OR_RETURN(auto existing, s.preorder(o.commitment, c.sender));
  if (existing && c.block.height <= existing->deadline) {
    return make_error(
        ErrorCode::kPreorderExists,
        "this commitment is already preordered by the sender at height " + std::to_string(existing->height));
  }
  Preorder p{c.block.height, c.block.height + c.params.preorder_max_blocks};
  s.put_preorder(o.commitment, c.sender, p);
  // Remember to delete it once it lapses (see prune_lapsed_preorders).
  return s.add_preorder_expiry(p.deadline + 1, o.commitment, c.sender);
}

Status prune_lapsed_preorders(StateAccess& s, uint64_t height) {
  TM_ASSIGN_OR_RETURN(auto lapsing, s.take_preorder_expiries(height));
  for (const auto& [commitment, owner] : lapsing) {
    TM_ASSIGN_OR_RETURN(auto p, s.preorder(commitment, owner));
    // Absent (redeemed) or replaced by a newer preorder with a later deadline: keep.
    if (p && p->deadline < height) s.erase_preorder(commitment, owner);
  }
  return Status::Ok();
}

Status apply_name_register(StateAccess& s, OpContext& c, const op::NameRegister& o) {
  TM_TRY(check_name(o.name, c.params.max_name_len));
  TM_TRY(check_value(o.value, c.params));
  TM_TRY(check_validity(o.validity, c.params));

  Hash32 commitment = name_commitment(o.name, o.salt, c.sender);
  TM_ASSIGN_OR_RETURN(auto pre, s.preorder(commitment, c.sender));
  if (!pre) {
    return make_error(
        ErrorCode::kPreorderNotFound,
        "no preorder by the sender matches SHA-256(name || salt || sender); send name.preorder first");
  }
  uint64_t earliest = pre->height + c.params.preorder_min_blocks;
  uint64_t latest = pre->deadline;  // fixed when preordered: governance cannot shorten it
  if (c.block.height < earliest) {
    return make_error(ErrorCode::kPreorderTooEarly, "preorder at height " + std::to_string(pre->height) +
                                                        " matures at height " + std::to_string(earliest));
  }
  if (c.block.height > latest) {
    return make_error(ErrorCode::kPreorderTooLate, "preorder at height " + std::to_string(pre->height) +
                                                       " lapsed after height " + std::to_string(latest) +
                                                       "; preorder again");
  }

  TM_ASSIGN_OR_RETURN(auto existing, s.name(o.name));
  if (existing && !existing->expired_at(c.block.height)) {
    return make_error(ErrorCode::kNameTaken,
                      "name '" + o.name + "' is held until height " + std::to_string(existing->expires_at));
  }
  TM_TRY(charge_name_fee(s, c, o.validity));
  s.erase_preorder(commitment, c.sender);

  NameRecord rec;
  rec.owner = c.sender;
  rec.value = o.value;
  rec.status = NameStatus::kActive;
  rec.registered_at = c.block.height;
  rec.expires_at = c.block.height + o.validity;  // validity <= max_validity_blocks: no overflow in practice
  rec.history_len = existing ? existing->history_len : 0;
  return record_history(s, c, o.name, rec, "register");
}

Status apply_name_update(StateAccess& s, OpContext& c, const op::NameUpdate& o) {
  TM_ASSIGN_OR_RETURN(NameRecord rec, owned_active_name(s, c, o.name));
  TM_TRY(check_value(o.value, c.params));
  rec.value = o.value;
  return record_history(s, c, o.name, rec, "update");
}

Status apply_name_transfer(StateAccess& s, OpContext& c, const op::NameTransfer& o) {
  TM_ASSIGN_OR_RETURN(NameRecord rec, owned_active_name(s, c, o.name));
  if (o.new_owner == c.sender) return make_error(ErrorCode::kSelfTransfer, "new owner is already the owner");
  rec.owner = o.new_owner;
  return record_history(s, c, o.name, rec, "transfer");
}

Status apply_name_renew(StateAccess& s, OpContext& c, const op::NameRenew& o) {
  TM_ASSIGN_OR_RETURN(NameRecord rec, owned_active_name(s, c, o.name));
  TM_TRY(check_validity(o.validity, c.params));
  uint64_t new_expiry = rec.expires_at + o.validity;
  if (new_expiry - c.block.height > c.params.max_validity_blocks) {
    return make_error(ErrorCode::kBadValidity,
                      "renewal would hold the name " + std::to_string(new_expiry - c.block.height) +
                          " blocks ahead; the limit is " + std::to_string(c.params.max_validity_blocks));
  }
  TM_TRY(charge_name_fee(s, c, o.validity));
  rec.expires_at = new_expiry;
  return record_history(s, c, o.name, rec, "renew");
}

Status apply_name_revoke(StateAccess& s, OpContext& c, const op::NameRevoke& o) {
  TM_ASSIGN_OR_RETURN(NameRecord rec, owned_active_name(s, c, o.name));
  // A revoked name vouches for nothing: neither do the certificates issued for it.
  TM_TRY(revoke_certified(s, c, o.name, rec, "privilegeWithdrawn", std::nullopt));
  rec.status = NameStatus::kRevoked;
  return record_history(s, c, o.name, rec, "revoke");
}

Status apply_name_stage(StateAccess& s, OpContext& c, const op::NameStage& o) {
  TM_ASSIGN_OR_RETURN(NameRecord rec, owned_active_name(s, c, o.name));
  if (!stage_allowed(rec.stage, o.stage))
    return make_error(ErrorCode::kBadStage, "'" + o.name + "' cannot go from " +
                                                std::string(device_stage_name(rec.stage)) + " to " +
                                                std::string(device_stage_name(o.stage)));
  const bool retire = o.stage == DeviceStage::kRetired;
  if (retire && (o.to || o.cert))
    return make_error(ErrorCode::kInvalidArgument, "a retired device takes no new holder or certificate");
  if (o.stage == DeviceStage::kTransferred && !o.to)
    return make_error(ErrorCode::kInvalidArgument, "a transfer names the new owner (to)");
  if (o.to && *o.to == c.sender) return make_error(ErrorCode::kSelfTransfer, "the sender already holds it");
  if (o.cert && *o.cert == rec.value.cert_hash)
    return make_error(ErrorCode::kInvalidArgument, "that certificate is already bound to '" + o.name + "'");
  if (retire) {
    TM_TRY(revoke_certified(s, c, o.name, rec, "cessationOfOperation", std::nullopt));
    rec.status = NameStatus::kRetired;
  }
  if (o.cert) {
    TM_TRY(retire_cert(s, c, o.name, rec, rec.value.cert_hash, "superseded"));
    rec.value = NameValue{.cert_hash = *o.cert, .config_hash = rec.value.config_hash};
  }
  if (o.to) {
    // Custody moves: certificates issued to the previous holder for the device
    // (e.g. enrolled with its owner key) end here; only the bound one stays,
    // the device's identity until the next stage binds its own.
    TM_TRY(revoke_certified(s, c, o.name, rec, "affiliationChanged", rec.value.cert_hash));
    rec.owner = *o.to;
  }
  rec.stage = o.stage;
  return record_history(s, c, o.name, rec, "stage");
}

Status certify_name(StateAccess& s, OpContext& c, std::string_view name, const Hash32& cert) {
  TM_ASSIGN_OR_RETURN(NameRecord rec, name_in_service(s, c, name));
  return record_history(s, c, name, rec, "certify", cert);
}

}  // namespace trustmesh::ledger
