// The DM commands (dm_cmd.h).
#include "cli/dm_cmd.h"

#include <openssl/rand.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/client_opts.h"
#include "cli/keyring.h"
#include "cli/name_register.h"
#include "cli/tx_flow.h"
#include "core/address.h"
#include "core/hash.h"
#include "device/agent.h"
#include "device/certificate.h"
#include "device/dm.h"
#include "device/seal.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

struct DmOptions {
  NodeOptions node;
  std::string keyring, key, device;
  uint64_t fee = 10;
  uint32_t cert_days = 365;
  uint64_t validity = 100000;
  uint64_t wait_blocks = 1;
  std::string file;  // config
  bool encrypt = false, seed = false, yes = false;
};

// The device's link, its status, and the DM key.
struct Session {
  KeyPair key;
  device::DmLink link;
  device::DeviceStatus status;
};

Outcome<Session> open_session(const DmOptions& o) {
  TM_CLI_ASSIGN(KeyPair key, Keyring(o.keyring).load(o.key));
  TM_CLI_ASSIGN(device::Endpoint ep, device::parse_endpoint(o.device));
  device::DmLink link(ep, key);
  Result<device::DeviceStatus> st = link.status();
  if (!st.ok()) return Failure{st.error(), kExitUnreachable};
  return Session{key, std::move(link), std::move(st).value()};
}

void say(const DmOptions& o, const std::string& line) {
  if (!o.node.json) std::cerr << line << "\n";
}

Done finish(const DmOptions& o, json out, const std::string& line) {
  out["ok"] = true;
  if (o.node.json)
    std::cout << out.dump() << "\n";
  else
    std::cout << line << "\n";
  return kDone;
}

// The name's record as the owner's node reports it.
Outcome<ledger::NameValue> current_value(NodeClient& node, const std::string& id) {
  TM_CLI_ASSIGN(json rec, node.get_json("/v1/names/" + path_segment(id)));
  ledger::NameValue v;
  TM_CLI_ASSIGN(v.cert_hash, hash32_from_hex(json_str(rec, "cert_hash")));
  if (!json_str(rec, "cert_der").empty()) {
    TM_CLI_ASSIGN(Bytes der, from_hex(json_str(rec, "cert_der")));
    v.cert_der = std::move(der);
  }
  if (!json_str(rec, "config_hash").empty()) {
    TM_CLI_ASSIGN(Hash32 h, hash32_from_hex(json_str(rec, "config_hash")));
    v.config_hash = h;
  }
  return v;
}

// Sends one ledger tx and requires it to apply.
Done ledger_tx(const DmOptions& o, const ledger::Operation& op, const std::string& step) {
  TM_CLI_ASSIGN(TxSession s, open_tx_session(o.node, o.keyring, o.key, o.fee));
  Progress progress;
  TM_CLI_ASSIGN(json tx, send_tx(s.node, s.ctx, op, step, progress));
  if (!tx_applied(tx)) return tx_failure(tx, step);
  say(o, step + " committed at height " + std::to_string(json_uint(tx, "height")));
  return kDone;
}

Outcome<PublicKey> key_of_cert(const ledger::NameValue& v) {
  if (!v.cert_der) return make_error(ErrorCode::kVerificationFailure, "the name carries no certificate DER");
  TM_CLI_ASSIGN(device::CertificateInfo info, device::read_certificate(*v.cert_der));
  return info.key;
}

Done run_setup(const DmOptions& o) {
  TM_CLI_ASSIGN(Session s, open_session(o));
  if (s.status.state != "factory") {
    return make_error(ErrorCode::kWrongState,
                      "the device is already " + s.status.state +
                          (s.status.device_id.empty() ? "" : " as " + s.status.device_id));
  }
  uint64_t nonce = s.status.last_nonce + 1;
  TM_CLI_ASSIGN(Bytes cert, s.link.init(nonce, o.cert_days));
  TM_CLI_ASSIGN(device::CertificateInfo info, device::read_certificate(cert));
  say(o, "device " + info.device_id + " made its key and certificate (sha256 " + to_hex(sha256(cert)) + ")");

  RegisterOptions ro;
  ro.node = o.node;
  ro.node.json = true;  // the DM prints its own summary
  ro.keyring = o.keyring;
  ro.name = info.device_id;
  ro.key = o.key;
  ro.validity = o.validity;
  ro.fee = o.fee;
  ro.wait_blocks = o.wait_blocks;
  ledger::NameValue value{sha256(cert), cert, std::nullopt};
  {
    // run_register_value prints its JSON on stdout; keep stdout for ours.
    std::stringstream sink;
    std::streambuf* old = std::cout.rdbuf(sink.rdbuf());
    Done reg = run_register_value(ro, value);
    std::cout.rdbuf(old);
    if (!reg.ok()) return reg;
  }
  say(o, "registered " + info.device_id + " on the ledger");
  TM_CLI_TRY(s.link.command("registered", info.device_id, nonce + 1, {}, info.key));
  json out{{"device_id", info.device_id},
           {"cert_hash", to_hex(sha256(cert))},
           {"owner", Address::of(s.key.public_key()).to_string()},
           {"state", "working"}};
  return finish(o, out, "device " + info.device_id + " is set up and working, with this DM as its master");
}

