// Admission decision time on a big compliance ledger: 10,000 organisations
// (standards bodies, labs, manufacturers with vendor ids, experts, operators),
// 4,000 models with model certificates, 8,000 releases and 100,000 claims
// (endorsements, memberships, lab approvals, compliance, advisories, votes,
// device flags, cosignatures), in a RocksDB StateDb on disk, and a gateway
// asking whether a door lock of one of those models may join a building's
// security system (the building-security policy of examples/policies).
//
//   BM_AdmissionFromNode            evaluate_admission over the node's snapshot
//   BM_AdmissionFromNodeWithProofs  the same plus a proof for every key read
//                                   (what POST /v1/admission?prove=true does)
//   BM_AdmissionLightClient         header check + proof checks + the same
//                                   evaluation over the proven entries (what
//                                   `trustmesh admit --anchor` does with the answer)
// Each reports p50_us / p99_us over its iterations, keys read and proof bytes.
// The state is built once (~15 s) in a temporary directory. With
// TM_BENCH_DEBUG=1 it also prints which state keys one decision reads, by prefix.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "consensus/vote.h"
#include "core/hash.h"
#include "core/x509.h"
#include "core/x509_issue.h"
#include "ledger/compliance_access.h"
#include "ledger/schema.h"
#include "light/header.h"
#include "light/trust_anchor.h"
#include "store/proof.h"
#include "store/state_db.h"
#include "trust/evaluate.h"
#include "trust/proven_state.h"

using namespace trustmesh;

