// Light client benchmarks: what a gateway or device pays to check a name's
// status without trusting the node, next to what it pays to check an OCSP
// response with OpenSSL.
//
//   BM_VerifyNameStatus/<N>        verify_name_status for a registered name in a
//                                  state of N names (proof decode + SMT verify +
//                                  strict record decode), header already verified;
//                                  counters proof_bytes, siblings, record_bytes
//   BM_VerifyNameStatusAbsent/<N>  the same for a name that is not registered
//   BM_VerifyHeader/<V>            verify_header with V validators of power 1
//                                  (decode, chain/set checks, V P-256 verifies)
//   BM_LightFullCheck/<N>          verify_header (1 validator) + verify_name_status:
//                                  the whole check, from bytes, for one answer
//   BM_OcspBasicVerify             OCSP_basic_verify on a parsed response
//   BM_OcspFullCheck               DER -> response -> OCSP_basic_verify ->
//                                  find status (good) -> check thisUpdate/nextUpdate
//
// The tree of N = 1,000,000 names "device-<i>" with realistic NameRecord values
// (owner, cert hash, most with a config hash, heights, some revoked) is built
// in memory (store::MemNodeStore + store::apply_updates, batches of 100k) the
// first time a benchmark needs it (~10-20 s). The OCSP benchmarks read the
// fixture from $TM_OCSP_FIXTURE (resp.der, ca.pem, dev.pem, as written by
// scripts/ocsp_fixture.sh DIR) and are skipped if it is unset:
//
//   bash scripts/ocsp_fixture.sh /tmp/tm-ocsp && TM_OCSP_FIXTURE=/tmp/tm-ocsp ./build/light_bench
#include <benchmark/benchmark.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "consensus/vote.h"
#include "core/hash.h"
#include "ledger/schema.h"
#include "light/header.h"
#include "light/name_status.h"
#include "store/smt.h"

using namespace trustmesh;

namespace {

constexpr uint64_t kBatch = 100000;
constexpr size_t kClaims = 1024;
constexpr uint64_t kHeight = 5000;
constexpr uint64_t kTime = 1767225600 + kHeight * 6;

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "light_bench: %s: %s\n", what, r.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string name_of(uint64_t i) {
  return "device-" + std::to_string(i);
}

// A record like the ledger writes: owner among 10k accounts, cert hash, a
// config hash for 3 in 4, registered in the past ~year, 1 in 50 revoked.
Bytes record_of(uint64_t i) {
  ledger::NameRecord r;
  std::array<uint8_t, kAddressSize> owner{};
  uint64_t x = splitmix64(i % 10000);
  for (size_t j = 0; j < owner.size(); ++j) {
    if (j % 8 == 0) x = splitmix64(x);
    owner[j] = static_cast<uint8_t>(x >> (8 * (j % 8)));
  }
  r.owner = must(Address::from_bytes(owner), "owner");
  r.value.cert_hash = sha256(as_bytes("cert-" + std::to_string(i)));
  if (i % 4 != 0) r.value.config_hash = sha256(as_bytes("config-" + std::to_string(i % 100)));
  r.status = i % 50 == 0 ? ledger::NameStatus::kRevoked : ledger::NameStatus::kActive;
  r.registered_at = 1 + splitmix64(i) % (kHeight - 1);
  r.expires_at = r.registered_at + 5256000;
  r.updated_at = r.registered_at;
  r.history_len = 1 + static_cast<uint32_t>(i % 3);
  return cbor::encode(r.to_cbor());
}

struct Validators {
  std::vector<KeyPair> keys;
  light::TrustAnchor anchor;
};

Validators validators(int n) {
  std::vector<KeyPair> keys;
  std::vector<consensus::Validator> vals;
  for (int i = 0; i < n; ++i) {
    keys.push_back(must(
        KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("bench-validator-" + std::to_string(i)))), "key"));
    vals.push_back({keys.back().public_key(), 1});
  }
  return {keys, light::TrustAnchor{"bench-chain", must(consensus::ValidatorSet::make(vals), "set")}};
}

struct SignedHeader {
  Bytes header_cbor;
  Bytes commit_cbor;
};

SignedHeader sign_header(const Validators& v, const Hash32& state_root) {
  consensus::BlockHeader h;
  h.chain_id = v.anchor.chain_id;
  h.height = kHeight;
  h.time = kTime;
  h.prev_hash = sha256(as_bytes("prev"));
  h.tx_root = consensus::tx_merkle_root({});
  h.state_root = state_root;
  h.validators_hash = v.anchor.validators.hash();
  h.next_validators_hash = h.validators_hash;
  h.proposer = v.anchor.validators.validators()[0].address();
  std::vector<consensus::Vote> votes;
  for (const KeyPair& k : v.keys) {
    votes.push_back(must(
        consensus::make_vote(k, h.chain_id, consensus::VoteType::kPrecommit, h.height, 0, h.hash()), "vote"));
  }
  return {h.encode(), consensus::make_commit(h.height, 0, h.hash(), std::move(votes)).encode()};
}

