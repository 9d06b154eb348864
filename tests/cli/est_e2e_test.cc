// The CA/EST service (`trustmesh ca serve`, RFC 7030) end to end with real
// processes: a dev node (with an OCSP responder), the EST server, and the
// standard client tools exactly as in the RFC's examples: curl with a TLS
// client certificate, CSRs made by `openssl req`, answers read by
// `openssl pkcs7` and checked by `openssl verify` and `openssl ocsp`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "process_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using json = nlohmann::json;

// `trustmesh ca serve ... --json` as a child process; its startup line names the URL.
class EstProcess {
 public:
  static std::optional<EstProcess> start(const std::vector<std::string>& args, const std::string& log,
                                         std::string* error) {
    int out[2];
    if (::pipe(out) != 0) return std::nullopt;
    pid_t pid = ::fork();
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) ::dup2(fd, 2);
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::string bin = binary();
      std::vector<const char*> argv = {bin.c_str(), "ca", "serve"};
      for (const std::string& a : args) argv.push_back(a.c_str());
      argv.push_back("--json");
      argv.push_back(nullptr);
      ::execv(bin.c_str(), const_cast<char* const*>(argv.data()));
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(out[0]);
    json j = json::parse(line, nullptr, false);
    EstProcess p;
    p.pid_ = pid;
    if (j.is_discarded() || !j.contains("est")) {
      if (error) *error = "ca serve did not start: '" + line + "'; its log: " + read_all(log);
      return std::nullopt;
    }
    p.url_ = j["est"].get<std::string>();
    return p;
  }
  EstProcess(EstProcess&& o) noexcept : pid_(o.pid_), url_(std::move(o.url_)) { o.pid_ = -1; }
  ~EstProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }
  const std::string& url() const { return url_; }

 private:
  EstProcess() = default;
  pid_t pid_ = -1;
  std::string url_;
};

class EstE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("est");
    std::filesystem::create_directories(dir_);
    ok("cert issue --cn 'Acme Root' --ca --out " + path("root"));
    issue("'Acme Devices CA' --ca", "root", "ca");
    issue("'Acme OCSP responder' --ocsp-signing", "ca", "responder");
    std::ofstream(path("trust.pem")) << read_all(path("root.pem")) << read_all(path("ca.pem"));
    std::string err;
    auto n = start_dev_node(dir_ + "/node", &err,
                            {"--ocsp-signer", path("responder.pem") + ":" + path("responder.key")});
    ASSERT_TRUE(n) << err;
    node_.emplace(std::move(*n));
    ok("org register acme --kind manufacturer --root " + path("root.pem") + " --root-key " +
       path("root.key") + " --key dev --json");
    ok("cert add --org acme --level intermediate --cert " + path("ca.pem") + " --key dev --json");

    // The EST server's own TLS certificate (for 127.0.0.1), and the device's
    // manufacturing certificate, whose hash the name is registered with.
    shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + path("tls.key") +
          " -out " + path("tls.pem") +
          " -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -days 2 && chmod 600 " + path("tls.key"));
    self_signed("mfg", "dev-1");
    ok("name register dev-1 --cert " + path("mfg.pem") + " --key dev --json");
    // The owner (the dev account) proves its ledger key with a self-signed certificate of it.
    shell("openssl req -x509 -new -key " + dir_ + "/node/keys/dev.pem -subj /CN=owner -days 2 -out " +
          path("owner.pem") + " && cp " + dir_ + "/node/keys/dev.pem " + path("owner.key"));
    self_signed("stranger", "dev-1");

    auto est = EstProcess::start({"--org", "acme", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"),
                                  "--tls-cert", path("tls.pem"), "--tls-key", path("tls.key"), "--listen",
                                  "127.0.0.1:0", "--key", "dev", "--days", "30"},
                                 path("est.log"), &err);
    ASSERT_TRUE(est) << err;
    est_.emplace(std::move(*est));
  }
  void TearDown() override {
    est_.reset();
    node_.reset();
    if (!HasFailure() && !std::getenv("TM_KEEP_TEST_DIR")) std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void ok(const std::string& args) {
    Exec r = run(args);
    ASSERT_EQ(r.status, 0) << args << "\n" << r.out;
  }
  std::string shell(const std::string& cmd) {
    Exec r = run_shell(cmd);
    EXPECT_EQ(r.status, 0) << cmd << "\n" << r.out;
    return r.out;
  }
  void issue(const std::string& cn_and_flags, const std::string& issuer, const std::string& out) {
    ok("cert issue --cn " + cn_and_flags + " --issuer-cert " + path(issuer + ".pem") + " --issuer-key " +
       path(issuer + ".key") + " --out " + path(out));
  }
  void self_signed(const std::string& out, const std::string& cn) {
    shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
          path(out + ".key") + " -out " + path(out + ".pem") + " -subj /CN=" + cn + " -days 2");
  }
  // A CSR as the RFC's clients make it: `openssl req -outform DER | base64`.
  void csr(const std::string& out, const std::string& subj, const std::string& extra = "") {
    shell("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
          path(out + ".key") + " -subj " + subj + " " + extra + " -outform DER -out " + path(out + ".der") +
          " && base64 " + path(out + ".der") + " > " + path(out + ".b64"));
  }
  // curl as in RFC 7030's examples; returns the HTTP status, the body in `out`.
  int curl(const std::string& op, const std::string& client, const std::string& body_file,
           const std::string& out) {
    std::string cmd = "curl -sS -o " + path(out) + " -w '%{http_code}' --cacert " + path("tls.pem");
    if (!client.empty()) cmd += " --cert " + path(client + ".pem") + " --key " + path(client + ".key");
    if (!body_file.empty()) cmd += " -H 'Content-Type: application/pkcs10' --data-binary @" + path(body_file);
    Exec r = run_shell(cmd + " " + est_->url() + "/" + op);
    EXPECT_EQ(r.status, 0) << cmd << "\n" << r.out;
    return std::atoi(r.out.c_str());
  }
  // Decodes a certs-only answer into PEM (out) with openssl pkcs7.
  void print_certs(const std::string& answer, const std::string& out) {
    shell("base64 -d " + path(answer) + " | openssl pkcs7 -inform DER -print_certs -out " + path(out));
  }

  std::string dir_;
  std::optional<NodeProcess> node_;
  std::optional<EstProcess> est_;
};

