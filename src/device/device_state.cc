// The device's state file (device_state.h).
#include "device/device_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace trustmesh::device {

namespace {

using nlohmann::json;

Result<json> identity_json(const Identity& id) {
  TM_ASSIGN_OR_RETURN(std::string pem, id.key.to_pem());
  return json{{"id", id.id}, {"key_pem", pem}, {"cert_der", to_hex(id.cert_der)}};
}

Result<Identity> identity_of(const json& j) {
  if (!j.is_object() || !j.contains("id") || !j.contains("key_pem") || !j.contains("cert_der")) {
    return make_error(ErrorCode::kMalformed, "device state: identity needs id, key_pem, cert_der");
  }
  TM_ASSIGN_OR_RETURN(KeyPair key, KeyPair::from_pem(j["key_pem"].get<std::string>()));
  TM_ASSIGN_OR_RETURN(Bytes der, from_hex(j["cert_der"].get<std::string>()));
  TM_ASSIGN_OR_RETURN(CertificateInfo info, read_certificate(der));
  if (!(info.key == key.public_key()) || info.device_id != j["id"].get<std::string>()) {
    return make_error(ErrorCode::kMalformed, "device state: certificate does not match its key or id");
  }
  return Identity{info.device_id, std::move(key), std::move(der)};
}

Result<std::optional<PublicKey>> key_of(const json& j, const char* field) {
  if (!j.contains(field) || j[field].is_null()) return std::optional<PublicKey>();
  TM_ASSIGN_OR_RETURN(Bytes b, from_hex(j[field].get<std::string>()));
  TM_ASSIGN_OR_RETURN(PublicKey k, PublicKey::from_encoded(b));
  return std::optional<PublicKey>(std::move(k));
}

Status sys_error(const std::string& what) {
  return make_error(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

}  // namespace

std::string_view device_state_name(DeviceState s) {
  switch (s) {
    case DeviceState::kFactory: return "factory";
    case DeviceState::kInitialised: return "initialised";
    case DeviceState::kWorking: return "working";
    case DeviceState::kRevoked: return "revoked";
  }
  return "?";
}

Result<DeviceRecord> load_device_state(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return DeviceRecord{};
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kMalformed, "device state " + path + ": " + why);
  };
  if (!j.is_object() || j.value("version", 0) != 1) return bad("not a version-1 device state file");
  try {
    DeviceRecord r;
    std::string state = j.at("state").get<std::string>();
    if (state == "factory")
      r.state = DeviceState::kFactory;
    else if (state == "initialised")
      r.state = DeviceState::kInitialised;
    else if (state == "working")
      r.state = DeviceState::kWorking;
    else if (state == "revoked")
      r.state = DeviceState::kRevoked;
    else
      return bad("unknown state '" + state + "'");
    if (j.contains("identity")) {
      TM_ASSIGN_OR_RETURN(Identity id, identity_of(j["identity"]));
      r.identity = std::move(id);
    }
    if (j.contains("pending")) {
      TM_ASSIGN_OR_RETURN(Identity id, identity_of(j["pending"]));
      r.pending = std::move(id);
    }
    TM_ASSIGN_OR_RETURN(r.master, key_of(j, "master"));
    TM_ASSIGN_OR_RETURN(r.pending_master, key_of(j, "pending_master"));
    r.last_nonce = j.at("last_nonce").get<uint64_t>();
    TM_ASSIGN_OR_RETURN(r.config, from_hex(j.value("config", "")));
    TM_ASSIGN_OR_RETURN(r.seed, from_hex(j.value("seed", "")));
    if (j.contains("config_hash")) {
      TM_ASSIGN_OR_RETURN(Hash32 h, hash32_from_hex(j["config_hash"].get<std::string>()));
      r.config_hash = h;
    }
    if ((r.state == DeviceState::kFactory) != !r.identity) return bad("identity does not match the state");
    if (r.state == DeviceState::kWorking && !r.master) return bad("a working device needs a master");
    return r;
  } catch (const json::exception& e) {
    return bad(e.what());
  }
}

Status save_device_state(const std::string& path, const DeviceRecord& r) {
  json j{{"version", 1},
         {"state", device_state_name(r.state)},
         {"last_nonce", r.last_nonce},
         {"config", to_hex(r.config)},
         {"seed", to_hex(r.seed)}};
  if (r.identity) {
    TM_ASSIGN_OR_RETURN(j["identity"], identity_json(*r.identity));
  }
  if (r.pending) {
    TM_ASSIGN_OR_RETURN(j["pending"], identity_json(*r.pending));
  }
  if (r.master) j["master"] = to_hex(r.master->encoded());
  if (r.pending_master) j["pending_master"] = to_hex(r.pending_master->encoded());
  if (r.config_hash) j["config_hash"] = to_hex(*r.config_hash);
  std::string text = j.dump(2) + "\n";

  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("open " + tmp);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ::close(fd);
      return sys_error("write " + tmp);
    }
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return sys_error("fsync " + tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return sys_error("rename " + tmp);
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace trustmesh::device
