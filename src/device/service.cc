// The device's two listeners (service.h).
#include "device/service.h"

#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "device/peer_message.h"

namespace trustmesh::device {

namespace {

using nlohmann::json;

constexpr uint64_t kIoTimeoutMs = 15000;

json error_fields(const Error& e) {
  return {{"ok", false},
          {"code", static_cast<unsigned>(e.code)},
          {"error", std::string(error_code_name(e.code))},
          {"message", e.message}};
}

}  // namespace

std::string error_json_fields(const Error& e) {
  return error_fields(e).dump();
}

Result<std::unique_ptr<DeviceService>> DeviceService::start(DeviceAgent& agent, NameLookup& ledger,
                                                            IotakeOptions iotake, const Endpoint& dm_at,
                                                            const Endpoint& iotake_at, Log log) {
  std::unique_ptr<DeviceService> s(new DeviceService(agent, ledger, std::move(iotake), std::move(log)));
  TM_ASSIGN_OR_RETURN(s->dm_listener_, tcp_listen(dm_at));
  TM_ASSIGN_OR_RETURN(s->iotake_listener_, tcp_listen(iotake_at));
  TM_ASSIGN_OR_RETURN(s->dm_port_, local_port(s->dm_listener_));
  TM_ASSIGN_OR_RETURN(s->iotake_port_, local_port(s->iotake_listener_));
  DeviceService* self = s.get();
  s->dm_thread_ = std::thread([self] { self->serve_dm(); });
  s->iotake_thread_ = std::thread([self] { self->serve_iotake(); });
  return s;
}

DeviceService::~DeviceService() {
  stop();
}

void DeviceService::stop() {
  if (stopping_.exchange(true)) return;
  // Wakes the blocked accept() calls.
  ::shutdown(dm_listener_.fd(), SHUT_RDWR);
  ::shutdown(iotake_listener_.fd(), SHUT_RDWR);
  if (dm_thread_.joinable()) dm_thread_.join();
  if (iotake_thread_.joinable()) iotake_thread_.join();
  dm_listener_.close();
  iotake_listener_.close();
}

void DeviceService::serve_dm() {
  while (!stopping_) {
    Result<Socket> c = tcp_accept(dm_listener_, kIoTimeoutMs);
    if (!c.ok()) {
      if (stopping_) return;
      continue;
    }
    Result<Bytes> frame = read_frame(*c, kMaxEnvelope);
    if (!frame.ok()) continue;
    Result<Envelope> cmd = Envelope::decode(*frame);
    Envelope reply;
    json line{{"event", "dm"}};
    if (!cmd.ok()) {
      reply = make_error_reply(Envelope{.type = "?"}, "", cmd.error());
      line.update(error_fields(cmd.error()));
    } else {
      line["command"] = cmd->type;
      line["nonce"] = cmd->nonce;
      reply = agent_.handle(*cmd);
      Status st = reply_status(reply);
      if (st.ok())
        line["ok"] = true;
      else
        line.update(error_fields(st.error()));
      line["state"] = std::string(device_state_name(agent_.snapshot().state));
    }
    (void)write_frame(*c, reply.encode());
    log_(line.dump());
  }
}

void DeviceService::serve_iotake() {
  while (!stopping_) {
    Result<Socket> c = tcp_accept(iotake_listener_, kIoTimeoutMs);
    if (!c.ok()) {
      if (stopping_) return;
      continue;
    }
    json line{{"event", "iotake"}};
    DeviceRecord rec = agent_.snapshot();
    if (!rec.identity) {
      log_(json{{"event", "iotake"}, {"ok", false}, {"message", "no identity yet (factory state)"}}.dump());
      continue;
    }
    Result<IotakeSession> s = iotake_handshake(std::move(c).value(), false, *rec.identity, ledger_, iotake_);
    if (!s.ok()) {
      line.update(error_fields(s.error()));
      log_(line.dump());
      continue;
    }
    line["peer"] = s->peer().device_id;
    line["ledger"] = s->peer().facts.source;
    Result<Bytes> msg = s->receive(kMaxEnvelope);
    if (!msg.ok()) {
      line["ok"] = true;
      line["message"] = "handshake only";
      log_(line.dump());
      continue;
    }
    Result<PeerMessage> m = open_peer_message(*rec.identity, *msg, ledger_);
    if (!m.ok() || m->from != s->peer().device_id) {
      line.update(error_fields(
          m.ok() ? make_error(ErrorCode::kVerificationFailure, "message sender is not the authenticated peer")
                 : m.error()));
      log_(line.dump());
      continue;
    }
    std::string text(m->plaintext.begin(), m->plaintext.end());
    line["ok"] = true;
    line["received"] = text;
    std::string ack = "ack: " + text;
    Result<Bytes> sealed = seal_peer_message(*rec.identity, m->from, ledger_, as_bytes(ack));
    if (sealed.ok()) (void)s->send(*sealed);
    log_(line.dump());
  }
}

Result<Envelope> exchange(const Endpoint& device, const Envelope& cmd, uint64_t timeout_ms) {
  TM_ASSIGN_OR_RETURN(Socket s, tcp_connect(device, timeout_ms));
  TM_TRY(write_frame(s, cmd.encode()));
  TM_ASSIGN_OR_RETURN(Bytes frame, read_frame(s, kMaxEnvelope));
  return Envelope::decode(frame);
}

}  // namespace trustmesh::device
