// Device-to-device sealed messages (peer_message.h).
#include "device/peer_message.h"

#include "core/cbor.h"
#include "core/hash.h"
#include "device/seal.h"

namespace trustmesh::device {

namespace {

constexpr std::string_view kDomain = "trustmesh-peer-msg-v1";

Bytes aad_of(const std::string& from, const std::string& to) {
  Bytes a(kDomain.begin(), kDomain.end());
  a.insert(a.end(), from.begin(), from.end());
  a.push_back(0);
  a.insert(a.end(), to.begin(), to.end());
  return a;
}

Bytes signed_bytes(const std::string& from, const std::string& to, const Bytes& box) {
  Bytes out(kDomain.begin(), kDomain.end());
  cbor::encode_to(out, cbor::Value::map({{cbor::Value::text("from"), cbor::Value::text(from)},
                                         {cbor::Value::text("to"), cbor::Value::text(to)},
                                         {cbor::Value::text("box"), cbor::Value::bytes(box)}}));
  return out;
}

}  // namespace

Result<PublicKey> ledger_key_of(const std::string& device_id, NameLookup& ledger) {
  auto fail = [&](const std::string& why) {
    return make_error(ErrorCode::kVerificationFailure, "verification failure: " + device_id + " " + why);
  };
  Result<NameFacts> f = ledger.lookup(device_id);
  if (!f.ok()) return fail("cannot be looked up: " + f.error().message);
  if (f->status != "active") return fail("is " + f->status + " on the ledger");
  if (!f->cert_der || sha256(*f->cert_der) != f->cert_hash) return fail("has no certificate on the ledger");
  Result<CertificateInfo> info = read_certificate(*f->cert_der);
  if (!info.ok() || info->device_id != device_id) return fail("has an unusable certificate on the ledger");
  return info->key;
}

Result<Bytes> seal_peer_message(const Identity& me, const std::string& recipient_id, NameLookup& ledger,
                                ByteView plaintext) {
  TM_ASSIGN_OR_RETURN(PublicKey to_key, ledger_key_of(recipient_id, ledger));
  TM_ASSIGN_OR_RETURN(Bytes box, seal(to_key, plaintext, aad_of(me.id, recipient_id)));
  TM_ASSIGN_OR_RETURN(Bytes sig, me.key.sign(signed_bytes(me.id, recipient_id, box)));
  return cbor::encode(cbor::Value::map({{cbor::Value::text("from"), cbor::Value::text(me.id)},
                                        {cbor::Value::text("to"), cbor::Value::text(recipient_id)},
                                        {cbor::Value::text("box"), cbor::Value::bytes(box)},
                                        {cbor::Value::text("sig"), cbor::Value::bytes(sig)}}));
}

Result<PeerMessage> open_peer_message(const Identity& me, ByteView message, NameLookup& ledger) {
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(message, {.max_depth = 4, .max_items = 16}));
  TM_ASSIGN_OR_RETURN(cbor::MapReader r, cbor::MapReader::of(v, "peer message"));
  TM_ASSIGN_OR_RETURN(std::string from, r.get_text("from"));
  TM_ASSIGN_OR_RETURN(std::string to, r.get_text("to"));
  TM_ASSIGN_OR_RETURN(Bytes box, r.get_bytes("box"));
  TM_ASSIGN_OR_RETURN(Bytes sig, r.get_bytes("sig"));
  TM_TRY(r.finish());
  if (to != me.id)
    return make_error(ErrorCode::kInvalidArgument, "peer message is addressed to " + to + ", not to me");
  if (!is_uuid(from)) return make_error(ErrorCode::kMalformed, "peer message sender is not a device id");
  TM_ASSIGN_OR_RETURN(PublicKey from_key, ledger_key_of(from, ledger));
  if (!from_key.verify(signed_bytes(from, to, box), sig)) {
    return make_error(
        ErrorCode::kVerificationFailure,
        "verification failure: the message is not signed by the key the ledger binds to " + from);
  }
  TM_ASSIGN_OR_RETURN(Bytes plain, open_sealed(me.key, box, aad_of(from, to)));
  return PeerMessage{from, std::move(plain)};
}

}  // namespace trustmesh::device
