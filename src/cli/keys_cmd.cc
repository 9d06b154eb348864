// `trustmesh keys ...` (keys_cmd.h): the keyring, offline. Private key
// material only ever goes to a 0600 file or, on `keys export` without
// --public, to stdout (with a warning when stdout is a terminal).
#include "cli/keys_cmd.h"

#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_opts.h"
#include "cli/keyring.h"
#include "cli/private_files.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

struct KeysOptions {
  std::string keyring;
  bool json = false;
  std::string name;
  std::string alg = "p256";
  std::string file;
  bool public_only = false;
};

json key_json(const Keyring& ring, const std::string& name, const KeyPair& key) {
  return {{"name", name},
          {"address", Address::of(key.public_key()).to_string()},
          {"alg", std::string(key_alg_name(key.alg()))},
          {"public_key", to_hex(key.public_key().encoded())},
          {"path", ring.key_path(name)}};
}

void print_key(const json& k) {
  std::cout << k["name"].get<std::string>() << "\n  address     " << k["address"].get<std::string>()
            << "\n  algorithm   " << k["alg"].get<std::string>() << "\n  public key  "
            << k["public_key"].get<std::string>() << "\n  file        " << k["path"].get<std::string>()
            << "\n";
}

void warn_permissions(const Keyring& ring, const std::string& name) {
  if (auto w = ring.permission_warning(name)) std::cerr << "warning: " << *w << "\n";
}

// Stores a new key and prints it.
Done store_and_print(const KeysOptions& o, const KeyPair& key, const char* verb) {
  Keyring ring(o.keyring);
  TM_CLI_TRY(ring.add(o.name, key));
  json k = key_json(ring, o.name, key);
  if (o.json) {
    std::cout << k.dump() << "\n";
  } else {
    std::cout << verb << " key " << o.name << " (" << k["alg"].get<std::string>() << ") in " << ring.dir()
              << "\n  address " << k["address"].get<std::string>() << "\n";
  }
  return kDone;
}

Done run_new(const KeysOptions& o) {
  TM_CLI_TRY(check_key_name(o.name));
  TM_CLI_ASSIGN(KeyAlg alg, parse_key_alg(o.alg));
  TM_CLI_ASSIGN(KeyPair key, KeyPair::generate(alg));
  return store_and_print(o, key, "created");
}

Done run_import(const KeysOptions& o) {
  TM_CLI_TRY(check_key_name(o.name));
  TM_CLI_ASSIGN(std::string data, read_small_file(o.file));
  Result<KeyPair> key = data.find("-----BEGIN") != std::string::npos ? KeyPair::from_pem(data)
                                                                     : KeyPair::from_der(as_bytes(data));
  if (!key.ok()) {
    return make_error(key.error().code, o.file +
                                            " is not an unencrypted P-256 or Ed25519 private key (PKCS#8 or "
                                            "SEC1, PEM or DER): " +
                                            key.error().message);
  }
  return store_and_print(o, *key, "imported");
}

Done run_list(const KeysOptions& o) {
  Keyring ring(o.keyring);
  TM_CLI_ASSIGN(std::vector<std::string> names, ring.names());
  json all = json::array();
  for (const std::string& name : names) {
    Result<KeyPair> key = ring.load(name);
    if (key.ok()) {
      all.push_back(key_json(ring, name, *key));
    } else {
      all.push_back({{"name", name}, {"path", ring.key_path(name)}, {"error", key.error().to_string()}});
    }
  }
  if (o.json) {
    std::cout << all.dump() << "\n";
    return kDone;
  }
  if (all.empty()) {
    std::cout << "no keys in " << ring.dir() << " (create one with `trustmesh keys new NAME`)\n";
    return kDone;
  }
  for (const json& k : all) {
    if (k.contains("error")) {
      std::cout << k["name"].get<std::string>() << "  (unreadable: " << k["error"].get<std::string>()
                << ")\n";
    } else {
      std::cout << k["name"].get<std::string>() << "  " << k["address"].get<std::string>() << "  "
                << k["alg"].get<std::string>() << "\n";
    }
  }
  if (auto w = permission_warning(ring.dir(), 0700)) std::cerr << "warning: " << *w << "\n";
  return kDone;
}

Done run_show(const KeysOptions& o) {
  Keyring ring(o.keyring);
  TM_CLI_ASSIGN(KeyPair key, ring.load(o.name));
  warn_permissions(ring, o.name);
  json k = key_json(ring, o.name, key);
  if (o.json) {
    std::cout << k.dump() << "\n";
  } else {
    print_key(k);
  }
  return kDone;
}

Done run_export(const KeysOptions& o) {
  Keyring ring(o.keyring);
  TM_CLI_ASSIGN(KeyPair key, ring.load(o.name));
  warn_permissions(ring, o.name);
  TM_CLI_ASSIGN(std::string pem, o.public_only ? key.public_key().to_pem() : key.to_pem());
  if (!o.public_only && ::isatty(STDOUT_FILENO) == 1) {
    std::cerr << "warning: this is the PRIVATE key of " << o.name
              << "; anyone who sees it controls the account (use --public for the public key)\n";
  }
  if (o.json) {
    std::cout << json{{"name", o.name}, {"public", o.public_only}, {"pem", pem}}.dump() << "\n";
  } else {
    std::cout << pem;
  }
  return kDone;
}

}  // namespace

void add_keys_commands(CLI::App& app) {
  CLI::App* keys = app.add_subcommand("keys", "Manage account keys in the local keyring");
  keys->require_subcommand(1);
  set_examples(keys, "Example: trustmesh keys new alice\nExample: trustmesh keys list");

  auto add = [&](const char* name, const char* help, const char* example, auto run) {
    auto o = std::make_shared<KeysOptions>();
    CLI::App* cmd = keys->add_subcommand(name, help);
    add_keyring_option(cmd, o->keyring);
    add_json_flag(cmd, o->json);
    set_examples(cmd, example);
    on_run_done(cmd, [o, run] { return run(*o); });
    return std::make_pair(cmd, o);
  };

  auto [new_cmd, new_o] = add("new", "Create a key pair (file NAME.pem, mode 0600)",
                              "Example: trustmesh keys new alice --alg ed25519", run_new);
  new_cmd->add_option("name", new_o->name, "Key name: 1-64 of a-z 0-9 _ -")->required();
  new_cmd->add_option("--alg", new_o->alg, "Algorithm")
      ->check(CLI::IsMember({"p256", "ed25519"}))
      ->capture_default_str();

  auto [import_cmd, import_o] =
      add("import", "Import an unencrypted private key file (PKCS#8 or SEC1, PEM or DER)",
          "Example: trustmesh keys import gateway gateway-key.pem", run_import);
  import_cmd->add_option("name", import_o->name, "Key name: 1-64 of a-z 0-9 _ -")->required();
  import_cmd->add_option("file", import_o->file, "Private key file")->required();

  add("list", "List the keys with their addresses", "Example: trustmesh keys list --keyring ./data/keys",
      run_list);

  auto [show_cmd, show_o] = add("show", "Show a key's address, algorithm and public key",
                                "Example: trustmesh keys show alice", run_show);
  show_cmd->add_option("name", show_o->name, "Key name")->required();

  auto [export_cmd, export_o] =
      add("export", "Print a key as PEM (the private key unless --public)",
          "Example: trustmesh keys export alice --public > alice.pub.pem", run_export);
  export_cmd->add_option("name", export_o->name, "Key name")->required();
  export_cmd->add_flag("--public", export_o->public_only, "Print only the public key (SubjectPublicKeyInfo)");
}

}  // namespace trustmesh::cli