TEST_F(EstE2E, EnrolWithCurlVerifyWithOpensslAndOcspSaysGood) {
  csr("op", "/CN=dev-1");
  ASSERT_EQ(curl("simpleenroll", "mfg", "op.b64", "dev1.b64"), 200) << read_all(path("dev1.b64"));
  print_certs("dev1.b64", "dev1.pem");
  EXPECT_NE(shell("openssl verify -CAfile " + path("root.pem") + " -untrusted " + path("ca.pem") + " " +
                  path("dev1.pem"))
                .find(": OK"),
            std::string::npos);
  std::string text = shell("openssl x509 -in " + path("dev1.pem") + " -noout -text");
  EXPECT_NE(text.find("Subject: CN = dev-1"), std::string::npos) << text;
  EXPECT_NE(text.find("CA:FALSE"), std::string::npos) << text;
  EXPECT_NE(text.find("TLS Web Client Authentication, TLS Web Server Authentication"), std::string::npos)
      << text;
  // Its key is the CSR's.
  EXPECT_EQ(shell("openssl x509 -in " + path("dev1.pem") + " -noout -pubkey"),
            shell("openssl pkey -in " + path("op.key") + " -pubout"));
  // Recorded on the ledger before it was returned: OCSP (answering from the ledger) says good.
  Exec ocsp = run_shell("openssl ocsp -issuer " + path("ca.pem") + " -cert " + path("dev1.pem") + " -url " +
                        node_->url() + "/v1/ocsp -CAfile " + path("trust.pem"));
  EXPECT_NE(ocsp.out.find(path("dev1.pem") + ": good"), std::string::npos) << ocsp.out;
  EXPECT_NE(read_all(path("est.log")).find("est: simpleenroll 'dev-1'"), std::string::npos);

  // The owner's ledger key may enrol too, here with the operational domain
  // name: only once the device is installed at its operator.
  csr("op2", "/CN=dev-1", "-addext subjectAltName=DNS:lamp.site.example");
  EXPECT_EQ(curl("simpleenroll", "owner", "op2.b64", "early.txt"), 403);
  EXPECT_NE(read_all(path("early.txt")).find("manufactured"), std::string::npos)
      << read_all(path("early.txt"));
  ok("device stage dev-1 installed --key dev --json");
  ASSERT_EQ(curl("simpleenroll", "owner", "op2.b64", "dev1b.b64"), 200) << read_all(path("dev1b.b64"));
  print_certs("dev1b.b64", "dev1b.pem");
  EXPECT_NE(shell("openssl x509 -in " + path("dev1b.pem") + " -noout -ext subjectAltName")
                .find("DNS:lamp.site.example"),
            std::string::npos);

  // simplereenroll, authenticated by the certificate just enrolled, same subject.
  csr("re", "/CN=dev-1");
  std::filesystem::copy_file(path("op.key"), path("dev1.key"));  // curl --cert dev1.pem --key dev1.key
  ASSERT_EQ(curl("simplereenroll", "dev1", "re.b64", "re-answer.b64"), 200)
      << read_all(path("re-answer.b64"));
  print_certs("re-answer.b64", "renewed.pem");
  EXPECT_NE(shell("openssl verify -CAfile " + path("root.pem") + " -untrusted " + path("ca.pem") + " " +
                  path("renewed.pem"))
                .find(": OK"),
            std::string::npos);

  // Once revoked on the ledger, the enrolled certificate cannot re-enrol (the
  // service asks the node's OCSP responder); the renewed one still can.
  ok("cert revoke --cert " + path("dev1.pem") + " --reason superseded --key dev --json");
  csr("re2", "/CN=dev-1");
  EXPECT_EQ(curl("simplereenroll", "dev1", "re2.b64", "re2-answer"), 403);
  EXPECT_NE(read_all(path("re2-answer")).find("revoked on the ledger"), std::string::npos)
      << read_all(path("re2-answer"));
  std::filesystem::copy_file(path("re.key"), path("renewed.key"));
  EXPECT_EQ(curl("simplereenroll", "renewed", "re2.b64", "re3-answer"), 200) << read_all(path("re3-answer"));
}

