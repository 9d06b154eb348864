// IoTAKE handshake cost next to the CA-based baselines, in one run, every
// handshake a full mutual TLS 1.3 handshake over 127.0.0.1 TCP (server side
// on a thread of this process), each side's verification included:
//
//   BM_Tls13CaChain        mutual TLS 1.3, CA-issued P-256 certificates,
//                          standard chain verification (OpenSSL X509 store)
//   BM_Tls13CaChainOcsp    the same, and each side checks the other's
//                          certificate with an OCSP request to a running
//                          `openssl ocsp` responder (100,000-line index),
//                          verifying the signed answer
//   BM_IotakeProof         IoTAKE: self-signed device certificates; each side
//                          fetches the peer's name status with a proof from a
//                          trustmesh node and verifies it (light client)
//   BM_IotakeQuorum        IoTAKE with the paper's model: plain answers, n of
//                          N nodes (here N = 1)
//   BM_AuthenticatePeerProof  one side's ledger check alone (no TLS)
//
// Needs (scripts/bench_iotake.sh sets them up): TM_OCSP_FIXTURE (ca.pem,
// dev.pem, dev.key), TM_OCSP_URL (host:port of `openssl ocsp`),
// TM_IOTAKE_NODE (node URL), TM_IOTAKE_ANCHOR (genesis.json), TM_IOTAKE_A and
// TM_IOTAKE_B (state files of two registered, working devices). A benchmark
// whose inputs are missing is skipped with a message.
#include <benchmark/benchmark.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "device/device_state.h"
#include "device/iotake.h"
#include "device/ledger_client.h"
#include "device/net.h"