// The state of n names, claims (record + proof) for kClaims present and
// kClaims absent names, and a header over its root verified by 1 validator.
struct NameTree {
  Hash32 root = store::empty_hash();
  std::vector<light::NameStatusClaim> present, absent;
  Validators vals = validators(1);
  SignedHeader signed_header;
  double proof_bytes = 0, siblings = 0, record_bytes = 0, absent_proof_bytes = 0, absent_siblings = 0;
};

const NameTree& tree(uint64_t n) {
  static std::map<uint64_t, std::unique_ptr<NameTree>> cache;
  if (auto it = cache.find(n); it != cache.end()) return *it->second;
  auto t = std::make_unique<NameTree>();
  store::MemNodeStore nodes;
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < n;) {
    std::vector<store::TreeUpdate> ups;
    for (uint64_t end = std::min(n, i + kBatch); i < end; ++i) {
      ups.push_back(
          {store::tree_key(ledger::schema::name_key(name_of(i))), store::value_digest(record_of(i))});
    }
    std::map<Hash32, store::Node> fresh;
    t->root = must(store::apply_updates(nodes, t->root, std::move(ups), fresh), "apply_updates");
    for (const auto& [h, node] : fresh) nodes.put(h, node);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "light_bench: %llu names in memory in %.1f s (%zu nodes incl. superseded)\n",
               static_cast<unsigned long long>(n), secs, nodes.size());
  for (size_t j = 0; j < kClaims; ++j) {
    uint64_t i = splitmix64(j + 7) % n;
    std::string name = name_of(i);
    store::Proof p =
        must(store::prove(nodes, t->root, store::tree_key(ledger::schema::name_key(name))), "prove");
    light::NameStatusClaim c{name, record_of(i), store::encode_proof(p)};
    t->proof_bytes += static_cast<double>(c.proof.size()) / kClaims;
    t->siblings += static_cast<double>(p.siblings.size()) / kClaims;
    t->record_bytes += static_cast<double>(c.record_cbor->size()) / kClaims;
    t->present.push_back(std::move(c));

    std::string missing = name_of(n + i);
    p = must(store::prove(nodes, t->root, store::tree_key(ledger::schema::name_key(missing))), "prove");
    light::NameStatusClaim a{missing, std::nullopt, store::encode_proof(p)};
    t->absent_proof_bytes += static_cast<double>(a.proof.size()) / kClaims;
    t->absent_siblings += static_cast<double>(p.siblings.size()) / kClaims;
    t->absent.push_back(std::move(a));
  }
  t->signed_header = sign_header(t->vals, t->root);
  std::fprintf(
      stderr,
      "light_bench: proofs average %.0f bytes (%.1f siblings), absent %.0f bytes, record %.0f bytes\n",
      t->proof_bytes, t->siblings, t->absent_proof_bytes, t->record_bytes);
  return *cache.emplace(n, std::move(t)).first->second;
}

