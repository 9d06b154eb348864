// The keyring: a directory of the user's account keys, one unencrypted
// PKCS#8 PEM file per key (NAME.pem), plus the salts of name registrations
// in progress (see SaltRecord).
//
// Location: --keyring DIR, else $TRUSTMESH_KEYRING, else ~/.trustmesh/keys.
// Invariants: the directory is created 0700 and key files 0600 with O_EXCL
// (private_files.h), so a key is never readable by others and never
// overwritten; key names match [a-z0-9_-]{1,64}, so a name is always one
// plain file name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/keys.h"

namespace trustmesh::cli {

// $TRUSTMESH_KEYRING, else $HOME/.trustmesh/keys.
std::string default_keyring_dir();

// kInvalidArgument unless name matches [a-z0-9_-]{1,64}.
Status check_key_name(std::string_view name);

// The salt of a `name register` in progress, saved before its preorder is
// sent so that a crash or timeout can resume with the same commitment.
struct SaltRecord {
  std::string name;  // the device name
  Address owner;     // the registering account (part of the commitment)
  Bytes salt;        // 32 bytes

  std::string to_json() const;
  static Result<SaltRecord> from_json(std::string_view text);
};

class Keyring {
 public:
  explicit Keyring(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  std::string key_path(std::string_view name) const;
  // Where a registration's salt is kept: DIR/<escaped device name>.salt.
  std::string salt_path(std::string_view device_name) const;
  // DIR's parent + "/anchors": cached trust anchors (verify).
  std::string anchors_dir() const;

  // Creates the directory (0700) if missing.
  Status create() const;
  // A warning if the directory or the key's file is accessible to others.
  std::optional<std::string> permission_warning(std::string_view name) const;

  // Stores a new key; kInvalidArgument if the name is taken.
  Status add(std::string_view name, const KeyPair& key) const;
  // kNotFound (naming `trustmesh keys list`) if there is no such key.
  Result<KeyPair> load(std::string_view name) const;
  // Names of the keys, sorted (empty if the directory does not exist).
  Result<std::vector<std::string>> names() const;

  Status save_salt(const SaltRecord& r) const;  // refuses to overwrite
  Result<std::optional<SaltRecord>> load_salt(std::string_view device_name) const;
  void remove_salt(std::string_view device_name) const;

 private:
  std::string dir_;
};

}  // namespace trustmesh::cli
