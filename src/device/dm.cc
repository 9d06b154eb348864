// The DM's protocol client (dm.h).
#include "device/dm.h"

#include "core/address.h"
#include "core/hash.h"
#include "device/agent.h"
#include "device/certificate.h"
#include "device/seal.h"
#include "device/service.h"

namespace trustmesh::device {

namespace {

Status check_reply(const Envelope& cmd, const Envelope& reply, const std::optional<PublicKey>& signer) {
  if (reply.type != "reply" || reply.nonce != cmd.nonce) {
    return make_error(ErrorCode::kMalformed, "the device's answer is not a reply to this '" + cmd.type + "'");
  }
  if (signer) {
    Result<PublicKey> k = reply.verify();
    if (!k.ok() || !(*k == *signer)) {
      return make_error(ErrorCode::kBadSignature,
                        "the reply to '" + cmd.type + "' is not signed by the device's certificate key");
    }
  }
  return reply_status(reply);
}

}  // namespace

Result<Envelope> DmLink::send(const std::string& type, const std::string& id, uint64_t nonce,
                              cbor::MapEntries body) {
  Envelope cmd;
  cmd.type = type;
  cmd.device = id;
  cmd.nonce = nonce;
  cmd.body = cbor::Value::map(std::move(body));
  if (type != "status") TM_TRY(cmd.sign(dm_));
  Result<Envelope> reply = exchange(device_, cmd);
  if (!reply.ok()) {
    return make_error(reply.error().code, "device at " + device_.to_string() + ": " + reply.error().message);
  }
  if (reply->type != "reply" || reply->nonce != cmd.nonce) {
    return make_error(ErrorCode::kMalformed, "the device's answer is not a reply to this '" + type + "'");
  }
  return reply;
}

Result<DeviceStatus> DmLink::status() {
  TM_ASSIGN_OR_RETURN(Envelope r, send("status", "", 0, {}));
  TM_TRY(reply_status(r));
  DeviceStatus s;
  TM_ASSIGN_OR_RETURN(s.state, body_text(r, "state"));
  TM_ASSIGN_OR_RETURN(s.last_nonce, r.body.find("last_nonce")->as_uint());
  if (body_field(r, "device_id") != nullptr) {
    TM_ASSIGN_OR_RETURN(s.device_id, body_text(r, "device_id"));
  }
  if (body_field(r, "master") != nullptr) {
    TM_ASSIGN_OR_RETURN(s.master, body_text(r, "master"));
  }
  for (const char* k : {"cert_hash", "config_hash"}) {
    if (body_field(r, k) == nullptr) continue;
    TM_ASSIGN_OR_RETURN(Bytes b, body_bytes(r, k));
    if (b.size() != 32) return make_error(ErrorCode::kMalformed, std::string(k) + " is not 32 bytes");
    Hash32 h;
    std::copy(b.begin(), b.end(), h.begin());
    (std::string_view(k) == "cert_hash" ? s.cert_hash : s.config_hash) = h;
  }
  return s;
}

Result<Bytes> DmLink::init(uint64_t nonce, uint32_t cert_days) {
  TM_ASSIGN_OR_RETURN(
      Envelope r, send("init", "", nonce, {{cbor::Value::text("cert_days"), cbor::Value::uint(cert_days)}}));
  TM_TRY(reply_status(r));
  TM_ASSIGN_OR_RETURN(PublicKey signer, r.verify());
  TM_ASSIGN_OR_RETURN(Bytes box, body_bytes(r, "box"));
  TM_ASSIGN_OR_RETURN(Bytes cert, open_sealed(dm_, box, init_box_aad(r.device)));
  TM_ASSIGN_OR_RETURN(CertificateInfo info, read_certificate(cert));
  if (!(info.key == signer) || info.device_id != r.device) {
    return make_error(ErrorCode::kBadSignature,
                      "the init reply is not signed by the key of the certificate it carries");
  }
  return cert;
}

Result<Bytes> DmLink::rekey(const std::string& id, uint64_t nonce, const PublicKey& current_key) {
  Envelope cmd;
  cmd.type = "rekey";
  cmd.nonce = nonce;
  TM_ASSIGN_OR_RETURN(Envelope r, send("rekey", id, nonce, {}));
  TM_TRY(check_reply(cmd, r, current_key));
  TM_ASSIGN_OR_RETURN(Bytes box, body_bytes(r, "box"));
  TM_ASSIGN_OR_RETURN(Bytes pop, body_bytes(r, "pop"));
  TM_ASSIGN_OR_RETURN(Bytes cert, open_sealed(dm_, box, rekey_box_aad(id)));
  TM_ASSIGN_OR_RETURN(CertificateInfo info, read_certificate(cert));
  if (info.device_id != id || !info.key.verify(rekey_pop_bytes(id, nonce, sha256(cert)), pop)) {
    return make_error(ErrorCode::kBadSignature, "the new certificate's key did not prove possession");
  }
  return cert;
}

Status DmLink::command(const std::string& type, const std::string& id, uint64_t nonce, cbor::MapEntries body,
                       const std::optional<PublicKey>& device_key) {
  Envelope cmd;
  cmd.type = type;
  cmd.nonce = nonce;
  TM_ASSIGN_OR_RETURN(Envelope r, send(type, id, nonce, std::move(body)));
  return check_reply(cmd, r, device_key);
}

}  // namespace trustmesh::device
