// The compliance ledger end to end with a real `trustmesh node` and the
// commands organisations and gateways run: certificates made with
// `trustmesh cert issue`, organisations, models, releases and claims put on
// the ledger by their own keys, and `trustmesh admit` deciding by policy,
// from the node and as a light client that checks proofs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "process_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using nlohmann::json;

class ComplianceE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("compliance");
    std::filesystem::create_directories(dir_);
    data_ = dir_ + "/node";
    std::string err;
    auto n = start_dev_node(data_, &err);
    ASSERT_TRUE(n) << err;
    node_.emplace(std::move(*n));
    write("lighting.json", R"({"name": "backyard-lighting"})");
    write("building.json", R"({"name": "building-security", "trust_anchors": ["csa"],
      "rules": [{"rule": "member_of", "org": "csa"},
                {"rule": "compliance", "labs_approved_by": ["csa"]},
                {"rule": "no_advisory"},
                {"rule": "firmware_votes", "min_good": 1}]})");
  }
  void TearDown() override {
    node_.reset();
    std::filesystem::remove_all(dir_);
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // Runs a command that must succeed; returns its last JSON line.
  json ok(const std::string& args) {
    Exec r = run(args);
    EXPECT_EQ(r.status, 0) << args << "\n" << r.out;
    return last_json(r.out);
  }
  // A funded key and a self-signed root for organisation `id`, registered.
  void org(const std::string& id, const std::string& kind, const std::string& extra = "") {
    json k = ok("keys new " + id + " --json");
    ok("send --to " + k["address"].get<std::string>() + " --amount 1000000 --key dev --json");
    ok("cert issue --cn '" + id + " root' --ca --out " + path(id + "-root"));
    ok("org register " + id + " --kind " + kind + " --root " + path(id + "-root.pem") + " --root-key " +
       path(id + "-root.key") + " " + extra + " --key " + id + " --json");
  }
  uint64_t claim(const std::string& issuer, const std::string& type, const std::string& subject,
                 const std::string& data = "") {
    ok("claim issue --issuer " + issuer + " --type " + type + " --subject " + subject + " " + data +
       " --key " + issuer + " --json");
    json list = ok("claim list " + subject + " --json");
    return list["claims"].back()["id"];
  }
  Exec admit(const std::string& policy, const std::string& extra = "") {
    return run("admit --policy " + path(policy) + " --cert " + path("lock.pem") + " " + extra);
  }
  // acme makes lock devices of model 4660/1 with firmware fw1.bin.
  void manufacturer() {
    org("acme", "manufacturer");
    ok("gov propose --vendor-id 4660:acme --key dev --json");  // vendor ids come from the trustees
    ok("model register --org acme --vid 4660 --pid 1 --name 'Door lock' --label support_until=2031 --key "
       "acme --json");
    ok("cert issue --cn 'Acme Door Lock' --ca --issuer-cert " + path("acme-root.pem") + " --issuer-key " +
       path("acme-root.key") + " --out " + path("model"));
    ok("cert add --org acme --level model --cert " + path("model.pem") +
       " --vid 4660 --pid 1 --key acme --json");
    ok("cert issue --cn lock-0001 --issuer-cert " + path("model.pem") + " --issuer-key " + path("model.key") +
       " --out " + path("lock"));
    write("fw1.bin", "firmware one");
    ok("release publish --org acme --vid 4660 --pid 1 --version 1 --file " + path("fw1.bin") +
       " --key acme --json");
  }

  std::string dir_, data_;
  std::optional<NodeProcess> node_;
};

