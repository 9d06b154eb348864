// The device agent's state machine (agent.h).
#include "device/agent.h"

#include "core/address.h"
#include "core/hash.h"
#include "device/seal.h"

namespace trustmesh::device {

namespace {

Bytes context(std::string_view what, const std::string& id) {
  Bytes b(what.begin(), what.end());
  b.insert(b.end(), id.begin(), id.end());
  return b;
}

cbor::Value t(std::string_view s) {
  return cbor::Value::text(std::string(s));
}

Error refuse(ErrorCode code, const std::string& msg) {
  return make_error(code, msg);
}

}  // namespace

Bytes init_box_aad(const std::string& id) {
  return context("trustmesh-init-cert-v1:", id);
}
Bytes rekey_box_aad(const std::string& id) {
  return context("trustmesh-rekey-cert-v1:", id);
}
Bytes config_box_aad(const std::string& id) {
  return context("trustmesh-config-v1:", id);
}

Bytes rekey_pop_bytes(const std::string& id, uint64_t nonce, const Hash32& cert_hash) {
  Bytes b = context("trustmesh-rekey-pop-v1:", id);
  for (int i = 7; i >= 0; --i) b.push_back(static_cast<uint8_t>(nonce >> (8 * i)));
  b.insert(b.end(), cert_hash.begin(), cert_hash.end());
  return b;
}

DeviceAgent::DeviceAgent(std::string state_path, DeviceRecord rec, NameLookup& ledger,
                         std::function<uint64_t()> now, uint32_t cert_days)
    : path_(std::move(state_path)),
      rec_(std::move(rec)),
      ledger_(ledger),
      now_(std::move(now)),
      cert_days_(cert_days) {}

DeviceRecord DeviceAgent::snapshot() const {
  std::lock_guard lock(mu_);
  return rec_;
}

cbor::MapEntries DeviceAgent::status_fields() const {
  cbor::MapEntries m{{t("state"), t(device_state_name(rec_.state))},
                     {t("last_nonce"), cbor::Value::uint(rec_.last_nonce)}};
  if (rec_.identity) {
    m.emplace_back(t("device_id"), t(rec_.identity->id));
    m.emplace_back(t("cert_hash"), cbor::Value::bytes(ByteView(rec_.identity->cert_hash())));
  }
  if (rec_.master) m.emplace_back(t("master"), t(Address::of(*rec_.master).to_string()));
  if (rec_.config_hash) m.emplace_back(t("config_hash"), cbor::Value::bytes(ByteView(*rec_.config_hash)));
  return m;
}

// The ledger must show this device's name active and owned by `sender`; then `more`.
Status DeviceAgent::check_ledger(const PublicKey& sender,
                                 const std::function<Status(const NameFacts&)>& more) {
  const std::string& id = rec_.identity->id;
  TM_ASSIGN_OR_RETURN(NameFacts f, ledger_.lookup(id));
  auto fail = [&](const std::string& why) {
    return refuse(ErrorCode::kVerificationFailure, "the ledger " + why + " (" + f.source + ")");
  };
  if (f.status != "active") return fail("shows " + id + " " + f.status);
  Address sender_addr = Address::of(sender);
  if (!f.owner || *f.owner != sender_addr) {
    return fail("shows " + id + " owned by " + (f.owner ? f.owner->to_string() : "nobody") +
                ", not by the sender " + sender_addr.to_string());
  }
  return more(f);
}

Result<cbor::MapEntries> DeviceAgent::apply(const Envelope& cmd, const PublicKey& sender,
                                            DeviceRecord& next) {
  const std::string& type = cmd.type;
  auto is = [&](const std::optional<PublicKey>& k) { return k && *k == sender; };
  if (type == "init") {
    uint64_t days = cert_days_;
    if (const cbor::Value* d = body_field(cmd, "cert_days")) {
      TM_ASSIGN_OR_RETURN(days, d->as_uint());
      if (days == 0 || days > 36500) return refuse(ErrorCode::kInvalidArgument, "cert_days must be 1..36500");
    }
    TM_ASSIGN_OR_RETURN(Identity id, make_identity(new_uuid(), now_(), static_cast<uint32_t>(days)));
    TM_ASSIGN_OR_RETURN(Bytes box, seal(sender, id.cert_der, init_box_aad(id.id)));
    next.state = DeviceState::kInitialised;
    next.pending_master = sender;
    cbor::MapEntries out{{t("device_id"), t(id.id)}, {t("box"), cbor::Value::bytes(box)}};
    next.identity = std::move(id);
    return out;
  }
  if (type == "registered") {
    bool confirm_rekey = rec_.state == DeviceState::kWorking;
    if (confirm_rekey ? !is(rec_.master) : !is(rec_.pending_master)) {
      return refuse(ErrorCode::kNotMaster, confirm_rekey
                                               ? "only the master DM may confirm a key update"
                                               : "only the DM that initialised the device may confirm it");
    }
    Hash32 mine = rec_.identity->cert_hash();
    std::optional<Hash32> pending =
        rec_.pending ? std::optional<Hash32>(rec_.pending->cert_hash()) : std::nullopt;
    bool switch_key = false;
    TM_TRY(check_ledger(sender, [&](const NameFacts& f) -> Status {
      if (pending && f.cert_hash == *pending)
        switch_key = true;
      else if (f.cert_hash != mine) {
        return refuse(ErrorCode::kVerificationFailure, "the ledger binds " + rec_.identity->id +
                                                           " to certificate " + to_hex(f.cert_hash) +
                                                           ", not to this device's " + to_hex(mine));
      }
      return Status::Ok();
    }));
    if (switch_key) {
      next.identity = std::move(next.pending);
      next.pending.reset();
    }
    next.state = DeviceState::kWorking;
    next.master = sender;
    next.pending_master.reset();
    return cbor::MapEntries{{t("cert_hash"), cbor::Value::bytes(ByteView(next.identity->cert_hash()))}};
  }
  if (type == "adopt") {
    TM_TRY(check_ledger(sender, [](const NameFacts&) { return Status::Ok(); }));
    next.master = sender;
    return cbor::MapEntries{{t("master"), t(Address::of(sender).to_string())}};
  }
  // The rest are the master's alone.
  if (!is(rec_.master)) {
    return refuse(ErrorCode::kNotMaster, "'" + type + "' from " + Address::of(sender).to_string() +
                                             ", which is not this device's master DM (" +
                                             Address::of(*rec_.master).to_string() + ")");
  }
  if (type == "rekey") {
    TM_ASSIGN_OR_RETURN(Identity id, make_identity(rec_.identity->id, now_(), cert_days_));
    TM_ASSIGN_OR_RETURN(Bytes box, seal(sender, id.cert_der, rekey_box_aad(id.id)));
    TM_ASSIGN_OR_RETURN(Bytes pop, id.key.sign(rekey_pop_bytes(id.id, cmd.nonce, id.cert_hash())));
    next.pending = std::move(id);
    return cbor::MapEntries{{t("box"), cbor::Value::bytes(box)}, {t("pop"), cbor::Value::bytes(pop)}};
  }
  if (type == "config") {
    Bytes config;
    if (body_field(cmd, "box") != nullptr) {
      TM_ASSIGN_OR_RETURN(Bytes box, body_bytes(cmd, "box"));
      TM_ASSIGN_OR_RETURN(config, open_sealed(rec_.identity->key, box, config_box_aad(rec_.identity->id)));
    } else {
      TM_ASSIGN_OR_RETURN(config, body_bytes(cmd, "config"));
    }
    Bytes seed;
    if (body_field(cmd, "seed") != nullptr) {
      TM_ASSIGN_OR_RETURN(seed, body_bytes(cmd, "seed"));
    }
    Hash32 h = sha256(config);
    TM_TRY(check_ledger(sender, [&](const NameFacts& f) -> Status {
      if (!f.config_hash || *f.config_hash != h) {
        return refuse(ErrorCode::kVerificationFailure, "the ledger records configuration hash " +
                                                           (f.config_hash ? to_hex(*f.config_hash) : "none") +
                                                           " but this configuration hashes to " + to_hex(h));
      }
      return Status::Ok();
    }));
    next.config = std::move(config);
    next.config_hash = h;
    next.seed = std::move(seed);
    return cbor::MapEntries{{t("config_hash"), cbor::Value::bytes(ByteView(h))}};
  }
  if (type == "revoked") {
    TM_ASSIGN_OR_RETURN(NameFacts f, ledger_.lookup(rec_.identity->id));
    if (f.status != "revoked") {
      return refuse(ErrorCode::kVerificationFailure, "the ledger shows " + rec_.identity->id + " " +
                                                         f.status + ", not revoked (" + f.source + ")");
    }
    next.state = DeviceState::kRevoked;
    next.pending.reset();
    return cbor::MapEntries{};
  }
  return refuse(ErrorCode::kInvalidArgument, "unknown command '" + type + "'");
}

Envelope DeviceAgent::handle(const Envelope& cmd) {
  std::lock_guard lock(mu_);
  auto reply_of = [&](Envelope r) {
    const Identity* signer = rec_.identity ? &*rec_.identity : nullptr;
    if (signer != nullptr) (void)r.sign(signer->key);
    return r;
  };
  std::string my_id = rec_.identity ? rec_.identity->id : "";
  auto error = [&](const Error& e) { return reply_of(make_error_reply(cmd, my_id, e)); };

  if (cmd.type == "status") return reply_of(make_reply(cmd, my_id, status_fields()));
  Result<PublicKey> sender = cmd.verify();
  if (!sender.ok()) return error(sender.error());
  if (cmd.type == "init") {
    if (rec_.state != DeviceState::kFactory) {
      return error(refuse(ErrorCode::kWrongState, "the device is already " +
                                                      std::string(device_state_name(rec_.state)) +
                                                      "; init is taken only once, from the factory state"));
    }
  } else {
    if (rec_.state == DeviceState::kFactory) {
      return error(refuse(ErrorCode::kWrongState, "the device is not initialised; send init first"));
    }
    if (cmd.device != my_id) {
      return error(
          refuse(ErrorCode::kInvalidArgument, "unknown device '" + cmd.device + "': this is " + my_id));
    }
  }
  if (cmd.nonce <= rec_.last_nonce) {
    return error(refuse(ErrorCode::kStaleNonce,
                        "nonce " + std::to_string(cmd.nonce) + " is not above the last accepted " +
                            std::to_string(rec_.last_nonce) + " (replayed or stale command)"));
  }
  if (rec_.state == DeviceState::kRevoked) {
    return error(refuse(ErrorCode::kWrongState, "the device is revoked; it takes no more commands"));
  }
  bool needs_working = cmd.type != "init" && cmd.type != "registered";
  if (needs_working && rec_.state != DeviceState::kWorking) {
    return error(refuse(ErrorCode::kWrongState, "'" + cmd.type + "' needs a working device; this one is " +
                                                    std::string(device_state_name(rec_.state))));
  }
  DeviceRecord next = rec_;
  next.last_nonce = cmd.nonce;  // consumed from here on, whatever the ledger says
  Result<cbor::MapEntries> fields = apply(cmd, *sender, next);
  DeviceRecord& saved = fields.ok() ? next : rec_;
  if (!fields.ok()) rec_.last_nonce = cmd.nonce;
  Status st = save_device_state(path_, saved);
  if (!st.ok()) {
    rec_.last_nonce = cmd.nonce;  // in memory still refuse the replay
    return error(st.error());
  }
  if (!fields.ok()) return error(fields.error());
  rec_ = std::move(next);
  return reply_of(make_reply(cmd, rec_.identity->id, std::move(fields).value()));
}

}  // namespace trustmesh::device