namespace {

constexpr int kOrgs = 10000;
constexpr int kStandards = 100, kLabs = 300, kMakers = 2000, kExperts = 600;
constexpr int kModelsPerMaker = 2;
constexpr int kReleasesPerModel = 2;
constexpr int kClaims = 100000;
constexpr uint64_t kHeight = 1;
constexpr uint64_t kTime = 1767225600;

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "admission_bench: %s: %s\n", what, r.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string org_id(int i) {
  if (i < kStandards) return "sb" + std::to_string(i);
  if (i < kStandards + kLabs) return "lab" + std::to_string(i);
  if (i < kStandards + kLabs + kMakers) return "maker" + std::to_string(i);
  if (i < kStandards + kLabs + kMakers + kExperts) return "expert" + std::to_string(i);
  return "op" + std::to_string(i);
}
int maker_index(int m) {
  return kStandards + kLabs + m;
}
uint64_t vid_of(int m) {
  return static_cast<uint64_t>(m + 1);
}
Hash32 release_hash(int m, int model, int v) {
  return sha256(as_bytes("fw-" + std::to_string(m) + "-" + std::to_string(model) + "-" + std::to_string(v)));
}

struct World {
  std::filesystem::path dir;
  std::unique_ptr<store::StateDb> db;
  light::TrustAnchor anchor;
  Bytes header_cbor, commit_cbor;
  trust::Policy policy;
  trust::AdmissionRequest req;
};

x509::Issued cert(const std::string& cn, bool ca, const x509::Issued* parent) {
  x509::CertSpec spec{.cn = cn, .ca = ca, .not_before = 1577836800};
  return must(parent ? x509::issue(spec, std::pair<ByteView, EVP_PKEY*>(parent->der, parent->key.get()))
                     : x509::issue(spec, std::nullopt),
              "issue");
}

std::unique_ptr<World> build() {
  auto t0 = std::chrono::steady_clock::now();
  auto w = std::make_unique<World>();
  ledger::MemState empty;
  ledger::Overlay s(empty);
  auto put_claim = [&](uint64_t id, const std::string& issuer, const std::string& type,
                       const std::string& subject, ledger::TextMap data) {
    ledger::Claim c{.id = id,
                    .issuer = issuer,
                    .type = type,
                    .subject = subject,
                    .data = std::move(data),
                    .issued_at = 1};
    ledger::put_claim(s, c);
    TM_ASSERT(ledger::index_claim(s, subject, id).ok());
  };
  // Organisations, each with a root; makers with models, model certificates and releases.
  x509::Issued target_model_cert = cert("m", true, nullptr);
  for (int i = 0; i < kOrgs; ++i) {
    ledger::Org o{.id = org_id(i),
                  .admin = Address::of(
                      must(KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("k"))), "k").public_key())};
    o.kind = i < kStandards                                ? "standards_body"
             : i < kStandards + kLabs                      ? "test_lab"
             : i < kStandards + kLabs + kMakers            ? "manufacturer"
             : i < kStandards + kLabs + kMakers + kExperts ? "software_developer"
                                                           : "network_operator";
    o.name = o.id;
    x509::Issued root = cert(o.id + " root", true, nullptr);
    Hash32 rh = sha256(root.der);
    o.roots = {rh};
    ledger::put_cert(s, rh, ledger::CertRecord{.org = o.id, .level = "root", .der = root.der});
    TM_ASSERT(ledger::index_cert(s, &o, rh, must(x509::parse_certificate(root.der), "p").subject_hash).ok());
    if (o.kind == "manufacturer") {
      int m = i - kStandards - kLabs;
      o.vendor_id = vid_of(m);
      ledger::put_vendor(s, vid_of(m), o.id);
      for (int p = 1; p <= kModelsPerMaker; ++p) {
        ledger::Model model{.org = o.id, .vid = vid_of(m), .pid = static_cast<uint64_t>(p), .name = "model"};
        for (int v = 1; v <= kReleasesPerModel; ++v) {
          Hash32 h = release_hash(m, p, v);
          ledger::put_release(s, ledger::Release{.org = o.id,
                                                 .vid = model.vid,
                                                 .pid = model.pid,
                                                 .version = static_cast<uint64_t>(v),
                                                 .version_string = "v",
                                                 .kind = "firmware",
                                                 .sha256 = h,
                                                 .size = 1,
                                                 .published_at = 1});
          ledger::put_model_release(s, model, model.release_count++, h);
        }
        ledger::put_model(s, model);
        x509::Issued mc = cert(o.id + " model " + std::to_string(p), true, &root);
        Hash32 mh = sha256(mc.der);
        ledger::put_cert(s, mh,
                         ledger::CertRecord{.org = o.id,
                                            .level = "model",
                                            .parent = rh,
                                            .der = mc.der,
                                            .vid = model.vid,
                                            .pid = model.pid});
        TM_ASSERT(
            ledger::index_cert(s, &o, mh, must(x509::parse_certificate(mc.der), "p").subject_hash).ok());
        if (m == 0 && p == 1) target_model_cert = std::move(mc);
      }
    }
    if (o.kind == "test_lab") o.roles["test_lab"] = "trustees";
    if (o.kind == "standards_body") o.roles["standards_body"] = "trustees";
    ledger::put_org(s, o);
  }
  // The door lock: maker m0, model 1, firmware v2, with what the policy needs.
  const std::string maker = org_id(maker_index(0)), model = ledger::model_subject(vid_of(0), 1);
  const std::string fw = "release:" + to_hex(release_hash(0, 1, 2));
  uint64_t id = 1;
  put_claim(id++, "sb0", "lab_approval", "org:" + org_id(kStandards), {});
  put_claim(id++, org_id(kStandards), "compliance", model, {{"report_sha256", std::string(64, 'a')}});
  put_claim(id++, "sb0", "membership", "org:" + maker, {});
  put_claim(id++, "sb1", "advisory", model, {{"affected", "1"}});  // v1 only
  for (int e = 0; e < 5; ++e) {
    const std::string expert = org_id(kStandards + kLabs + kMakers + e);
    put_claim(id++, "sb0", "endorsement", "org:" + expert, {});
    put_claim(id++, expert, "firmware_vote", fw, {{"vote", "good"}});
  }
  // 100,000 claims in all, about random subjects.
  while (id <= static_cast<uint64_t>(kClaims)) {
    uint64_t r = mix(id);
    std::string issuer = org_id(static_cast<int>(r % kOrgs));
    int m = static_cast<int>((r >> 16) % kMakers);
    switch ((r >> 40) % 8) {
      case 0:
        put_claim(id, org_id(static_cast<int>((r >> 20) % kStandards)), "endorsement",
                  "org:" + org_id(static_cast<int>((r >> 24) % kOrgs)), {});
        break;
      case 1:
        put_claim(id, org_id(static_cast<int>((r >> 20) % kStandards)), "membership",
                  "org:" + org_id(maker_index(m)), {});
        break;
      case 2:
        put_claim(id, org_id(kStandards + static_cast<int>((r >> 20) % kLabs)), "compliance",
                  ledger::model_subject(vid_of(m), 1 + (r >> 8) % kModelsPerMaker), {});
        break;
      case 3:
        put_claim(id, issuer, "firmware_vote",
                  "release:" + to_hex(release_hash(m, 1 + (r >> 8) % kModelsPerMaker,
                                                   1 + (r >> 12) % kReleasesPerModel)),
                  {{"vote", (r & 1) ? "good" : "bad"}});
        break;
      case 4:
        put_claim(id, issuer, "device_status",
                  "device:" + to_hex(sha256(as_bytes("dev" + std::to_string(r % 50000)))),
                  {{"status", "stolen"}});
        break;
      case 5:
        put_claim(id, issuer, "advisory", ledger::model_subject(vid_of(m), 1 + (r >> 8) % kModelsPerMaker),
                  {{"affected", "1"}});
        break;
      case 6:
        put_claim(id, issuer, "cosign", ledger::model_subject(vid_of(m), 1 + (r >> 8) % kModelsPerMaker),
                  {{"role", "integrator"}});
        break;
      default:
        put_claim(id, issuer, "endorsement", "org:" + org_id(static_cast<int>((r >> 24) % kOrgs)), {});
        break;
    }
    ++id;
  }
  ledger::put_next_claim_id(s, id);
  size_t entries = s.changes().size();
  w->dir = std::filesystem::temp_directory_path() / ("tm-admission-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(w->dir);
  store::StateDbOptions opts;
  opts.sync = false;
  w->db = must(store::StateDb::open(w->dir.string(), opts), "open");
  Hash32 root = must(w->db->commit_genesis(s.changes()), "commit");

  // One validator signs a header over that root.
  KeyPair vk = must(KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes("bench-validator"))), "key");
  w->anchor =
      light::TrustAnchor{"bench-chain", must(consensus::ValidatorSet::make({{vk.public_key(), 1}}), "set")};
  consensus::BlockHeader h;
  h.chain_id = w->anchor.chain_id;
  h.height = kHeight;
  h.time = kTime;
  h.prev_hash = sha256(as_bytes("prev"));
  h.tx_root = consensus::tx_merkle_root({});
  h.state_root = root;
  h.validators_hash = w->anchor.validators.hash();
  h.next_validators_hash = h.validators_hash;
  h.proposer = w->anchor.validators.validators()[0].address();
  std::vector<consensus::Vote> votes{must(
      consensus::make_vote(vk, h.chain_id, consensus::VoteType::kPrecommit, h.height, 0, h.hash()), "vote")};
  w->header_cbor = h.encode();
  w->commit_cbor = consensus::make_commit(h.height, 0, h.hash(), std::move(votes)).encode();

  w->policy = must(trust::parse_policy(R"({"name": "building-security", "trust_anchors": ["sb0"],
      "rules": [{"rule": "member_of", "org": "sb0"}, {"rule": "compliance", "labs_approved_by": ["sb0"]},
                {"rule": "no_advisory"}, {"rule": "firmware_votes", "min_good": 3}]})"),
                   "policy");
  x509::Issued lock = cert("lock-0001", false, &target_model_cert);
  w->req = trust::AdmissionRequest{.device_der = lock.der, .firmware = release_hash(0, 1, 2)};
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "admission_bench: %d orgs, %d claims, %zu state entries built in %.1f s\n", kOrgs,
               kClaims, entries, secs);
  return w;
}