TEST_F(ComplianceE2E, ApprovedLabCertifiesAModelItsDeviceIsAdmittedUntilTheApprovalIsWithdrawn) {
  manufacturer();
  org("csa", "standards_body");
  // Calling oneself a standards body gives no power: the trustees recognise csa.
  Exec early_approval =
      run("claim issue --issuer csa --type lab_approval --subject org:acme --key csa --json");
  EXPECT_EQ(early_approval.status, 5) << early_approval.out;
  ok("gov propose --grant csa:standards_body --key dev --json");
  org("lab", "test_lab");
  org("expert", "software_developer");
  uint64_t approval = claim("csa", "lab_approval", "org:lab");
  claim("lab", "compliance", "model:4660/1", "--data report_sha256=" + std::string(64, 'a'));
  claim("csa", "membership", "org:acme");
  claim("csa", "endorsement", "org:expert");
  json rel = ok("release show $(sha256sum " + path("fw1.bin") + " | cut -c1-64) --json");
  ASSERT_EQ(rel["version"], 1) << rel.dump();
  const std::string fw = rel["sha256"];
  claim("expert", "firmware_vote", "release:" + fw, "--data vote=good");

  Exec from_node = admit("building.json", "--firmware " + fw);
  EXPECT_EQ(from_node.status, 0) << from_node.out;
  EXPECT_NE(from_node.out.find("ADMIT by policy 'building-security'"), std::string::npos) << from_node.out;
  EXPECT_NE(from_node.out.find("certified by 'lab'"), std::string::npos) << from_node.out;
  // The same decision as a light client that trusts only the genesis validators.
  Exec light = admit("building.json",
                     "--firmware-file " + path("fw1.bin") + " --anchor " + data_ + "/genesis.json --json");
  ASSERT_EQ(light.status, 0) << light.out;
  json lj = last_json(light.out);
  EXPECT_EQ(lj["decision"], "admit");
  EXPECT_EQ(lj["verified"]["node_agreed"], true);
  EXPECT_GT(lj["verified"]["proven_entries"].get<uint64_t>(), 10u);

  // An advisory about the model blocks the installed firmware until a fixed
  // release, published after it, has its own good vote.
  uint64_t advisory = claim("csa", "advisory", "model:4660/1", "--data id=CVE-2026-0042");
  Exec blocked = admit("building.json", "--firmware " + fw);
  EXPECT_EQ(blocked.status, 6) << blocked.out;
  EXPECT_NE(blocked.out.find("CVE-2026-0042"), std::string::npos) << blocked.out;
  write("fw2.bin", "firmware two");
  ok("release publish --org acme --vid 4660 --pid 1 --version 2 --file " + path("fw2.bin") +
     " --key acme --json");
  Exec unvoted = admit("building.json", "--firmware-file " + path("fw2.bin"));
  EXPECT_EQ(unvoted.status, 6) << unvoted.out;
  EXPECT_NE(unvoted.out.find("FAIL  firmware_votes"), std::string::npos) << unvoted.out;
  json rel2 = ok("release show $(sha256sum " + path("fw2.bin") + " | cut -c1-64) --json");
  claim("expert", "firmware_vote", "release:" + rel2["sha256"].get<std::string>(), "--data vote=good");
  Exec fixed = admit("building.json", "--firmware-file " + path("fw2.bin"));
  EXPECT_EQ(fixed.status, 0) << fixed.out;
  ok("claim withdraw " + std::to_string(advisory) + " --key csa --json");

  // The standards body withdraws the lab's approval: the building refuses, and says why.
  ok("claim withdraw " + std::to_string(approval) + " --key csa --json");
  Exec denied = admit("building.json", "--firmware " + fw + " --json");
  EXPECT_EQ(denied.status, 6) << denied.out;
  json dj = last_json(denied.out);
  EXPECT_EQ(dj["decision"], "deny");
  bool compliance_failed = false;
  for (const auto& c : dj["checks"]) compliance_failed |= c["rule"] == "compliance" && c["ok"] == false;
  EXPECT_TRUE(compliance_failed) << dj.dump(2);
  EXPECT_FALSE(dj["missing"].empty());
  // Backyard lighting only needs the chain.
  EXPECT_EQ(admit("lighting.json").status, 0);
  // A lab without the role cannot certify anything: the tx fails (exit 5).
  Exec refused = run("claim issue --issuer lab --type compliance --subject model:4660/1 --key lab --json");
  EXPECT_EQ(refused.status, 5) << refused.out;
  EXPECT_NE(refused.out.find("missing_role"), std::string::npos) << refused.out;

  json acme = ok("org show acme --json");
  EXPECT_EQ(acme["vendor_id"], 4660);
  EXPECT_EQ(acme["certificates"].size(), 2u);           // root and model
  ASSERT_EQ(acme["history_count"], 3) << acme.dump(2);  // org.register, vendor.assign, cert.add
  EXPECT_EQ(acme["history"][0]["op"], "org.register");
  EXPECT_EQ(acme["history"][1]["op"], "vendor.assign");
  EXPECT_EQ(acme["history"][2]["op"], "cert.add");
  json model = ok("model show 4660 1 --json");
  EXPECT_EQ(model["label"]["support_until"], "2031");
  EXPECT_EQ(model["releases"].size(), 2u);
  EXPECT_EQ(model["claims"][0]["type"], "compliance");
  EXPECT_EQ(model["history"].back()["op"], "release.publish");
  HttpResult v1 = http_get(node_->port(), "/v1/models/4660/1/versions/1");
  ASSERT_EQ(v1.status, 200) << v1.body;
  EXPECT_EQ(v1.json()["sha256"], fw);
  EXPECT_EQ(v1.json()["claims"][0]["type"], "firmware_vote");
  EXPECT_EQ(http_get(node_->port(), "/v1/models/4660/1/versions/9").status, 404);
  EXPECT_EQ(http_get(node_->port(), "/v1/models/4660/1/extra").status, 404);
}