namespace trustmesh::device {
namespace {

std::string env(const char* k) {
  const char* v = std::getenv(k);
  return v == nullptr ? "" : v;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A listener whose thread runs `serve` on each accepted socket until stopped.
class Server {
 public:
  explicit Server(std::function<void(Socket)> serve) : serve_(std::move(serve)) {
    listener_ = tcp_listen(Endpoint{"127.0.0.1", 0}).value();
    port_ = local_port(listener_).value();
    thread_ = std::thread([this] {
      while (!stop_) {
        Result<Socket> s = tcp_accept(listener_, 10000);
        if (!s.ok() || stop_) break;
        serve_(std::move(s).value());
      }
    });
  }
  ~Server() {
    stop_ = true;
    ::shutdown(listener_.fd(), SHUT_RDWR);
    thread_.join();
  }
  Endpoint at() const { return Endpoint{"127.0.0.1", port_}; }

 private:
  std::function<void(Socket)> serve_;
  Socket listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// ---- The CA baseline -------------------------------------------------------

struct CaFixture {
  SSL_CTX* ctx = nullptr;  // shared by both sides (same CA, same device cert)
  X509* ca = nullptr;
  X509_STORE* store = nullptr;
  std::string ocsp_host, ocsp_port;
  std::string error;
};

CaFixture& ca_fixture() {
  static CaFixture f = [] {
    CaFixture c;
    std::string dir = env("TM_OCSP_FIXTURE");
    if (dir.empty()) {
      c.error = "TM_OCSP_FIXTURE unset (scripts/bench_iotake.sh sets it)";
      return c;
    }
    c.ctx = SSL_CTX_new(TLS_method());
    SSL_CTX_set_min_proto_version(c.ctx, TLS1_3_VERSION);
    SSL_CTX_set_session_cache_mode(c.ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(c.ctx, 0);
    if (SSL_CTX_use_certificate_file(c.ctx, (dir + "/dev.pem").c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(c.ctx, (dir + "/dev.key").c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(c.ctx, (dir + "/ca.pem").c_str(), nullptr) != 1) {
      c.error = "cannot load the OCSP fixture from " + dir;
      return c;
    }
    SSL_CTX_set_verify(c.ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    FILE* fp = std::fopen((dir + "/ca.pem").c_str(), "r");
    c.ca = PEM_read_X509(fp, nullptr, nullptr, nullptr);
    std::fclose(fp);
    c.store = X509_STORE_new();
    X509_STORE_add_cert(c.store, c.ca);
    std::string url = env("TM_OCSP_URL");
    size_t colon = url.rfind(':');
    if (colon != std::string::npos) {
      c.ocsp_host = url.substr(0, colon);
      c.ocsp_port = url.substr(colon + 1);
    }
    return c;
  }();
  return f;
}

// One OCSP check of `cert` against the responder: request, signed answer
// verified against the CA, status good, within thisUpdate/nextUpdate.
bool ocsp_good(const CaFixture& f, X509* cert) {
  OCSP_CERTID* id = OCSP_cert_to_id(nullptr, cert, f.ca);
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  OCSP_request_add0_id(req, OCSP_CERTID_dup(id));
  BIO* bio = BIO_new_connect((f.ocsp_host + ":" + f.ocsp_port).c_str());
  bool good = false;
  if (bio != nullptr && BIO_do_connect(bio) == 1) {
    OCSP_RESPONSE* resp = OCSP_sendreq_bio(bio, "/", req);
    OCSP_BASICRESP* bs = resp != nullptr ? OCSP_response_get1_basic(resp) : nullptr;
    int status = -1, reason = 0;
    ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr, *nextupd = nullptr;
    good = bs != nullptr && OCSP_basic_verify(bs, nullptr, f.store, 0) == 1 &&
           OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd, &nextupd) == 1 &&
           status == V_OCSP_CERTSTATUS_GOOD && OCSP_check_validity(thisupd, nextupd, 300, -1) == 1;
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
  }
  BIO_free_all(bio);
  OCSP_REQUEST_free(req);
  OCSP_CERTID_free(id);
  ERR_clear_error();
  return good;
}

// A plain mutual TLS 1.3 handshake (+ a one-byte verdict, as IoTAKE sends),
// with an optional OCSP check of the peer on each side.
bool ca_handshake(const CaFixture& f, Socket s, bool client, bool ocsp) {
  SSL* ssl = SSL_new(f.ctx);
  SSL_set_fd(ssl, s.fd());
  bool ok = (client ? SSL_connect(ssl) : SSL_accept(ssl)) == 1;
  if (ok && ocsp) {
    X509* peer = SSL_get0_peer_certificate(ssl);
    ok = peer != nullptr && ocsp_good(f, peer);
  }
  uint8_t verdict = ok ? 1 : 0;
  size_t n = 0;
  if (client) {
    ok = ok && SSL_read_ex(ssl, &verdict, 1, &n) == 1 && verdict == 1;
  } else {
    ok = ok && SSL_write_ex(ssl, &verdict, 1, &n) == 1;
  }
  SSL_shutdown(ssl);
  SSL_free(ssl);
  ERR_clear_error();
  return ok;
}

void run_ca(benchmark::State& state, bool ocsp) {
  CaFixture& f = ca_fixture();
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  if (ocsp && f.ocsp_port.empty()) return state.SkipWithError("TM_OCSP_URL unset");
  Server server([&](Socket s) { ca_handshake(f, std::move(s), false, ocsp); });
  for (auto _ : state) {
    Socket s = tcp_connect(server.at(), 10000).value();
    if (!ca_handshake(f, std::move(s), true, ocsp)) return state.SkipWithError("CA handshake failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Tls13CaChain(benchmark::State& state) {
  run_ca(state, false);
}
BENCHMARK(BM_Tls13CaChain)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Tls13CaChainOcsp(benchmark::State& state) {
  run_ca(state, true);
}
BENCHMARK(BM_Tls13CaChainOcsp)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- IoTAKE ----------------------------------------------------------------

void run_iotake(benchmark::State& state, LookupMode mode) {
  std::string node = env("TM_IOTAKE_NODE");
  if (node.empty()) return state.SkipWithError("TM_IOTAKE_NODE unset (scripts/bench_iotake.sh sets it)");
  auto a = load_device_state(env("TM_IOTAKE_A"));
  auto b = load_device_state(env("TM_IOTAKE_B"));
  if (!a.ok() || !b.ok() || !a->identity || !b->identity)
    return state.SkipWithError("device states unusable");
  LedgerOptions lo;
  lo.nodes = {node};
  lo.mode = mode;
  if (mode == LookupMode::kProof) {
    auto anchor = light::TrustAnchor::from_genesis_json(read_text(env("TM_IOTAKE_ANCHOR")));
    if (!anchor.ok()) return state.SkipWithError("TM_IOTAKE_ANCHOR unusable");
    lo.anchor = std::move(anchor).value();
  }
  auto client_ledger = LedgerClient::open(lo).value();
  auto server_ledger = LedgerClient::open(lo).value();
  IotakeOptions io;
  Identity server_id = *b->identity;
  Server server(
      [&](Socket s) { (void)iotake_handshake(std::move(s), false, server_id, *server_ledger, io); });
  for (auto _ : state) {
    Result<IotakeSession> s = iotake_connect(server.at(), *a->identity, *client_ledger, io);
    if (!s.ok()) return state.SkipWithError(s.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

// The ledger check alone, as one side of a handshake does it: the peer's
// certificate checked and its name looked up (proof fetched and verified).
void BM_AuthenticatePeerProof(benchmark::State& state) {
  auto a = load_device_state(env("TM_IOTAKE_A"));
  auto anchor = light::TrustAnchor::from_genesis_json(read_text(env("TM_IOTAKE_ANCHOR")));
  if (env("TM_IOTAKE_NODE").empty() || !a.ok() || !a->identity || !anchor.ok()) {
    return state.SkipWithError("TM_IOTAKE_* unset or unusable (scripts/bench_iotake.sh sets them)");
  }
  LedgerOptions lo;
  lo.nodes = {env("TM_IOTAKE_NODE")};
  lo.anchor = std::move(anchor).value();
  auto ledger = LedgerClient::open(lo).value();
  IotakeOptions io;
  for (auto _ : state) {
    Result<PeerIdentity> p = authenticate_peer(a->identity->cert_der, *ledger, io);
    if (!p.ok()) return state.SkipWithError(p.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthenticatePeerProof)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_IotakeProof(benchmark::State& state) {
  run_iotake(state, LookupMode::kProof);
}
BENCHMARK(BM_IotakeProof)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_IotakeQuorum(benchmark::State& state) {
  run_iotake(state, LookupMode::kQuorum);
}
BENCHMARK(BM_IotakeQuorum)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace trustmesh::device

BENCHMARK_MAIN();
