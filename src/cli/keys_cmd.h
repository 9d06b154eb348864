// `trustmesh keys ...`: the local keyring (cli/keyring.h), no node needed.
//   new NAME [--alg p256|ed25519]   create a key pair
//   import NAME FILE                import an unencrypted private key
//   list                            names, addresses, algorithms
//   show NAME                       address, algorithm, public key (hex)
//   export NAME [--public]          PEM on stdout
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {

void add_keys_commands(CLI::App& app);

}  // namespace trustmesh::cli
