// Helpers shared by the node tests (node_util.cc is linked into each): a data
// directory with a genesis of deterministic funded keys and one or more
// validator keys, and signed transaction builders.
#pragma once

#include <string>
#include <vector>

#include "core/keys.h"
#include "ledger/genesis.h"
#include "ledger/tx.h"
#include "node/config.h"

namespace trustmesh::node::testing {

KeyPair account_key(int i);    // deterministic P-256 keys
KeyPair validator_key(int i);  // distinct from the account keys

// A fresh data directory (removed at destruction) holding genesis.json with
// `accounts` funded accounts (account 0 is the trustee), `validators`
// validators of power 1, and validator.pem = validator `me`'s key (none if
// me < 0: a full node).
class TestDir {
 public:
  explicit TestDir(int accounts = 3, int validators = 1, ledger::Params params = {}, int me = 0);
  ~TestDir();
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::string& path() const { return path_; }
  const ledger::Genesis& genesis() const { return genesis_; }
  // Fast settings for tests: 20 ms blocks, no fsync, ephemeral API port.
  NodeConfig config() const;

 private:
  std::string path_;
  ledger::Genesis genesis_;
};

ledger::Params test_params();  // short preorder wait and validity bounds
Bytes signed_tx(int account, uint64_t seq, ledger::Operation op, uint64_t fee = 10,
                const std::string& chain = "trustmesh-test");
ledger::op::Send send_to(int account, uint64_t amount);

}  // namespace trustmesh::node::testing