void verify_statuses(benchmark::State& state, bool present) {
  const NameTree& t = tree(static_cast<uint64_t>(state.range(0)));
  light::VerifiedHeader vh =
      must(light::verify_header(t.vals.anchor, t.signed_header.header_cbor, t.signed_header.commit_cbor),
           "header");
  light::Freshness fresh{kTime + 1};
  const auto& claims = present ? t.present : t.absent;
  size_t k = 0;
  for (auto _ : state) {
    Result<light::VerifiedNameStatus> v = light::verify_name_status(vh, claims[k++ % kClaims], fresh);
    if (!v.ok()) {
      state.SkipWithError(v.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["proof_bytes"] = present ? t.proof_bytes : t.absent_proof_bytes;
  state.counters["siblings"] = present ? t.siblings : t.absent_siblings;
  if (present) state.counters["record_bytes"] = t.record_bytes;
}

void BM_VerifyNameStatus(benchmark::State& state) {
  verify_statuses(state, true);
}
BENCHMARK(BM_VerifyNameStatus)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void BM_VerifyNameStatusAbsent(benchmark::State& state) {
  verify_statuses(state, false);
}
BENCHMARK(BM_VerifyNameStatusAbsent)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void BM_VerifyHeader(benchmark::State& state) {
  Validators v = validators(static_cast<int>(state.range(0)));
  SignedHeader sh = sign_header(v, sha256(as_bytes("root")));
  for (auto _ : state) {
    Result<light::VerifiedHeader> h = light::verify_header(v.anchor, sh.header_cbor, sh.commit_cbor);
    if (!h.ok()) {
      state.SkipWithError(h.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["header_bytes"] = static_cast<double>(sh.header_cbor.size());
  state.counters["commit_bytes"] = static_cast<double>(sh.commit_cbor.size());
}
BENCHMARK(BM_VerifyHeader)->Arg(1)->Arg(4)->Unit(benchmark::kMicrosecond);

void BM_LightFullCheck(benchmark::State& state) {
  const NameTree& t = tree(static_cast<uint64_t>(state.range(0)));
  light::Freshness fresh{kTime + 1};
  size_t k = 0;
  for (auto _ : state) {
    Result<light::VerifiedHeader> h =
        light::verify_header(t.vals.anchor, t.signed_header.header_cbor, t.signed_header.commit_cbor);
    if (!h.ok()) {
      state.SkipWithError(h.error().to_string().c_str());
      break;
    }
    Result<light::VerifiedNameStatus> v = light::verify_name_status(*h, t.present[k++ % kClaims], fresh);
    if (!v.ok()) {
      state.SkipWithError(v.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["bytes"] =
      t.proof_bytes + t.record_bytes +
      static_cast<double>(t.signed_header.header_cbor.size() + t.signed_header.commit_cbor.size());
}
BENCHMARK(BM_LightFullCheck)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// ---- OCSP baseline ----

struct Ocsp {
  std::string error;  // non-empty: skip with this
  std::string der;
  X509* ca = nullptr;
  X509* dev = nullptr;
  X509_STORE* store = nullptr;
};

X509* read_pem_cert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return x;
}

const Ocsp& ocsp() {
  static Ocsp o = [] {
    Ocsp o;
    const char* dir = std::getenv("TM_OCSP_FIXTURE");
    if (dir == nullptr || *dir == '\0') {
      o.error = "TM_OCSP_FIXTURE is unset; run: bash scripts/ocsp_fixture.sh DIR, then TM_OCSP_FIXTURE=DIR";
      return o;
    }
    std::string d = dir;
    std::ifstream in(d + "/resp.der", std::ios::binary);
    o.der.assign(std::istreambuf_iterator<char>(in), {});
    o.ca = read_pem_cert(d + "/ca.pem");
    o.dev = read_pem_cert(d + "/dev.pem");
    if (o.der.empty() || o.ca == nullptr || o.dev == nullptr) {
      o.error = "cannot read resp.der, ca.pem and dev.pem in " + d;
      return o;
    }
    o.store = X509_STORE_new();
    X509_STORE_add_cert(o.store, o.ca);
    return o;
  }();
  return o;
}

OCSP_BASICRESP* parse_basic(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  OCSP_RESPONSE* r = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()));
  if (r == nullptr) return nullptr;
  OCSP_BASICRESP* bs =
      OCSP_response_status(r) == OCSP_RESPONSE_STATUS_SUCCESSFUL ? OCSP_response_get1_basic(r) : nullptr;
  OCSP_RESPONSE_free(r);
  return bs;
}

// Everything a relying party does with a response: verify it, find the
// certificate's status, require "good" and a current thisUpdate/nextUpdate.
// Returns nullptr on success, else what failed.
const char* ocsp_check(const Ocsp& o, OCSP_BASICRESP* bs) {
  if (OCSP_basic_verify(bs, nullptr, o.store, 0) <= 0) return "OCSP_basic_verify failed";
  OCSP_CERTID* id = OCSP_cert_to_id(nullptr, o.dev, o.ca);
  int status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr, *nextupd = nullptr;
  int found = OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd, &nextupd);
  OCSP_CERTID_free(id);
  if (found != 1) return "certificate not in the response";
  if (status != V_OCSP_CERTSTATUS_GOOD) return "status is not good";
  if (OCSP_check_validity(thisupd, nextupd, 300, -1) != 1)
    return "response past nextUpdate: regenerate the fixture (scripts/ocsp_fixture.sh)";
  return nullptr;
}

void BM_OcspBasicVerify(benchmark::State& state) {
  const Ocsp& o = ocsp();
  if (!o.error.empty()) {
    state.SkipWithError(o.error.c_str());
    return;
  }
  OCSP_BASICRESP* bs = parse_basic(o.der);
  if (bs == nullptr) {
    state.SkipWithError("resp.der does not parse as a successful basic OCSP response");
    return;
  }
  for (auto _ : state) {
    if (OCSP_basic_verify(bs, nullptr, o.store, 0) <= 0) {
      state.SkipWithError("OCSP_basic_verify failed");
      break;
    }
  }
  OCSP_BASICRESP_free(bs);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["response_bytes"] = static_cast<double>(o.der.size());
}
BENCHMARK(BM_OcspBasicVerify)->Unit(benchmark::kMicrosecond);

void BM_OcspFullCheck(benchmark::State& state) {
  const Ocsp& o = ocsp();
  if (!o.error.empty()) {
    state.SkipWithError(o.error.c_str());
    return;
  }
  for (auto _ : state) {
    OCSP_BASICRESP* bs = parse_basic(o.der);
    const char* err = bs == nullptr ? "resp.der does not parse" : ocsp_check(o, bs);
    OCSP_BASICRESP_free(bs);
    if (err != nullptr) {
      state.SkipWithError(err);
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["response_bytes"] = static_cast<double>(o.der.size());
}
BENCHMARK(BM_OcspFullCheck)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