Done run_adopt(const DmOptions& o) {
  TM_CLI_ASSIGN(Session s, open_session(o));
  if (s.status.state != "working")
    return make_error(ErrorCode::kWrongState, "the device is " + s.status.state);
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(ledger::NameValue v, current_value(node, s.status.device_id));
  TM_CLI_ASSIGN(PublicKey dev_key, key_of_cert(v));
  TM_CLI_TRY(s.link.command("adopt", s.status.device_id, s.status.last_nonce + 1, {}, dev_key));
  std::string me = Address::of(s.key.public_key()).to_string();
  return finish(o, {{"device_id", s.status.device_id}, {"master", me}},
                "device " + s.status.device_id + " now obeys this DM (" + me + ")");
}

Done run_rekey(const DmOptions& o) {
  TM_CLI_ASSIGN(Session s, open_session(o));
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(ledger::NameValue v, current_value(node, s.status.device_id));
  TM_CLI_ASSIGN(PublicKey old_key, key_of_cert(v));
  uint64_t nonce = s.status.last_nonce + 1;
  TM_CLI_ASSIGN(Bytes cert, s.link.rekey(s.status.device_id, nonce, old_key));
  TM_CLI_ASSIGN(device::CertificateInfo info, device::read_certificate(cert));
  ledger::NameValue next{sha256(cert), cert, v.config_hash};
  TM_CLI_TRY(ledger_tx(o, ledger::op::NameUpdate{s.status.device_id, next}, "update"));
  TM_CLI_TRY(s.link.command("registered", s.status.device_id, nonce + 1, {}, info.key));
  return finish(
      o,
      {{"device_id", s.status.device_id},
       {"old_cert_hash", to_hex(v.cert_hash)},
       {"cert_hash", to_hex(next.cert_hash)}},
      "device " + s.status.device_id + " has a new key; certificate sha256 " + to_hex(next.cert_hash));
}

Done run_config(const DmOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read --file " + o.file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  Bytes config(text.begin(), text.end());
  if (config.size() > 16 * 1024)
    return make_error(ErrorCode::kTooLarge, "configurations are limited to 16 KiB");
  TM_CLI_ASSIGN(Session s, open_session(o));
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(ledger::NameValue v, current_value(node, s.status.device_id));
  TM_CLI_ASSIGN(PublicKey dev_key, key_of_cert(v));
  Hash32 h = sha256(config);
  if (!v.config_hash || *v.config_hash != h) {
    v.config_hash = h;
    TM_CLI_TRY(ledger_tx(o, ledger::op::NameUpdate{s.status.device_id, v}, "update"));
  }
  cbor::MapEntries body;
  if (o.encrypt) {
    TM_CLI_ASSIGN(Bytes box, device::seal(dev_key, config, device::config_box_aad(s.status.device_id)));
    body.emplace_back(cbor::Value::text("box"), cbor::Value::bytes(box));
  } else {
    body.emplace_back(cbor::Value::text("config"), cbor::Value::bytes(config));
  }
  if (o.seed) {
    Bytes seed(32);
    if (RAND_bytes(seed.data(), 32) != 1) return make_error(ErrorCode::kCryptoFailure, "RAND_bytes failed");
    body.emplace_back(cbor::Value::text("seed"), cbor::Value::bytes(seed));
  }
  TM_CLI_TRY(s.link.command("config", s.status.device_id, s.status.last_nonce + 1, std::move(body), dev_key));
  return finish(o, {{"device_id", s.status.device_id}, {"config_hash", to_hex(h)}, {"encrypted", o.encrypt}},
                "device " + s.status.device_id + " took the configuration (sha256 " + to_hex(h) + ")");
}

