// What a device remembers across restarts, and the file that holds it.
//
// Life cycle: factory -> initialised (after a DM's init: it has an ID, key
// and certificate, and knows which DM asked) -> working (the ledger confirmed
// the registration: that DM is its master) -> revoked (final).
//
// The state file is JSON, mode 0600 (it holds private keys), replaced
// atomically (write a temporary file, fsync, rename, fsync the directory), so
// a crash leaves either the old or the new state, never a mix. It is saved
// before any reply leaves the device, so an accepted nonce is never accepted
// twice, even across a crash.
//
// Invariants: state == kFactory iff no identity; kWorking implies master;
// last_nonce never decreases.
#pragma once

#include <optional>
#include <string>

#include "device/certificate.h"

namespace trustmesh::device {

enum class DeviceState { kFactory, kInitialised, kWorking, kRevoked };
std::string_view device_state_name(DeviceState s);

struct DeviceRecord {
  DeviceState state = DeviceState::kFactory;
  std::optional<Identity> identity;
  std::optional<Identity> pending;          // a new key and certificate awaiting the ledger (key update)
  std::optional<PublicKey> master;          // the DM the device obeys (working)
  std::optional<PublicKey> pending_master;  // the DM whose init made the identity (initialised)
  uint64_t last_nonce = 0;
  Bytes config;
  std::optional<Hash32> config_hash;
  Bytes seed;
};

// A missing file is a device fresh from the factory.
Result<DeviceRecord> load_device_state(const std::string& path);
Status save_device_state(const std::string& path, const DeviceRecord& rec);

}  // namespace trustmesh::device
