// Encrypted, signed messages from one device to another using only the keys
// on the ledger (DESIGN.md source 4): the sender seals the text to the
// recipient's certificate key and signs the box with its own key; the
// recipient looks the sender up on the ledger, takes its public key from the
// certificate DER the ledger carries (checked against the bound hash), and
// verifies before opening. Works over any channel (an IoTAKE session, a
// broker, a file) and gives non-repudiation: the signature is the sender's.
//
// Encoding: CBOR {"from": text, "to": text, "box": bytes, "sig": bytes}
//   box = seal(recipient key, plaintext, aad = "trustmesh-peer-msg-v1" || from || 0x00 || to)
//   sig = sender.sign("trustmesh-peer-msg-v1" || CBOR {"from", "to", "box"})
//
// Errors from open_peer_message: kMalformed (encoding), kInvalidArgument (not
// addressed to me), kVerificationFailure (sender not active on the ledger,
// no certificate on the ledger, or a bad signature), kDecryptFailed.
#pragma once

#include <string>

#include "device/certificate.h"
#include "device/ledger_client.h"

namespace trustmesh::device {

// Seals to `recipient_id`, whose certificate (and so key) comes from the ledger.
Result<Bytes> seal_peer_message(const Identity& me, const std::string& recipient_id, NameLookup& ledger,
                                ByteView plaintext);

struct PeerMessage {
  std::string from;
  Bytes plaintext;
};
Result<PeerMessage> open_peer_message(const Identity& me, ByteView message, NameLookup& ledger);

// The sender's / recipient's current key as the ledger vouches for it.
Result<PublicKey> ledger_key_of(const std::string& device_id, NameLookup& ledger);

}  // namespace trustmesh::device