Done run_revoke(const DmOptions& o) {
  if (!o.yes) return make_error(ErrorCode::kInvalidArgument, "revocation is final; pass --yes to confirm");
  TM_CLI_ASSIGN(Session s, open_session(o));
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  TM_CLI_ASSIGN(ledger::NameValue v, current_value(node, s.status.device_id));
  TM_CLI_ASSIGN(PublicKey dev_key, key_of_cert(v));
  TM_CLI_TRY(ledger_tx(o, ledger::op::NameRevoke{s.status.device_id}, "revoke"));
  TM_CLI_TRY(s.link.command("revoked", s.status.device_id, s.status.last_nonce + 1, {}, dev_key));
  return finish(o, {{"device_id", s.status.device_id}, {"state", "revoked"}},
                "device " + s.status.device_id + " is revoked on the ledger and has stopped");
}

Done run_status(const DmOptions& o) {
  TM_CLI_ASSIGN(device::Endpoint ep, device::parse_endpoint(o.device));
  TM_CLI_ASSIGN(KeyPair any, KeyPair::generate());  // status is unsigned; the key is unused
  device::DmLink link(ep, any);
  Result<device::DeviceStatus> st = link.status();
  if (!st.ok()) return Failure{st.error(), kExitUnreachable};
  json j{{"state", st->state}, {"last_nonce", st->last_nonce}};
  if (!st->device_id.empty()) j["device_id"] = st->device_id;
  if (!st->master.empty()) j["master"] = st->master;
  if (st->cert_hash) j["cert_hash"] = to_hex(*st->cert_hash);
  if (st->config_hash) j["config_hash"] = to_hex(*st->config_hash);
  if (o.node.json)
    std::cout << j.dump() << "\n";
  else
    std::cout << j.dump(2) << "\n";
  return kDone;
}

}  // namespace

void add_dm_commands(CLI::App& app) {
  CLI::App* dm =
      app.add_subcommand("dm", "Device manager: set up, transfer, re-key, configure and revoke devices");
  dm->require_subcommand(1);
  auto add = [&](const char* name, const char* help, const char* example, bool keyed,
                 Done (*run)(const DmOptions&)) {
    auto o = std::make_shared<DmOptions>();
    CLI::App* cmd = dm->add_subcommand(name, help);
    cmd->add_option("--device", o->device, "The device's DM address (host:port)")->required();
    if (keyed) {
      cmd->add_option("--key", o->key, "Keyring key of the owner (signs commands and txs)")->required();
      cmd->add_option("--fee", o->fee, "Tx fee")->capture_default_str();
      add_keyring_option(cmd, o->keyring);
    }
    add_node_options(cmd, o->node);
    set_examples(cmd, example);
    on_run_done(cmd, [o, run] { return run(*o); });
    return std::make_pair(cmd, o);
  };
  auto [setup, so] = add("setup", "Initialise a factory-fresh device and register its name",
                         "Example: trustmesh dm setup --device 127.0.0.1:7001 --key alice", true, run_setup);
  setup->add_option("--cert-days", so->cert_days, "Validity of the device's certificate (days)")
      ->capture_default_str();
  setup->add_option("--validity", so->validity, "Validity of the name (blocks)")->capture_default_str();
  setup->add_option("--wait-blocks", so->wait_blocks, "Blocks between preorder and register")
      ->capture_default_str();
  add("adopt", "Take over a device whose name was transferred to this key",
      "Example: trustmesh dm adopt --device 127.0.0.1:7001 --key bob", true, run_adopt);
  add("rekey", "Have the device make a new key and certificate, and bind it on the ledger",
      "Example: trustmesh dm rekey --device 127.0.0.1:7001 --key alice", true, run_rekey);
  auto [config, co] = add(
      "config", "Record a configuration's hash on the ledger and send it to the device",
      "Example: trustmesh dm config --device 127.0.0.1:7001 --key alice --file lamp.conf --encrypt --seed",
      true, run_config);
  config->add_option("--file", co->file, "The configuration file (up to 16 KiB)")->required();
  config->add_flag("--encrypt", co->encrypt, "Seal it to the device's key");
  config->add_flag("--seed", co->seed, "Send a fresh random 32-byte seed with it");
  auto [revoke, ro] =
      add("revoke", "Revoke the device's name (final) and tell the device",
          "Example: trustmesh dm revoke --device 127.0.0.1:7001 --key alice --yes", true, run_revoke);
  revoke->add_flag("-y,--yes", ro->yes, "Confirm: revocation cannot be undone");
  add("status", "Ask a device for its state", "Example: trustmesh dm status --device 127.0.0.1:7001", false,
      run_status);
}

}  // namespace trustmesh::cli