TEST_F(ComplianceE2E, FlagsRevocationsSubCasAndBadInput) {
  manufacturer();
  ASSERT_EQ(admit("lighting.json").status, 0);
  // Three of five organisations flag the device: revoked de facto.
  EXPECT_EQ(run("org show acme").status, 0);  // people's output too
  std::string dev =
      "device:$(openssl x509 -in " + path("lock.pem") + " -outform DER | sha256sum | cut -c1-64)";
  for (int i = 1; i <= 3; ++i) {
    org("watch" + std::to_string(i), "network_operator");
    claim("watch" + std::to_string(i), "device_status", dev, "--data status=stolen");
    Exec a = admit("lighting.json", "--json");
    EXPECT_EQ(a.status, i < 3 ? 0 : 6) << a.out;
  }
  EXPECT_NE(admit("lighting.json").out.find("revoked de facto by 3 organisations"), std::string::npos);

  // A manufacturer that is a sub-CA of a public CA the trustees approved.
  ok("cert issue --cn 'Public Root CA' --ca --out " + path("public"));
  ok("cert issue --cn 'Globex Sub-CA' --ca --issuer-cert " + path("public.pem") + " --issuer-key " +
     path("public.key") + " --out " + path("globex-root"));
  json gk = ok("keys new globex --json");
  ok("send --to " + gk["address"].get<std::string>() + " --amount 1000000 --key dev --json");
  const std::string globex = "org register globex --kind manufacturer --root " + path("globex-root.pem") +
                             " --root-key " + path("globex-root.key") + " --key globex --json";
  // Without its key nobody can register a root as theirs (here: the public CA's, with the wrong key).
  Exec stolen = run("org register thief --kind manufacturer --root " + path("public.pem") + " --root-key " +
                    path("globex-root.key") + " --key globex --json");
  EXPECT_EQ(stolen.status, 1) << stolen.out;
  EXPECT_NE(stolen.out.find("is not the key of"), std::string::npos) << stolen.out;
  Exec early = run(globex);
  EXPECT_EQ(early.status, 5) << early.out;  // the public CA is not on the ledger yet
  EXPECT_NE(early.out.find("bad_certificate"), std::string::npos) << early.out;
  ok("gov propose --ca-root " + path("public.pem") + " --key dev --json");
  ok(globex);

  // Revoking the model certificate refuses every device under it.
  ok("cert revoke --cert " + path("model.pem") + " --reason keyCompromise --key acme --json");
  Exec revoked = admit("lighting.json", "--json");
  EXPECT_EQ(revoked.status, 6);
  EXPECT_NE(revoked.out.find("keyCompromise"), std::string::npos) << revoked.out;

  // acme's root signs a CRL of that revocation and publishes it; the node serves it at the
  // distribution point, and the standard openssl tools accept it and refuse the model certificate.
  const std::string publish = "crl publish --org acme --issuer-cert " + path("acme-root.pem") +
                              " --issuer-key " + path("acme-root.key") + " --key acme --json";
  ok(publish);
  ok(publish);  // again: the next cRLNumber
  json with_crl = ok("org show acme --json");
  ASSERT_EQ(with_crl["crls"].size(), 1u) << with_crl.dump(2);
  EXPECT_EQ(with_crl["crls"][0]["number"], 2);
  EXPECT_EQ(with_crl["crls"][0]["entries"], 1);
  EXPECT_EQ(with_crl["crls"][0]["stale"], false);
  HttpResult crl = http_get(node_->port(), with_crl["crls"][0]["url"].get<std::string>());
  ASSERT_EQ(crl.status, 200) << crl.body;
  {
    std::ofstream f(path("acme.crl"), std::ios::binary);
    f << crl.body;
  }
  Exec checked = run_shell("openssl crl -inform DER -in " + path("acme.crl") + " -CAfile " +
                           path("acme-root.pem") + " -noout -text");
  EXPECT_EQ(checked.status, 0) << checked.out;
  EXPECT_NE(checked.out.find("verify OK"), std::string::npos) << checked.out;
  EXPECT_NE(checked.out.find("Key Compromise"), std::string::npos) << checked.out;
  Exec verify =
      run_shell("openssl crl -inform DER -in " + path("acme.crl") + " -out " + path("acme-crl.pem") +
                " && openssl verify -crl_check -CAfile " + path("acme-root.pem") + " -CRLfile " +
                path("acme-crl.pem") + " " + path("model.pem"));
  EXPECT_NE(verify.status, 0) << verify.out;
  EXPECT_NE(verify.out.find("certificate revoked"), std::string::npos) << verify.out;
  // A CRL signed with someone else's key for acme's root: refused by the ledger.
  Exec forged = run("crl publish --org acme --issuer-cert " + path("acme-root.pem") + " --issuer-key " +
                    path("globex-root.key") + " --key acme --json");
  EXPECT_EQ(forged.status, 5) << forged.out;
  EXPECT_NE(forged.out.find("bad_crl"), std::string::npos) << forged.out;
  EXPECT_EQ(http_get(node_->port(), "/v1/crls/" + std::string(64, '0')).status, 404);

  // Bad input over HTTP: each a clear 4xx that changes nothing.
  HttpResult not_json = http_post(node_->port(), "/v1/admission", "{", "application/json");
  EXPECT_EQ(not_json.status, 400);
  HttpResult bad_policy = http_post(
      node_->port(), "/v1/admission",
      R"({"policy": {"name": "x", "rules": [{"rule": "vibes"}]}, "certificate": "00"})", "application/json");
  EXPECT_EQ(bad_policy.status, 400);
  EXPECT_EQ(bad_policy.json()["error"], "bad_policy") << bad_policy.body;
  HttpResult bad_cert = http_post(node_->port(), "/v1/admission",
                                  R"({"policy": {"name": "x"}, "certificate": "0102"})", "application/json");
  EXPECT_EQ(bad_cert.status, 400);
  EXPECT_EQ(bad_cert.json()["error"], "bad_certificate") << bad_cert.body;
  HttpResult extra =
      http_post(node_->port(), "/v1/admission", R"({"policy": {"name": "x"}, "certificate": "0102",
                               "sneaky": 1})",
                "application/json");
  EXPECT_EQ(extra.status, 400);
  EXPECT_EQ(http_get(node_->port(), "/v1/admission").status, 405);
  EXPECT_EQ(http_get(node_->port(), "/v1/orgs/nobody").status, 404);
  EXPECT_EQ(http_get(node_->port(), "/v1/models/4660/99").status, 404);
  EXPECT_EQ(http_get(node_->port(), "/v1/models/0/1").status, 400);
  EXPECT_EQ(http_get(node_->port(), "/v1/claims?subject=planet:mars").status, 400);
  EXPECT_EQ(http_get(node_->port(), "/v1/vendors/4660").json()["id"], "acme");
}

}  // namespace
}  // namespace trustmesh
