// The keyring directory (keyring.h).
#include "cli/keyring.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/private_files.h"
#include "ledger/tx.h"

namespace trustmesh::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kKeySuffix = ".pem";

std::string home_dir() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return home;
  const passwd* pw = ::getpwuid(::getuid());
  return pw != nullptr && pw->pw_dir != nullptr ? pw->pw_dir : ".";
}

}  // namespace

std::string default_keyring_dir() {
  const char* env = std::getenv("TRUSTMESH_KEYRING");
  if (env != nullptr && *env != '\0') return env;
  return home_dir() + "/.trustmesh/keys";
}

Status check_key_name(std::string_view name) {
  auto ok_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  };
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), ok_char)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "bad key name '" + std::string(name.substr(0, 80)) +
                          "': use 1 to 64 characters from a-z, 0-9, '_' and '-'");
  }
  return Status::Ok();
}

std::string SaltRecord::to_json() const {
  return nlohmann::json{{"name", name}, {"owner", owner.to_string()}, {"salt", to_hex(salt)}}.dump(2) + "\n";
}

Result<SaltRecord> SaltRecord::from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto str = [&](const char* k) -> const std::string* {
    if (!j.is_object()) return nullptr;
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const std::string *name = str("name"), *owner = str("owner"), *salt = str("salt");
  if (name == nullptr || owner == nullptr || salt == nullptr)
    return make_error(ErrorCode::kMalformed, "salt file: expected {\"name\", \"owner\", \"salt\"} strings");
  TM_ASSIGN_OR_RETURN(Address addr, Address::parse(*owner));
  TM_ASSIGN_OR_RETURN(Bytes s, from_hex(*salt));
  if (s.size() != ledger::kSaltSize)
    return make_error(ErrorCode::kMalformed, "salt file: salt is not 32 bytes");
  return SaltRecord{*name, addr, std::move(s)};
}

std::string Keyring::key_path(std::string_view name) const {
  return dir_ + "/" + std::string(name) + std::string(kKeySuffix);
}

std::string Keyring::salt_path(std::string_view device_name) const {
  return dir_ + "/" + file_name_escape(device_name) + ".salt";
}

std::string Keyring::anchors_dir() const {
  fs::path p = fs::path(dir_).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "keys/" -> "keys"
  fs::path parent = p.parent_path();
  return (parent.empty() ? fs::path(".") : parent).string() + "/anchors";
}

Status Keyring::create() const {
  return make_private_dir(dir_);
}

std::optional<std::string> Keyring::permission_warning(std::string_view name) const {
  if (auto w = cli::permission_warning(dir_, 0700)) return w;
  return cli::permission_warning(key_path(name), 0600);
}

Status Keyring::add(std::string_view name, const KeyPair& key) const {
  TM_TRY(check_key_name(name));
  TM_TRY(create());
  TM_ASSIGN_OR_RETURN(std::string pem, key.to_pem());
  Status st = write_private_file(key_path(name), pem);
  if (!st.ok() && st.error().code == ErrorCode::kInvalidArgument) {
    return make_error(ErrorCode::kInvalidArgument, "a key named '" + std::string(name) +
                                                       "' already exists (" + key_path(name) +
                                                       "); choose another name");
  }
  return st;
}

Result<KeyPair> Keyring::load(std::string_view name) const {
  TM_TRY(check_key_name(name));
  Result<std::string> pem = read_small_file(key_path(name));
  if (!pem.ok() && pem.error().code == ErrorCode::kNotFound) {
    std::string n(name);
    return make_error(ErrorCode::kNotFound, "no key named '" + n + "' in " + dir_ +
                                                " (see `trustmesh keys list`, or `trustmesh keys new " + n +
                                                "`)");
  }
  if (!pem.ok()) return pem.error();
  Result<KeyPair> key = KeyPair::from_pem(*pem);
  if (!key.ok()) return make_error(key.error().code, key_path(name) + ": " + key.error().message);
  return key;
}

Result<std::vector<std::string>> Keyring::names() const {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return out;
  fs::directory_iterator it(dir_, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot list " + dir_ + ": " + ec.message());
  for (const auto& entry : it) {
    std::string file = entry.path().filename().string();
    if (file.size() <= kKeySuffix.size() || !file.ends_with(kKeySuffix)) continue;
    std::string name = file.substr(0, file.size() - kKeySuffix.size());
    if (check_key_name(name).ok()) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status Keyring::save_salt(const SaltRecord& r) const {
  TM_TRY(create());
  return write_private_file(salt_path(r.name), r.to_json());
}

Result<std::optional<SaltRecord>> Keyring::load_salt(std::string_view device_name) const {
  Result<std::string> text = read_small_file(salt_path(device_name), 64 * 1024);
  if (!text.ok() && text.error().code == ErrorCode::kNotFound) return std::optional<SaltRecord>();
  if (!text.ok()) return text.error();
  Result<SaltRecord> r = SaltRecord::from_json(*text);
  if (!r.ok()) return make_error(r.error().code, salt_path(device_name) + ": " + r.error().message);
  if (r->name != device_name) {
    return make_error(ErrorCode::kMalformed, salt_path(device_name) + " is for the name '" + r->name +
                                                 "', not '" + std::string(device_name) + "'");
  }
  return std::optional<SaltRecord>(std::move(*r));
}

void Keyring::remove_salt(std::string_view device_name) const {
  ::unlink(salt_path(device_name).c_str());
}

}  // namespace trustmesh::cli
