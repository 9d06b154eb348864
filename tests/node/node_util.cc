// Node test helpers (see node_util.h).
#include "node_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "core/hash.h"

namespace trustmesh::node::testing {

namespace {
KeyPair seeded(const std::string& label) {
  Hash32 seed = sha256(as_bytes(label));
  return KeyPair::from_seed(KeyAlg::kP256, ByteView(seed)).value();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}
}  // namespace

KeyPair account_key(int i) {
  return seeded("node-test-account-" + std::to_string(i));
}

KeyPair validator_key(int i) {
  return seeded("node-test-validator-" + std::to_string(i));
}

ledger::Params test_params() {
  ledger::Params p;
  p.min_validity_blocks = 5;
  p.preorder_min_blocks = 1;
  p.preorder_max_blocks = 50;
  return p;
}

TestDir::TestDir(int accounts, int validators, ledger::Params params, int me) {
  static std::atomic<int> counter{0};
  path_ = (std::filesystem::path(::testing::TempDir()) /
           ("tm-node-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
              .string();
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
  genesis_.chain_id = "trustmesh-test";
  genesis_.genesis_time = 1767225600;
  for (int i = 0; i < accounts; ++i) {
    genesis_.accounts.push_back({Address::of(account_key(i).public_key()), 1'000'000'000});
  }
  genesis_.trustees.push_back(Address::of(account_key(0).public_key()));
  for (int i = 0; i < validators; ++i) {
    genesis_.validators.push_back({validator_key(i).public_key(), 1, "v" + std::to_string(i)});
  }
  std::sort(genesis_.validators.begin(), genesis_.validators.end(),
            [](const auto& a, const auto& b) { return Address::of(a.key) < Address::of(b.key); });
  genesis_.params = params;
  write(path_ + "/genesis.json", genesis_.to_json());
  if (me >= 0) write(path_ + "/validator.pem", validator_key(me).to_pem().value());
}

TestDir::~TestDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

NodeConfig TestDir::config() const {
  NodeConfig c;
  c.data_dir = path_;
  c.block_interval_ms = 20;
  c.sync = false;
  c.api.port = 0;
  return c;
}

Bytes signed_tx(int account, uint64_t seq, ledger::Operation op, uint64_t fee, const std::string& chain) {
  return ledger::make_tx(account_key(account), chain, seq, fee, std::move(op)).value().encode();
}

ledger::op::Send send_to(int account, uint64_t amount) {
  return ledger::op::Send{Address::of(account_key(account).public_key()), amount};
}

}  // namespace trustmesh::node::testing