// A device through its supply chain with certificates from EST: each stage's
// certificate is certified for the name, the one before is superseded, the
// CA service publishes CRLs that follow the ledger, and retiring revokes all.
TEST_F(EstE2E, EveryStageGetsItsCertificateAndCrlsFollowTheLedger) {
  const std::string ca_hash =
      shell("openssl x509 -in " + path("ca.pem") + " -outform DER | sha256sum | cut -c1-64");
  const std::string crl_url = node_->url() + "/v1/crls/" + ca_hash.substr(0, 64);
  // Polled until the service has published: a CRL not there yet (404) is not
  // a failure by itself; the verdicts below are what the test asserts.
  auto crl_check = [&](const std::string& cert) {
    std::filesystem::remove(path("ca.crl"));
    run_shell("curl -sf -o " + path("ca.crl") + " " + crl_url + "?format=pem");
    return run_shell("openssl verify -crl_check -CAfile " + path("root.pem") + " -untrusted " +
                     path("ca.pem") + " -CRLfile " + path("ca.crl") + " " + path(cert));
  };
  // Manufacturing identity, enrolled with the factory certificate the name was registered with.
  csr("m", "/CN=dev-1");
  ASSERT_EQ(curl("simpleenroll", "mfg", "m.b64", "m.ans"), 200) << read_all(path("m.ans"));
  print_certs("m.ans", "m.pem");
  ok("device stage dev-1 distribution --key dev --json");
  ok("device stage dev-1 installed --cert " + path("m.pem") + " --key dev --json");
  // Operational identity with the operator's domain name; binding it supersedes the manufacturing one.
  csr("o", "/CN=dev-1", "-addext subjectAltName=DNS:lock-1.plant.example");
  ASSERT_EQ(curl("simpleenroll", "owner", "o.b64", "o.ans"), 200) << read_all(path("o.ans"));
  print_certs("o.ans", "o.pem");
  ok("device stage dev-1 operation --cert " + path("o.pem") + " --key dev --json");
  // The service publishes a CRL listing the superseded certificate within a block or two.
  Exec revoked;
  for (int i = 0; i < 100; ++i) {
    revoked = crl_check("m.pem");
    if (revoked.out.find("certificate revoked") != std::string::npos) break;
    ::usleep(100 * 1000);
  }
  EXPECT_NE(revoked.out.find("certificate revoked"), std::string::npos)
      << revoked.out << read_all(path("est.log"));
  EXPECT_NE(crl_check("o.pem").out.find(": OK"), std::string::npos);

  ok("device stage dev-1 retired --key dev --yes --json");
  Exec after;
  for (int i = 0; i < 100; ++i) {
    after = crl_check("o.pem");
    if (after.out.find("certificate revoked") != std::string::npos) break;
    ::usleep(100 * 1000);
  }
  EXPECT_NE(after.out.find("certificate revoked"), std::string::npos) << after.out;
  // A retired device gets no certificate.
  csr("late", "/CN=dev-1");
  EXPECT_EQ(curl("simpleenroll", "owner", "late.b64", "late.txt"), 403) << read_all(path("late.txt"));

  Exec history = run("device history dev-1 --json");
  ASSERT_EQ(history.status, 0) << history.out;
  json h = json::parse(history.out);
  std::vector<std::string> ops;
  for (const json& e : h["history"])
    ops.push_back(e["op"].get<std::string>() + ":" + e["stage"].get<std::string>());
  std::vector<std::string> want = {"register:manufactured", "certify:manufactured", "stage:distribution",
                                   "stage:installed",       "certify:installed",    "stage:operation",
                                   "stage:retired"};
  EXPECT_EQ(ops, want);
  EXPECT_NE(read_all(path("est.log")).find("crl: published CRL number"), std::string::npos);
}

