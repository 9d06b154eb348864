// Loads a chain for the OCSP benchmark (scripts/bench_ocsp.sh): an
// organisation "bench" whose root CA issued COUNT device certificates, all
// recorded on the ledger with cert.add (level device), the way a CA service
// records what it issues, so the node's OCSP responder answers over an index
// of COUNT entries, as `openssl ocsp` does over an index.txt of COUNT lines.
//
//   ocsp_load DATA_DIR OUT_DIR [COUNT]   (COUNT defaults to 100000)
//
// DATA_DIR is a chain made by `trustmesh init` (its funded dev key in
// DATA_DIR/keys/dev.pem signs the txs); the node runs in this process on that
// directory and stops when every tx is committed, so `trustmesh node --data
// DATA_DIR --ocsp-signer OUT_DIR/resp.pem:OUT_DIR/resp.key` serves it next.
// OUT_DIR receives ca.pem (the root), resp.pem/resp.key (a delegated OCSP
// responder certificate) and dev.pem/dev.key (device 0, to ask about).
// Device certificates share one key (only serials and names differ), which
// keeps issuing 100,000 of them to a few seconds. Progress goes to stderr.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/hash.h"
#include "core/x509.h"
#include "core/x509_issue.h"
#include "ledger/compliance.h"
#include "ledger/compliance_access.h"
#include "ledger/tx.h"
#include "node/node.h"

using namespace trustmesh;

namespace {

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "ocsp_load: %s: %s\n", what, r.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

void must_ok(Status s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "ocsp_load: %s: %s\n", what, s.error().to_string().c_str());
    std::exit(1);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  std::filesystem::permissions(path,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

x509::Issued issue(const x509::CertSpec& spec, const x509::Issued* by) {
  return must(by ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(by->der, by->key.get()))
                 : x509::issue(spec, std::nullopt),
              "issue a certificate");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: ocsp_load DATA_DIR OUT_DIR [COUNT]\n");
    return 2;
  }
  const std::string data = argv[1], out = argv[2];
  const uint64_t count = argc == 4 ? std::stoull(argv[3]) : 100000;
  std::filesystem::create_directories(out);

  KeyPair admin = must(KeyPair::from_pem(read_file(data + "/keys/dev.pem")), "read DATA_DIR/keys/dev.pem");
  node::NodeConfig cfg = must(node::NodeConfig::load(data), "read node.toml");
  cfg.max_block_txs = 10000;
  auto node = must(node::Node::open(cfg), "open the node");
  must_ok(node->start(), "start the node");
  const std::string chain = node->chain_id();
  const Address from = Address::of(admin.public_key());

  // The hierarchy: root -> (responder, devices).
  x509::Issued root = issue({.cn = "trustmesh bench root", .ca = true}, nullptr);
  x509::Issued responder = issue({.cn = "trustmesh bench OCSP responder", .ocsp_signing = true}, &root);
  x509::Issued dev0 = issue({.cn = "device-0"}, &root);
  write_file(out + "/ca.pem", x509::to_pem(root.der));
  write_file(out + "/resp.pem", x509::to_pem(responder.der));
  write_file(out + "/resp.key", x509::key_to_pem(responder.key.get()));
  write_file(out + "/dev.pem", x509::to_pem(dev0.der));
  write_file(out + "/dev.key", x509::key_to_pem(dev0.key.get()));

  auto t0 = std::chrono::steady_clock::now();
  std::vector<Bytes> txs;
  txs.reserve(count + 1);
  uint64_t seq = 0;
  {
    Bytes pop = must(x509::sign_with(root.key.get(), ledger::org_root_message(chain, "bench", from)), "sign");
    ledger::op::OrgRegister reg{
        .id = "bench", .kind = "manufacturer", .name = "Bench", .roots = {root.der}, .root_sigs = {pop}};
    txs.push_back(must(ledger::make_tx(admin, chain, seq++, 10, reg), "sign org.register").encode());
  }
  for (uint64_t i = 0; i < count; ++i) {
    Bytes der = i == 0
                    ? dev0.der
                    : issue({.cn = "device-" + std::to_string(i), .subject_key = dev0.key.get()}, &root).der;
    ledger::op::CertAdd add{.org = "bench", .level = "device", .der = std::move(der)};
    txs.push_back(must(ledger::make_tx(admin, chain, seq++, 10, add), "sign cert.add").encode());
    if ((i + 1) % 20000 == 0)
      std::fprintf(stderr, "ocsp_load: issued %llu certificates\n", (unsigned long long)(i + 1));
  }
  auto t1 = std::chrono::steady_clock::now();

  const uint64_t committed0 = node->metrics().txs_committed.load();
  const uint64_t failed0 = node->metrics().txs_failed.load();
  for (size_t i = 0; i < txs.size(); ++i) {
    for (;;) {
      auto r = node->submit_tx(txs[i]);
      if (r.ok()) break;
      if (r.error().code != ErrorCode::kMempoolFull) {
        std::fprintf(stderr, "ocsp_load: tx %zu refused: %s\n", i, r.error().to_string().c_str());
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (i == 0) {  // the org must exist before its certificates are checked in the mempool
      while (node->metrics().txs_committed.load() < committed0 + 1)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if ((i + 1) % 20000 == 0)
      std::fprintf(stderr, "ocsp_load: submitted %zu txs, %llu committed\n", i + 1,
                   (unsigned long long)(node->metrics().txs_committed.load() - committed0));
  }
  while (node->metrics().txs_committed.load() < committed0 + txs.size())
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto t2 = std::chrono::steady_clock::now();
  const uint64_t failed = node->metrics().txs_failed.load() - failed0;

  // Check the result on the committed state before saying it is loaded.
  std::optional<ledger::CertRecord> rec;
  {
    node::ViewReader view(node->view());  // released before the node closes its database
    rec = must(ledger::ComplianceReader(view).cert(sha256(dev0.der)), "read device-0");
  }
  node->stop();
  node.reset();
  if (failed != 0 || !rec) {
    std::fprintf(stderr, "ocsp_load: %llu txs failed; device-0 %s on the ledger\n",
                 (unsigned long long)failed, rec ? "is" : "is not");
    return 1;
  }
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::fprintf(stderr,
               "ocsp_load: %llu device certificates issued in %.1f s and committed in %.1f s (%.0f tx/s)\n",
               (unsigned long long)count, secs(t0, t1), secs(t1, t2), txs.size() / secs(t1, t2));
  return 0;
}
