// The node's OCSP responder (pki/ocsp_responder.h) end to end, with a real
// node process and the unmodified `openssl ocsp` client: a device certificate
// recorded on the ledger is good, a certificate the ledger does not hold is
// unknown, the revocation is seen from the next block on (with its reason),
// GET works as well as POST, and bad requests get OCSP error responses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "process_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using json = nlohmann::json;

class OcspE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("ocsp");
    std::filesystem::create_directories(dir_);
    // The CA hierarchy, made offline: root -> devices CA -> (responder, dev1, dev2).
    ok("cert issue --cn 'Acme Root' --ca --out " + path("root"));
    issue("'Acme Devices CA' --ca", "root", "ca");
    issue("'Acme OCSP responder' --ocsp-signing", "ca", "responder");
    issue("dev1", "ca", "dev1");
    issue("dev2", "ca", "dev2");
    ok("cert issue --cn 'Other Root' --ca --out " + path("other"));
    issue("stranger", "other", "stranger");
    std::ofstream(path("trust.pem")) << read_all(path("root.pem")) << read_all(path("ca.pem"));
    std::string err;
    auto n = start_dev_node(dir_ + "/node", &err,
                            {"--ocsp-signer", path("responder.pem") + ":" + path("responder.key")});
    ASSERT_TRUE(n) << err;
    node_.emplace(std::move(*n));
    ok("org register acme --kind manufacturer --root " + path("root.pem") + " --root-key " +
       path("root.key") + " --key dev --json");
    ok("cert add --org acme --level intermediate --cert " + path("ca.pem") + " --key dev --json");
    ok("cert add --org acme --level device --cert " + path("dev1.pem") + " --key dev --json");
  }
  void TearDown() override {
    node_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void ok(const std::string& args) {
    Exec r = run(args);
    ASSERT_EQ(r.status, 0) << args << "\n" << r.out;
  }
  void issue(const std::string& cn_and_flags, const std::string& issuer, const std::string& out) {
    ok("cert issue --cn " + cn_and_flags + " --issuer-cert " + path(issuer + ".pem") + " --issuer-key " +
       path(issuer + ".key") + " --out " + path(out));
  }
  // `openssl ocsp` asking the node about `cert` (issued by `issuer`).
  Exec ask(const std::string& cert, const std::string& issuer = "ca") {
    return run_shell("openssl ocsp -issuer " + path(issuer + ".pem") + " -cert " + path(cert + ".pem") +
                     " -url " + node_->url() + "/v1/ocsp -CAfile " + path("trust.pem") + " -resp_text");
  }

  std::string dir_;
  std::optional<NodeProcess> node_;
};

TEST_F(OcspE2E, OpensslSeesGoodUnknownAndRevokedFromTheNextBlock) {
  Exec good = ask("dev1");
  EXPECT_EQ(good.status, 0) << good.out;
  EXPECT_NE(good.out.find("Response verify OK"), std::string::npos) << good.out;
  EXPECT_NE(good.out.find(path("dev1.pem") + ": good"), std::string::npos) << good.out;
  EXPECT_NE(good.out.find("This Update"), std::string::npos) << good.out;
  EXPECT_NE(good.out.find("Next Update"), std::string::npos) << good.out;
  EXPECT_NE(good.out.find("OCSP Nonce"), std::string::npos) << good.out;  // echoed

  Exec unknown = ask("dev2");  // issued by the CA but never recorded on the ledger
  EXPECT_NE(unknown.out.find(path("dev2.pem") + ": unknown"), std::string::npos) << unknown.out;

  ok("cert revoke --cert " + path("dev1.pem") + " --reason keyCompromise --key dev --json");
  Exec revoked = ask("dev1");  // the command above returned once the revocation was committed
  EXPECT_NE(revoked.out.find("Response verify OK"), std::string::npos) << revoked.out;
  EXPECT_NE(revoked.out.find(path("dev1.pem") + ": revoked"), std::string::npos) << revoked.out;
  EXPECT_NE(revoked.out.find("Reason: keyCompromise"), std::string::npos) << revoked.out;

  // Revoking the CA itself revokes everything under it.
  ok("cert revoke --cert " + path("ca.pem") + " --reason cACompromise --key dev --json");
  Exec under_revoked_ca = ask("dev2");
  EXPECT_NE(under_revoked_ca.out.find(path("dev2.pem") + ": revoked"), std::string::npos)
      << under_revoked_ca.out;
}

