// Loads a chain for the edge-server benchmark (scripts/bench_edge.sh): COUNT
// device names "device-0" .. registered by the dev account (name.preorder,
// then name.register a block later), the way a manufacturer registers its
// production, so an edge server has COUNT device records to sync.
//
//   edge_load DATA_DIR NAMES_FILE [COUNT]   (COUNT defaults to 100000)
//
// DATA_DIR is a chain made by `trustmesh init` (its funded dev key in
// DATA_DIR/keys/dev.pem signs the txs); the node runs in this process on that
// directory and stops when every tx is committed, so `trustmesh node --data
// DATA_DIR` serves it next. NAMES_FILE receives the names, one per line (an
// edge server's --names-file). Progress goes to stderr.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/hash.h"
#include "ledger/schema.h"
#include "ledger/tx.h"
#include "node/node.h"

using namespace trustmesh;

namespace {

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "edge_load: %s: %s\n", what, r.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Submits every tx (waiting while the mempool is full) and waits until all are committed.
void submit_all(node::Node& node, const std::vector<Bytes>& txs, const char* what) {
  const uint64_t committed0 = node.metrics().txs_committed.load();
  for (size_t i = 0; i < txs.size(); ++i) {
    for (;;) {
      auto r = node.submit_tx(txs[i]);
      if (r.ok()) break;
      if (r.error().code != ErrorCode::kMempoolFull) {
        std::fprintf(stderr, "edge_load: %s tx %zu refused: %s\n", what, i, r.error().to_string().c_str());
        std::exit(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  while (node.metrics().txs_committed.load() < committed0 + txs.size())
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: edge_load DATA_DIR NAMES_FILE [COUNT]\n");
    return 2;
  }
  const std::string data = argv[1], names_file = argv[2];
  const uint64_t count = argc == 4 ? std::stoull(argv[3]) : 100000;

  KeyPair dev = must(KeyPair::from_pem(read_file(data + "/keys/dev.pem")), "read DATA_DIR/keys/dev.pem");
  node::NodeConfig cfg = must(node::NodeConfig::load(data), "read node.toml");
  cfg.max_block_txs = 10000;
  auto node = must(node::Node::open(cfg), "open the node");
  Status started = node->start();
  if (!started.ok()) {
    std::fprintf(stderr, "edge_load: start the node: %s\n", started.error().to_string().c_str());
    return 1;
  }
  const std::string chain = node->chain_id();
  const Address owner = Address::of(dev.public_key());
  const uint64_t failed0 = node->metrics().txs_failed.load();
  auto t0 = std::chrono::steady_clock::now();

  // In rounds, so every register lands within preorder_max_blocks of its preorder.
  constexpr uint64_t kRound = 20000;
  uint64_t seq = 0;
  const Bytes salt(32, 7);
  ledger::NameValue value;
  value.cert_hash = sha256(as_bytes("trustmesh edge bench device certificate"));
  std::ofstream names(names_file);
  for (uint64_t from = 0; from < count; from += kRound) {
    const uint64_t to = std::min(count, from + kRound);
    std::vector<Bytes> pre, reg;
    for (uint64_t i = from; i < to; ++i) {
      const std::string name = "device-" + std::to_string(i);
      names << name << "\n";
      ledger::op::NamePreorder p{ledger::name_commitment(name, salt, owner)};
      pre.push_back(must(ledger::make_tx(dev, chain, seq++, 10, p), "sign name.preorder").encode());
    }
    submit_all(*node, pre, "preorder");
    for (uint64_t i = from; i < to; ++i) {
      ledger::op::NameRegister r{"device-" + std::to_string(i), salt, value, 1'000'000};
      reg.push_back(must(ledger::make_tx(dev, chain, seq++, 10, r), "sign name.register").encode());
    }
    submit_all(*node, reg, "register");
    std::fprintf(stderr, "edge_load: %llu names registered\n", (unsigned long long)to);
  }
  names.close();
  auto t1 = std::chrono::steady_clock::now();
  const uint64_t failed = node->metrics().txs_failed.load() - failed0;
  bool last_there = false;
  {
    auto view = node->view();
    last_there =
        must(view->get(ledger::schema::name_key("device-" + std::to_string(count - 1))), "read").has_value();
  }
  node->stop();
  node.reset();
  if (failed != 0 || !last_there) {
    std::fprintf(stderr, "edge_load: %llu txs failed; the last name %s registered\n",
                 (unsigned long long)failed, last_there ? "is" : "is not");
    return 1;
  }
  std::fprintf(stderr, "edge_load: %llu names registered in %.1f s (%.0f tx/s)\n", (unsigned long long)count,
               std::chrono::duration<double>(t1 - t0).count(),
               2.0 * count / std::chrono::duration<double>(t1 - t0).count());
  return 0;
}
