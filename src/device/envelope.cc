// DM <-> device messages (envelope.h).
#include "device/envelope.h"

namespace trustmesh::device {

namespace {

constexpr std::string_view kDomain = "trustmesh-device-msg-v1";

cbor::MapEntries unsigned_entries(const Envelope& e) {
  return {{cbor::Value::text("type"), cbor::Value::text(e.type)},
          {cbor::Value::text("device"), cbor::Value::text(e.device)},
          {cbor::Value::text("nonce"), cbor::Value::uint(e.nonce)},
          {cbor::Value::text("body"), e.body},
          {cbor::Value::text("sender"), cbor::Value::bytes(e.sender)}};
}

bool printable(std::string_view s, size_t max) {
  if (s.size() > max) return false;
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Bytes Envelope::signed_bytes() const {
  Bytes out(kDomain.begin(), kDomain.end());
  cbor::encode_to(out, cbor::Value::map(unsigned_entries(*this)));
  return out;
}

Bytes Envelope::encode() const {
  cbor::MapEntries m = unsigned_entries(*this);
  m.emplace_back(cbor::Value::text("sig"), cbor::Value::bytes(sig));
  return cbor::encode(cbor::Value::map(std::move(m)));
}

Result<Envelope> Envelope::decode(ByteView bytes) {
  if (bytes.size() > kMaxEnvelope) {
    return make_error(ErrorCode::kTooLarge, "message is " + std::to_string(bytes.size()) +
                                                " bytes; the limit is " + std::to_string(kMaxEnvelope));
  }
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(bytes, {.max_depth = 8, .max_items = 4096}));
  TM_ASSIGN_OR_RETURN(cbor::MapReader r, cbor::MapReader::of(v, "device message"));
  Envelope e;
  TM_ASSIGN_OR_RETURN(e.type, r.get_text("type"));
  TM_ASSIGN_OR_RETURN(e.device, r.get_text("device"));
  TM_ASSIGN_OR_RETURN(e.nonce, r.get_uint("nonce"));
  TM_ASSIGN_OR_RETURN(const cbor::Value* body, r.get("body"));
  if (!body->is_map()) return make_error(ErrorCode::kMalformed, "device message: body must be a map");
  e.body = *body;
  TM_ASSIGN_OR_RETURN(e.sender, r.get_bytes("sender"));
  TM_ASSIGN_OR_RETURN(e.sig, r.get_bytes("sig"));
  TM_TRY(r.finish());
  if (!printable(e.type, 32) || e.type.empty())
    return make_error(ErrorCode::kMalformed, "device message: bad type");
  if (!printable(e.device, 64)) return make_error(ErrorCode::kMalformed, "device message: bad device id");
  return e;
}

Status Envelope::sign(const KeyPair& key) {
  sender = key.public_key().encoded();
  TM_ASSIGN_OR_RETURN(sig, key.sign(signed_bytes()));
  return Status::Ok();
}

Result<PublicKey> Envelope::verify() const {
  if (sender.empty()) return make_error(ErrorCode::kBadSignature, "'" + type + "' message is not signed");
  TM_ASSIGN_OR_RETURN(PublicKey key, PublicKey::from_encoded(sender));
  Status st = key.check(signed_bytes(), sig);
  if (!st.ok())
    return make_error(ErrorCode::kBadSignature, "'" + type + "' message: signature does not verify");
  return key;
}

const cbor::Value* body_field(const Envelope& e, std::string_view key) {
  return e.body.find(key);
}

Result<Bytes> body_bytes(const Envelope& e, std::string_view key) {
  const cbor::Value* v = body_field(e, key);
  if (v == nullptr)
    return make_error(ErrorCode::kMalformed, "'" + e.type + "' message lacks " + std::string(key));
  return v->as_bytes();
}

Result<std::string> body_text(const Envelope& e, std::string_view key) {
  const cbor::Value* v = body_field(e, key);
  if (v == nullptr)
    return make_error(ErrorCode::kMalformed, "'" + e.type + "' message lacks " + std::string(key));
  return v->as_text();
}

Envelope make_reply(const Envelope& cmd, const std::string& device, cbor::MapEntries fields) {
  Envelope r;
  r.type = "reply";
  r.device = device;
  r.nonce = cmd.nonce;
  fields.emplace_back(cbor::Value::text("ok"), cbor::Value::boolean(true));
  fields.emplace_back(cbor::Value::text("to"), cbor::Value::text(cmd.type));
  r.body = cbor::Value::map(std::move(fields));
  return r;
}

Envelope make_error_reply(const Envelope& cmd, const std::string& device, const Error& e) {
  Envelope r;
  r.type = "reply";
  r.device = device;
  r.nonce = cmd.nonce;
  r.body = cbor::Value::map({{cbor::Value::text("ok"), cbor::Value::boolean(false)},
                             {cbor::Value::text("to"), cbor::Value::text(cmd.type)},
                             {cbor::Value::text("code"), cbor::Value::uint(static_cast<uint64_t>(e.code))},
                             {cbor::Value::text("message"), cbor::Value::text(e.message)}});
  return r;
}

Status reply_status(const Envelope& reply) {
  if (reply.type != "reply")
    return make_error(ErrorCode::kMalformed, "expected a reply, got '" + reply.type + "'");
  const cbor::Value* ok = reply.body.find("ok");
  if (ok == nullptr || !ok->is_bool()) return make_error(ErrorCode::kMalformed, "reply lacks 'ok'");
  if (*ok->as_bool()) return Status::Ok();
  const cbor::Value* code = reply.body.find("code");
  const cbor::Value* msg = reply.body.find("message");
  uint64_t c =
      code != nullptr && code->is_uint() ? *code->as_uint() : static_cast<uint64_t>(ErrorCode::kInternal);
  std::string m = msg != nullptr && msg->is_text() ? std::string(msg->text_view()) : "refused";
  return make_error(static_cast<ErrorCode>(c),
                    "device refused '" +
                        (reply.body.find("to") != nullptr && reply.body.find("to")->is_text()
                             ? std::string(reply.body.find("to")->text_view())
                             : std::string("?")) +
                        "': " + m);
}

}  // namespace trustmesh::device
