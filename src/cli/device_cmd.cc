// The device commands (device_cmd.h).
//
// `device run` prints one JSON line when it listens:
//   {"event":"ready","dm":"127.0.0.1:P","iotake":"127.0.0.1:Q","state":...,"device_id":...}
// then one JSON line per DM command or IoTAKE connection (service.h), and
// stops cleanly on SIGINT/SIGTERM.
#include "cli/device_cmd.h"

#include <signal.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/client_opts.h"
#include "cli/device_opts.h"
#include "cli/stage_cmd.h"
#include "core/address.h"
#include "core/hash.h"
#include "device/agent.h"
#include "device/peer_message.h"
#include "device/service.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

struct DeviceOptions {
  std::string state;
  std::string dm_listen = "127.0.0.1:0";
  std::string iotake_listen = "127.0.0.1:0";
  std::string peer;  // connect: host:port
  std::string message = "hello";
  uint32_t cert_days = 365;
  bool json = false;
  DeviceLedgerOptions ledger;
};

uint64_t wall_now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

json describe(const device::DeviceRecord& r) {
  json j{{"state", device::device_state_name(r.state)}, {"last_nonce", r.last_nonce}};
  if (r.identity) {
    j["device_id"] = r.identity->id;
    j["cert_hash"] = to_hex(r.identity->cert_hash());
  }
  if (r.pending) j["pending_cert_hash"] = to_hex(r.pending->cert_hash());
  if (r.master) j["master"] = Address::of(*r.master).to_string();
  if (r.config_hash) j["config_hash"] = to_hex(*r.config_hash);
  if (!r.config.empty()) j["config"] = std::string(r.config.begin(), r.config.end());
  return j;
}

// TLS writes to a peer that hung up must fail, not kill the process.
void ignore_sigpipe() {
  ::signal(SIGPIPE, SIG_IGN);
}

Done run_device(const DeviceOptions& o) {
  ignore_sigpipe();
  TM_CLI_ASSIGN(device::DeviceRecord rec, device::load_device_state(o.state));
  TM_CLI_ASSIGN(auto ledger, open_ledger_client(o.ledger));
  TM_CLI_ASSIGN(device::Endpoint dm_at, device::parse_endpoint(o.dm_listen));
  TM_CLI_ASSIGN(device::Endpoint io_at, device::parse_endpoint(o.iotake_listen));
  if (!rec.identity) TM_CLI_TRY(device::save_device_state(o.state, rec));  // fail early on an unwritable path
  device::DeviceAgent agent(o.state, std::move(rec), *ledger, wall_now, o.cert_days);

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);  // the service threads inherit the mask

  std::mutex out_mu;
  auto log = [&out_mu](const std::string& line) {
    std::lock_guard lock(out_mu);
    std::cout << line << std::endl;
  };
  TM_CLI_ASSIGN(auto service,
                device::DeviceService::start(agent, *ledger, iotake_options(o.ledger), dm_at, io_at, log));
  json ready = describe(agent.snapshot());
  ready["event"] = "ready";
  ready["dm"] = dm_at.host + ":" + std::to_string(service->dm_port());
  ready["iotake"] = io_at.host + ":" + std::to_string(service->iotake_port());
  log(ready.dump());
  // Until a signal: re-read the membership file every --refresh seconds.
  int sig = 0;
  for (;;) {
    uint64_t wait_s = o.ledger.members.empty() ? 3600 : std::max<uint64_t>(1, o.ledger.refresh_s);
    timespec ts{static_cast<time_t>(wait_s), 0};
    sig = sigtimedwait(&sigs, nullptr, &ts);
    if (sig > 0) break;
    if (o.ledger.members.empty()) continue;
    Outcome<Members> m = load_members(o.ledger.members);
    if (!m.ok()) {
      log(json{{"event", "membership"}, {"ok", false}, {"message", m.failure().error.message}}.dump());
      continue;
    }
    if (m->ledger == ledger->nodes() && !m->anchor) continue;
    Status st = ledger->set_membership(m->ledger, m->anchor);
    json line{{"event", "membership"}, {"ok", st.ok()}, {"ledger", m->ledger}};
    if (!st.ok()) line["message"] = st.error().message;
    log(line.dump());
  }
  service->stop();
  log(json{{"event", "stopped"}, {"signal", sig}}.dump());
  return kDone;
}

Done run_show(const DeviceOptions& o) {
  TM_CLI_ASSIGN(device::DeviceRecord rec, device::load_device_state(o.state));
  json j = describe(rec);
  if (o.json) {
    std::cout << j.dump() << "\n";
    return kDone;
  }
  std::cout << "state        " << j["state"].get<std::string>() << "\n";
  for (const char* k : {"device_id", "cert_hash", "pending_cert_hash", "master", "config_hash"}) {
    if (j.contains(k))
      std::cout << std::string(k) + std::string(13 - std::string(k).size(), ' ') << j[k].get<std::string>()
                << "\n";
  }
  std::cout << "last nonce   " << rec.last_nonce << "\n";
  return kDone;
}

