// A running device: the agent answering its DM on one TCP port, and IoTAKE
// answering peer devices on another, each on its own thread, one connection
// at a time. Used by `trustmesh device run`.
//
// DM port: one signed command frame in, one signed reply frame out, per
// connection (net.h frames, envelope.h messages). A frame that does not
// decode gets an unsigned error reply.
// IoTAKE port: a mutual TLS 1.3 handshake checked against the ledger
// (iotake.h), then one sealed peer message in (peer_message.h), answered by a
// sealed "ack: <text>" to the sender.
//
// Every outcome is reported to `log` as one JSON object per line, e.g.
// {"event":"iotake","ok":false,"code":501,"error":"verification_failure",...}.
//
// Invariants: stop() returns only after both threads have ended; the
// identity used for IoTAKE is the agent's current one at each handshake.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include "device/agent.h"
#include "device/iotake.h"
#include "device/net.h"

namespace trustmesh::device {

class DeviceService {
 public:
  using Log = std::function<void(const std::string& json_line)>;
  static Result<std::unique_ptr<DeviceService>> start(DeviceAgent& agent, NameLookup& ledger,
                                                      IotakeOptions iotake, const Endpoint& dm_at,
                                                      const Endpoint& iotake_at, Log log);
  ~DeviceService();
  uint16_t dm_port() const { return dm_port_; }
  uint16_t iotake_port() const { return iotake_port_; }
  void stop();

 private:
  DeviceService(DeviceAgent& agent, NameLookup& ledger, IotakeOptions iotake, Log log)
      : agent_(agent), ledger_(ledger), iotake_(std::move(iotake)), log_(std::move(log)) {}
  void serve_dm();
  void serve_iotake();

  DeviceAgent& agent_;
  NameLookup& ledger_;
  IotakeOptions iotake_;
  Log log_;
  Socket dm_listener_, iotake_listener_;
  uint16_t dm_port_ = 0, iotake_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread dm_thread_, iotake_thread_;
};

// One DM command over TCP: connect, send, read the reply (a client helper for DMs).
Result<Envelope> exchange(const Endpoint& device, const Envelope& cmd, uint64_t timeout_ms = 30000);

// The error text of an Error as the log's JSON fields.
std::string error_json_fields(const Error& e);

}  // namespace trustmesh::device
