// Messages between a device manager (DM) and a device: deterministic CBOR,
// each signed by its sender.
//
// Encoding (a CBOR map with text keys, RFC 8949 core deterministic form):
//   {"type": text, "device": text, "nonce": uint, "body": map,
//    "sender": bytes (PublicKey::encoded(), empty = unsigned), "sig": bytes}
// The signature covers "trustmesh-device-msg-v1" || CBOR of the same map
// without "sig". Types:
//   DM -> device: init, registered, adopt, rekey, config, revoked, status
//   device -> DM: reply (nonce = the command's nonce; body {"ok", "code",
//                 "message", ...})
// Only "status" may be unsigned; everything else carries a signature that
// verify() checks before a field is acted on.
//
// Invariants: decode(encode(e)) == e; decode refuses anything but the exact
// canonical encoding, unknown fields, and frames over kMaxEnvelope bytes.
#pragma once

#include <string>

#include "core/cbor.h"
#include "core/keys.h"

namespace trustmesh::device {

inline constexpr size_t kMaxEnvelope = 64 * 1024;

struct Envelope {
  std::string type;
  std::string device;  // device ID; empty in "init" (the device has none yet)
  uint64_t nonce = 0;
  cbor::Value body = cbor::Value::map({});
  Bytes sender;  // PublicKey::encoded() of the signer
  Bytes sig;

  Bytes signed_bytes() const;
  Bytes encode() const;
  static Result<Envelope> decode(ByteView bytes);

  // Sets sender and sig.
  Status sign(const KeyPair& key);
  // The sender's key if the signature verifies (kBadSignature otherwise,
  // kBadKey for a sender that is not a key).
  Result<PublicKey> verify() const;
};

// Body helpers (maps with text keys).
const cbor::Value* body_field(const Envelope& e, std::string_view key);
Result<Bytes> body_bytes(const Envelope& e, std::string_view key);
Result<std::string> body_text(const Envelope& e, std::string_view key);

// A reply to `cmd`: {"ok": true, ...fields} or {"ok": false, "code", "error", "message"}.
Envelope make_reply(const Envelope& cmd, const std::string& device, cbor::MapEntries fields);
Envelope make_error_reply(const Envelope& cmd, const std::string& device, const Error& e);
// The Error a failed reply carries, or ok.
Status reply_status(const Envelope& reply);

}  // namespace trustmesh::device