Done run_connect(const DeviceOptions& o) {
  ignore_sigpipe();
  TM_CLI_ASSIGN(device::DeviceRecord rec, device::load_device_state(o.state));
  if (!rec.identity || rec.state != device::DeviceState::kWorking) {
    return make_error(ErrorCode::kWrongState, "this device is " +
                                                  std::string(device::device_state_name(rec.state)) +
                                                  "; set it up first (`trustmesh dm setup`)");
  }
  TM_CLI_ASSIGN(auto ledger, open_ledger_client(o.ledger));
  TM_CLI_ASSIGN(device::Endpoint to, device::parse_endpoint(o.peer));
  auto t0 = std::chrono::steady_clock::now();
  TM_CLI_ASSIGN(device::IotakeSession s,
                device::iotake_connect(to, *rec.identity, *ledger, iotake_options(o.ledger)));
  double handshake_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  TM_CLI_ASSIGN(Bytes sealed,
                device::seal_peer_message(*rec.identity, s.peer().device_id, *ledger, as_bytes(o.message)));
  TM_CLI_TRY(s.send(sealed));
  TM_CLI_ASSIGN(Bytes answer, s.receive(device::kMaxEnvelope));
  TM_CLI_ASSIGN(device::PeerMessage reply, device::open_peer_message(*rec.identity, answer, *ledger));
  if (reply.from != s.peer().device_id) {
    return make_error(ErrorCode::kVerificationFailure, "the answer is not from the authenticated peer");
  }
  Hash32 fp = sha256(s.msk());
  json j{{"ok", true},
         {"peer", s.peer().device_id},
         {"ledger", s.peer().facts.source},
         {"handshake_ms", handshake_ms},
         {"msk_fingerprint", to_hex(ByteView(fp).first(8))},
         {"reply", std::string(reply.plaintext.begin(), reply.plaintext.end())}};
  if (o.json) {
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "authenticated " << s.peer().device_id << " (" << s.peer().facts.source << ") in "
              << static_cast<int>(handshake_ms) << " ms; msk fingerprint "
              << j["msk_fingerprint"].get<std::string>() << "\nreply: " << j["reply"].get<std::string>()
              << "\n";
  }
  return kDone;
}

}  // namespace

void add_device_commands(CLI::App& app) {
  CLI::App* dev = app.add_subcommand(
      "device",
      "Run a device agent, authenticate a peer (IoTAKE), move a device through its supply-chain stages");
  dev->require_subcommand(1);

  auto r = std::make_shared<DeviceOptions>();
  CLI::App* run =
      dev->add_subcommand("run", "Run a device: obey its DM, answer IoTAKE peers (JSON lines on stdout)");
  run->add_option("--state", r->state,
                  "The device's state file (created in the factory state if missing; mode 0600)")
      ->required();
  run->add_option("--dm-listen", r->dm_listen, "Where the DM reaches the device (host:port)")
      ->capture_default_str();
  run->add_option("--iotake-listen", r->iotake_listen, "Where peer devices reach it (host:port)")
      ->capture_default_str();
  run->add_option("--cert-days", r->cert_days, "Validity of certificates the device makes")
      ->capture_default_str();
  add_device_ledger_options(run, r->ledger);
  run->add_option("--refresh", r->ledger.refresh_s, "Re-read --members every this many seconds")
      ->capture_default_str();
  set_examples(run,
               "Example: trustmesh device run --state lamp.json --dm-listen 127.0.0.1:7001 --iotake-listen "
               "127.0.0.1:7002 --ledger http://127.0.0.1:8080 --anchor data/genesis.json");
  on_run_done(run, [r] { return run_device(*r); });

  auto s = std::make_shared<DeviceOptions>();
  CLI::App* show = dev->add_subcommand("show", "Show a device's saved state");
  show->add_option("--state", s->state, "The device's state file")->required();
  add_json_flag(show, s->json);
  on_run_done(show, [s] { return run_show(*s); });

  auto c = std::make_shared<DeviceOptions>();
  CLI::App* connect = dev->add_subcommand(
      "connect",
      "IoTAKE: mutual TLS 1.3 with a peer device checked on the ledger, then an encrypted message");
  connect->add_option("--state", c->state, "This device's state file")->required();
  connect->add_option("--to", c->peer, "The peer device's IoTAKE address (host:port)")->required();
  connect->add_option("--message", c->message, "Text to send, sealed to the peer's ledger key")
      ->capture_default_str();
  add_device_ledger_options(connect, c->ledger);
  add_json_flag(connect, c->json);
  set_examples(connect,
               "Example: trustmesh device connect --state lamp.json --to 127.0.0.1:7102 --message on "
               "--ledger http://127.0.0.1:8080 --anchor data/genesis.json");
  on_run_done(connect, [c] { return run_connect(*c); });

  add_stage_commands(dev);
}

}  // namespace trustmesh::cli
