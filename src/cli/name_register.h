// `trustmesh name register`: preorder and register a device name in one
// command (the ledger's commit-reveal, ops_names.cc):
//   1. refuse early if the node reports the name as held (saves the fees);
//   2. pick a random 32-byte salt (OpenSSL RAND_bytes) and save it in the
//      keyring as <name>.salt (0600) BEFORE the preorder is sent;
//   3. preorder SHA-256(name || salt || owner) and wait for its commit;
//   4. wait until a register sent now lands --wait-blocks blocks after the
//      preorder (progress on stderr);
//   5. register (name, salt, value, validity), wait for its commit; a
//      register that lands too early (preorder_too_early) is sent again;
//   6. on success remove the salt file.
// A crash or timeout anywhere leaves the salt file; running the same command
// again resumes with it (or pass --salt HEX). A preorder that is still live
// from an earlier attempt (preorder_exists) is used as is.
#pragma once

#include <string>

#include "cli/client_opts.h"
#include "cli/name_value.h"

namespace trustmesh::cli {

struct RegisterOptions {
  NodeOptions node;
  std::string keyring;
  std::string name;
  std::string key;
  ValueOptions value;
  uint64_t validity = 100000;
  uint64_t fee = 10;
  uint64_t wait_blocks = 1;
  std::string salt;  // hex; empty = saved or new
};

Done run_register(const RegisterOptions& o);
// The same with the value given (o.value is ignored): the DM registers the
// certificate its device sent.
Done run_register_value(const RegisterOptions& o, const ledger::NameValue& value);

}  // namespace trustmesh::cli