World& world() {
  static std::unique_ptr<World> w = build();
  return *w;
}

struct Timings {
  std::vector<double> us;
  void report(benchmark::State& st) {
    std::sort(us.begin(), us.end());
    if (us.empty()) return;
    st.counters["p50_us"] = us[us.size() / 2];
    st.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  }
};

template <typename F>
void timed(benchmark::State& st, F&& f) {
  Timings t;
  for (auto _ : st) {
    auto a = std::chrono::steady_clock::now();
    f();
    t.us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
  }
  t.report(st);
}

void BM_AdmissionFromNode(benchmark::State& st) {
  World& w = world();
  auto view = w.db->view();
  const store::ReadView& r = *view;
  size_t keys = 0;
  timed(st, [&] {
    trust::RecordingReader rec(r);
    trust::Decision d = must(trust::evaluate_admission(rec, {kHeight, kTime}, w.policy, w.req), "evaluate");
    if (!d.admit) {
      std::fprintf(stderr, "admission_bench: the lock should be admitted:\n%s", trust::explain(d).c_str());
      std::exit(1);
    }
    keys = rec.keys().size();
  });
  if (std::getenv("TM_BENCH_DEBUG")) {
    trust::RecordingReader rec(r);
    must(trust::evaluate_admission(rec, {kHeight, kTime}, w.policy, w.req), "evaluate");
    std::map<std::string, int> by;
    for (const Bytes& k : rec.keys()) {
      std::string t(k.begin(), k.end());
      std::string p = t.substr(0, t.find_first_of(":#") + 1);
      if (p == "cs#") p += t.substr(4, t.size() - 4);
      by[p]++;
    }
    for (const auto& [p, n] : by) std::fprintf(stderr, "  %s %d\n", p.c_str(), n);
  }
  st.counters["keys_read"] = static_cast<double>(keys);
}
BENCHMARK(BM_AdmissionFromNode)->Unit(benchmark::kMicrosecond)->Iterations(2000);