TEST_F(EstE2E, CacertsAndCsrattrs) {
  ASSERT_EQ(curl("cacerts", "", "", "cacerts.b64"), 200);
  print_certs("cacerts.b64", "cacerts.pem");
  std::string pem = read_all(path("cacerts.pem"));
  EXPECT_NE(pem.find("subject=CN = Acme Devices CA"), std::string::npos) << pem;
  ASSERT_EQ(curl("csrattrs", "", "", "attrs.b64"), 200);
  std::string asn1 = shell("base64 -d " + path("attrs.b64") + " | openssl asn1parse -inform DER");
  EXPECT_NE(asn1.find("prime256v1"), std::string::npos) << asn1;
  EXPECT_NE(asn1.find("ecdsa-with-SHA256"), std::string::npos) << asn1;
  // Headers as RFC 7030 4.1.3 says.
  std::string headers =
      shell("curl -sS -D - -o /dev/null --cacert " + path("tls.pem") + " " + est_->url() + "/cacerts");
  EXPECT_NE(headers.find("application/pkcs7-mime; smime-type=certs-only"), std::string::npos) << headers;
  EXPECT_NE(headers.find("Content-Transfer-Encoding: base64"), std::string::npos) << headers;
}

TEST_F(EstE2E, BadRequestsAreRefusedWithTheRightStatus) {
  csr("op", "/CN=dev-1");
  // Someone else's device: a certificate that is neither the device's nor its owner's.
  EXPECT_EQ(curl("simpleenroll", "stranger", "op.b64", "a1"), 403);
  EXPECT_NE(read_all(path("a1")).find("owner"), std::string::npos) << read_all(path("a1"));
  // No client certificate.
  EXPECT_EQ(curl("simpleenroll", "", "op.b64", "a2"), 401);
  // A tampered CSR signature: no proof of possession.
  {
    std::ifstream in(path("op.der"), std::ios::binary);
    std::string der((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    der[der.size() - 3] = static_cast<char>(der[der.size() - 3] ^ 0x01);
    std::ofstream(path("bad.der"), std::ios::binary) << der;
    shell("base64 " + path("bad.der") + " > " + path("bad.b64"));
  }
  EXPECT_EQ(curl("simpleenroll", "mfg", "bad.b64", "a3"), 400);
  // Not base64 at all.
  std::ofstream(path("junk.b64")) << "this is not a CSR!";
  EXPECT_EQ(curl("simpleenroll", "mfg", "junk.b64", "a4"), 400);
  // An unknown name.
  csr("ghost", "/CN=ghost-device");
  EXPECT_EQ(curl("simpleenroll", "mfg", "ghost.b64", "a5"), 404);
  EXPECT_NE(read_all(path("a5")).find("not registered"), std::string::npos);
  // Another device's certificate (dev-2's, same owner) asking for dev-1: 403 as well.
  self_signed("mfg2", "dev-2");
  ok("name register dev-2 --cert " + path("mfg2.pem") + " --key dev --json");
  EXPECT_EQ(curl("simpleenroll", "mfg2", "op.b64", "a7"), 403);
  // Not a PKCS#10 body.
  Exec wrong_type = run_shell("curl -sS -o /dev/null -w '%{http_code}' --cacert " + path("tls.pem") +
                              " --cert " + path("mfg.pem") + " --key " + path("mfg.key") +
                              " -H 'Content-Type: text/plain' --data-binary @" + path("op.b64") + " " +
                              est_->url() + "/simpleenroll");
  EXPECT_EQ(wrong_type.out, "400");
  // Re-enrolment with a certificate this CA did not issue for the name.
  EXPECT_EQ(curl("simplereenroll", "stranger", "op.b64", "a6"), 403);
  // Nothing was recorded for the refused requests.
  EXPECT_EQ(read_all(path("est.log")).find(": issued "), std::string::npos) << read_all(path("est.log"));
}

TEST_F(EstE2E, ConcurrentEnrolmentsAreAllRecorded) {
  // Four clients at once (two of them Ed25519): the service sends their
  // cert.add txs one after the other, each with the next sequence number.
  std::string cmds;
  for (int i = 0; i < 4; ++i) {
    const std::string n = "c" + std::to_string(i);
    const std::string key = i % 2 ? "-newkey ed25519" : "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
    shell("openssl req -new " + key + " -nodes -keyout " + path(n + ".key") +
          " -subj /CN=dev-1 -outform DER | base64 > " + path(n + ".b64"));
    cmds += "curl -sS -o " + path(n + ".out") + " -w '%{http_code}\\n' --cacert " + path("tls.pem") +
            " --cert " + path("mfg.pem") + " --key " + path("mfg.key") +
            " -H 'Content-Type: application/pkcs10' --data-binary @" + path(n + ".b64") + " " + est_->url() +
            "/simpleenroll > " + path(n + ".status") + " & ";
  }
  shell(cmds + "wait");
  for (int i = 0; i < 4; ++i) {
    const std::string n = "c" + std::to_string(i);
    ASSERT_EQ(read_all(path(n + ".status")), "200\n") << read_all(path(n + ".out"));
    print_certs(n + ".out", n + ".pem");
    Exec ocsp = run_shell("openssl ocsp -issuer " + path("ca.pem") + " -cert " + path(n + ".pem") + " -url " +
                          node_->url() + "/v1/ocsp -CAfile " + path("trust.pem"));
    EXPECT_NE(ocsp.out.find(path(n + ".pem") + ": good"), std::string::npos) << ocsp.out;
  }
  EXPECT_NE(shell("openssl x509 -in " + path("c1.pem") + " -noout -text").find("ED25519"), std::string::npos);
}

TEST_F(EstE2E, NoCertificateWhenTheLedgerRefusesOrTheNameIsRevoked) {
  csr("op", "/CN=dev-1");
  // The CA is revoked on the ledger after the service started: its cert.add fails, the client gets nothing.
  ok("cert revoke --cert " + path("ca.pem") + " --reason cACompromise --key dev --json");
  EXPECT_EQ(curl("simpleenroll", "mfg", "op.b64", "a1"), 500);
  EXPECT_NE(read_all(path("a1")).find("none was issued"), std::string::npos) << read_all(path("a1"));
  EXPECT_EQ(read_all(path("a1")).find("BEGIN"), std::string::npos);
  // A revoked name: 403.
  ok("name revoke dev-1 --yes --key dev --json");
  EXPECT_EQ(curl("simpleenroll", "mfg", "op.b64", "a2"), 403);
  EXPECT_NE(read_all(path("a2")).find("revoked"), std::string::npos) << read_all(path("a2"));
}

TEST_F(EstE2E, RefusesACaKeyOthersCanRead) {
  std::filesystem::copy_file(path("ca.key"), path("loose.key"));
  ::chmod(path("loose.key").c_str(), 0644);
  Exec r = run("ca serve --org acme --ca-cert " + path("ca.pem") + " --ca-key " + path("loose.key") +
               " --tls-cert " + path("tls.pem") + " --tls-key " + path("tls.key") +
               " --listen 127.0.0.1:0 --key dev");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("chmod 600 " + path("loose.key")), std::string::npos) << r.out;
}

}  // namespace
}  // namespace trustmesh
