// The device manager's side of the DM <-> device protocol (agent.h): build
// signed commands, send them, and check the replies. The ledger side (name
// registration, update, transfer, revocation) is the DM's job too, done with
// ordinary ledger transactions by its caller (`trustmesh dm`).
//
// Invariants: every reply accepted here is a "reply" to exactly the command
// sent (same nonce), signed by the key the DM expects for that device (the
// key in the certificate it is about to register, or the device's current
// certificate key), and reports success; otherwise an Error, with the
// device's own code when it refused.
#pragma once

#include <optional>
#include <string>

#include "device/envelope.h"
#include "device/net.h"

namespace trustmesh::device {

struct DeviceStatus {
  std::string state;
  std::string device_id;
  uint64_t last_nonce = 0;
  std::string master;  // address text, "" if none
  std::optional<Hash32> cert_hash;
  std::optional<Hash32> config_hash;
};

class DmLink {
 public:
  DmLink(Endpoint device, KeyPair dm) : device_(std::move(device)), dm_(std::move(dm)) {}

  // "status" (unsigned query).
  Result<DeviceStatus> status();
  // "init": returns the device's certificate DER (checked: self-signed,
  // device UUID, key = the reply's signer).
  Result<Bytes> init(uint64_t nonce, uint32_t cert_days);
  // "rekey": returns the new certificate, with its proof of possession checked
  // and the reply signed by `current_key`.
  Result<Bytes> rekey(const std::string& id, uint64_t nonce, const PublicKey& current_key);
  // registered / adopt / revoked / config: success or the device's refusal.
  Status command(const std::string& type, const std::string& id, uint64_t nonce, cbor::MapEntries body,
                 const std::optional<PublicKey>& device_key);

 private:
  Result<Envelope> send(const std::string& type, const std::string& id, uint64_t nonce,
                        cbor::MapEntries body);
  Endpoint device_;
  KeyPair dm_;
};

}  // namespace trustmesh::device