std::vector<trust::ProofEntry> proofs_for(const store::ReadView& view, const std::set<Bytes>& keys) {
  std::vector<trust::ProofEntry> out;
  for (const Bytes& k : keys) {
    out.push_back(
        trust::ProofEntry{k, must(view.get(k), "get"), store::encode_proof(must(view.prove(k), "prove"))});
  }
  return out;
}

void BM_AdmissionFromNodeWithProofs(benchmark::State& st) {
  World& w = world();
  auto view = w.db->view();
  const store::ReadView& r = *view;
  size_t bytes = 0;
  timed(st, [&] {
    trust::RecordingReader rec(r);
    benchmark::DoNotOptimize(
        must(trust::evaluate_admission(rec, {kHeight, kTime}, w.policy, w.req), "evaluate"));
    auto entries = proofs_for(*view, rec.keys());
    bytes = 0;
    for (const auto& e : entries) bytes += e.key.size() + e.proof.size() + (e.value ? e.value->size() : 0);
  });
  st.counters["bundle_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_AdmissionFromNodeWithProofs)->Unit(benchmark::kMicrosecond)->Iterations(1000);

void BM_AdmissionLightClient(benchmark::State& st) {
  World& w = world();
  auto view = w.db->view();
  const store::ReadView& r = *view;
  trust::RecordingReader rec(r);
  must(trust::evaluate_admission(rec, {kHeight, kTime}, w.policy, w.req), "evaluate");
  std::vector<trust::ProofEntry> entries = proofs_for(*view, rec.keys());
  timed(st, [&] {
    light::VerifiedHeader vh = must(light::verify_header(w.anchor, w.header_cbor, w.commit_cbor), "header");
    trust::ProvenState ps = must(trust::ProvenState::verify(vh, entries), "proofs");
    trust::Decision d =
        must(trust::evaluate_admission(ps, {ps.height(), ps.time()}, w.policy, w.req), "evaluate");
    if (!d.admit) std::exit(1);
  });
  st.counters["proven_entries"] = static_cast<double>(entries.size());
}
BENCHMARK(BM_AdmissionLightClient)->Unit(benchmark::kMicrosecond)->Iterations(1000);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  std::filesystem::remove_all(world().dir, ec);
  return 0;
}