TEST_F(OcspE2E, GetWorksAndBadRequestsGetOcspErrors) {
  // A request made by openssl, sent with GET (RFC 6960 appendix A.1: base64, percent-encoded).
  Exec req = run_shell("openssl ocsp -issuer " + path("ca.pem") + " -cert " + path("dev1.pem") +
                       " -no_nonce -reqout " + path("req.der") + " && base64 -w0 " + path("req.der") +
                       " | sed -e 's|+|%2B|g' -e 's|/|%2F|g' -e 's|=|%3D|g'");
  ASSERT_EQ(req.status, 0) << req.out;
  std::string encoded = req.out.substr(0, req.out.find_last_not_of("\n") + 1);
  encoded = encoded.substr(encoded.rfind('\n') == std::string::npos ? 0 : encoded.rfind('\n') + 1);
  HttpResult got = http_get(node_->port(), "/v1/ocsp/" + encoded);
  ASSERT_EQ(got.status, 200);
  std::ofstream(path("resp.der"), std::ios::binary) << got.body;
  Exec read = run_shell("openssl ocsp -respin " + path("resp.der") + " -issuer " + path("ca.pem") +
                        " -cert " + path("dev1.pem") + " -CAfile " + path("trust.pem") + " -no_nonce");
  EXPECT_NE(read.out.find(path("dev1.pem") + ": good"), std::string::npos) << read.out;

  // Not OCSP at all: an OCSPResponse with status malformedRequest (1), as clients expect.
  HttpResult junk = http_post(node_->port(), "/v1/ocsp", "not a request", "application/ocsp-request");
  EXPECT_EQ(junk.status, 200);
  EXPECT_EQ(junk.body, std::string("\x30\x03\x0a\x01\x01", 5));
  EXPECT_EQ(http_get(node_->port(), "/v1/ocsp/!!!").body, std::string("\x30\x03\x0a\x01\x01", 5));
  // A CA this responder does not serve: unauthorized (6).
  Exec stranger = ask("stranger", "other");
  EXPECT_NE(stranger.out.find("unauthorized"), std::string::npos) << stranger.out;
  // GET on the POST endpoint is refused in JSON.
  EXPECT_EQ(http_get(node_->port(), "/v1/ocsp").status, 405);
}

// A device through its supply chain with the CLI (`device stage|history`):
// certificates certified for its name, the manufacturing one superseded by
// the operational one, both revoked by retirement, as `openssl ocsp` sees it.
TEST_F(OcspE2E, StagesSupersedeAndRetireTheDevicesCertificates) {
  issue("lock-7", "ca", "mfg");
  issue("lock-7", "ca", "op");  // the operational identity: certified certificates name the device
  ok("name register lock-7 --key dev --cert " + path("mfg.pem") + " --json");
  ok("cert add --org acme --level device --cert " + path("mfg.pem") + " --name lock-7 --key dev --json");
  ok("device stage lock-7 installed --key dev --json");
  ok("cert add --org acme --level device --cert " + path("op.pem") + " --name lock-7 --key dev --json");
  ok("device stage lock-7 operation --cert " + path("op.pem") + " --key dev --json");
  EXPECT_NE(ask("mfg").out.find(path("mfg.pem") + ": revoked"), std::string::npos);
  EXPECT_NE(ask("mfg").out.find("Reason: superseded"), std::string::npos);
  EXPECT_NE(ask("op").out.find(path("op.pem") + ": good"), std::string::npos);

  // Skipping a stage is refused by the ledger (exit 5: committed, failed); retiring needs --yes.
  Exec skip = run("device stage lock-7 distribution --key dev");
  EXPECT_EQ(skip.status, 5) << skip.out;
  EXPECT_NE(skip.out.find("cannot go from operation to distribution"), std::string::npos) << skip.out;
  Exec unconfirmed = run("device stage lock-7 retired --key dev");
  EXPECT_NE(unconfirmed.status, 0);
  EXPECT_NE(unconfirmed.out.find("--yes"), std::string::npos) << unconfirmed.out;
  ok("device stage lock-7 retired --key dev --yes --json");
  Exec retired = ask("op");
  EXPECT_NE(retired.out.find(path("op.pem") + ": revoked"), std::string::npos) << retired.out;
  EXPECT_NE(retired.out.find("Reason: cessationOfOperation"), std::string::npos) << retired.out;
  Exec again = run("device stage lock-7 installed --key dev");
  EXPECT_NE(again.out.find("retired"), std::string::npos) << again.out;

  Exec history = run("device history lock-7 --json");
  ASSERT_EQ(history.status, 0) << history.out;
  json h = json::parse(history.out);
  EXPECT_EQ(h["status"], "retired");
  EXPECT_EQ(h["stage"], "retired");
  std::vector<std::string> ops;
  for (const json& e : h["history"])
    ops.push_back(e["op"].get<std::string>() + ":" + e["stage"].get<std::string>());
  std::vector<std::string> want = {"register:manufactured", "certify:manufactured", "stage:installed",
                                   "certify:installed",     "stage:operation",      "stage:retired"};
  EXPECT_EQ(ops, want);
  Exec text = run("device history lock-7");
  EXPECT_NE(text.out.find("lock-7: retired (retired)"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace trustmesh
