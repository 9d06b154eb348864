// The device agent: the state machine a device runs for its DM's commands
// (envelope.h), checking each against the ledger. One command at a time.
//
//   status      anyone, unsigned ok  -> state, id, last nonce, master, cert hash
//   init        factory              -> new ID (UUID), P-256 key, self-signed
//               certificate; replies with the certificate sealed to the DM's
//               key, signed with the new key; state initialised
//   registered  initialised: from the DM that sent init; working: from the
//               master (confirms a key update). The ledger must show the name
//               active, owned by the sender, bound to SHA-256 of the
//               certificate (the new one after a key update) -> working
//   adopt       working, any DM: the ledger must show the sender as owner
//               (after a transfer) -> it becomes the master; the old DM is
//               refused from then on
//   rekey       master: makes a new key and certificate (pending until the
//               ledger binds it and the DM sends registered); replies with it
//               sealed to the DM, with a proof of possession by the new key
//   config      master: a configuration (plain or sealed to the device's key)
//               and an optional random seed; accepted only if the ledger
//               records its SHA-256 as the name's config hash
//   revoked     master: accepted only if the ledger shows the name revoked
//               -> revoked (final: everything but status is refused)
//
// Every signed command needs a nonce above the last accepted one
// (kStaleNonce); the nonce is consumed once signature, device ID, nonce and
// sender pass, even if the ledger check then fails, so no command bytes can
// ever be replayed. Errors: kBadSignature, kInvalidArgument (not this
// device), kStaleNonce, kWrongState, kNotMaster, kVerificationFailure (the
// ledger disagrees), kLedgerUnavailable, kDecryptFailed, kMalformed.
//
// Invariants: the state file is saved before a reply is returned; a refused
// command changes nothing but (possibly) last_nonce.
#pragma once

#include <functional>
#include <mutex>

#include "device/device_state.h"
#include "device/envelope.h"
#include "device/ledger_client.h"

namespace trustmesh::device {

// Sealed-box contexts (aad) of the protocol, so a box cannot be replayed in another role.
Bytes init_box_aad(const std::string& device_id);
Bytes rekey_box_aad(const std::string& device_id);
Bytes config_box_aad(const std::string& device_id);
// What a new key signs to prove possession on a key update.
Bytes rekey_pop_bytes(const std::string& device_id, uint64_t nonce, const Hash32& cert_hash);

class DeviceAgent {
 public:
  DeviceAgent(std::string state_path, DeviceRecord rec, NameLookup& ledger, std::function<uint64_t()> now,
              uint32_t cert_days = 365);
  // Never throws; the reply is signed by the device whenever it has a key.
  Envelope handle(const Envelope& cmd);
  DeviceRecord snapshot() const;

 private:
  Result<cbor::MapEntries> apply(const Envelope& cmd, const PublicKey& sender, DeviceRecord& next);
  Status check_ledger(const PublicKey& sender, const std::function<Status(const NameFacts&)>& more);
  cbor::MapEntries status_fields() const;

  std::string path_;
  DeviceRecord rec_;
  NameLookup& ledger_;
  std::function<uint64_t()> now_;
  uint32_t cert_days_;
  mutable std::mutex mu_;
};

}  // namespace trustmesh::device
