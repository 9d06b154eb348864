// The EST registration-authority check (pki/est_ra.h) as a table: every rule
// over a name record as GET /v1/names/{name} returns it, with real
// certificates and keys.
#include "pki/est_ra.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include "core/address.h"
#include "core/hash.h"
#include "core/keys.h"
#include "core/x509.h"
#include "core/x509_issue.h"

namespace trustmesh::pki {
namespace {

using json = nlohmann::json;

std::string owner_address(EVP_PKEY* key) {
  unsigned char* d = nullptr;
  int n = i2d_PUBKEY(key, &d);
  auto pk = PublicKey::from_der(ByteView(d, static_cast<size_t>(n)));
  OPENSSL_free(d);
  EXPECT_TRUE(pk.ok());
  return Address::of(*pk).to_string();
}

Bytes subject_of(const Bytes& der) {
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  unsigned char* d = nullptr;
  int n = i2d_X509_NAME(X509_get_subject_name(x), &d);
  Bytes out(d, d + n);
  OPENSSL_free(d);
  X509_free(x);
  return out;
}

x509::Issued mk(const x509::CertSpec& spec, const x509::Issued* issuer = nullptr) {
  auto r = issuer ? x509::issue(spec, std::make_pair(ByteView(issuer->der), issuer->key.get()))
                  : x509::issue(spec, std::nullopt);
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}

class EstRa : public ::testing::Test {
 protected:
  EstRa() {
    device = mk({.cn = "dev-1"});  // the manufacturing certificate
    owner = mk({.cn = "alice"});   // self-signed, of the owner's key
    stranger = mk({.cn = "mallory"});
    ca = mk({.cn = "Acme Devices CA", .ca = true});
    issued = mk({.cn = "dev-1"}, &ca);
    other_ca = mk({.cn = "Other CA", .ca = true});
    record = json{{"name", "dev-1"},
                  {"owner", owner_address(owner.key.get())},
                  {"status", "active"},
                  {"cert_hash", to_hex(sha256(device.der))},
                  {"expires_at", 1000}};
  }
  Result<RaGrant> check(const json& rec, const std::optional<Bytes>& client, EstOp op = EstOp::kEnroll,
                        bool dns = false, const std::string& cn = "dev-1") {
    Bytes subject = client ? subject_of(*client) : Bytes{};
    return ra_check(
        rec,
        RaRequest{.op = op, .name = cn, .wants_dns = dns, .csr_subject_der = subject, .client_cert = client},
        ca.der, now);
  }
  ErrorCode code(const Result<RaGrant>& r) { return r.ok() ? ErrorCode::kOk : r.error().code; }

  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  x509::Issued device, owner, stranger, ca, issued, other_ca;
  json record;
};

TEST_F(EstRa, DeviceCertificateAndOwnerKeyMayEnrol) {
  auto by_device = check(record, device.der);
  ASSERT_TRUE(by_device.ok()) << by_device.error().to_string();
  EXPECT_EQ(by_device->via, "device certificate");
  auto by_owner = check(record, owner.der);
  ASSERT_TRUE(by_owner.ok()) << by_owner.error().to_string();
  EXPECT_EQ(by_owner->via, "owner key");
  EXPECT_EQ(by_owner->stage, "");
}

TEST_F(EstRa, RefusalTable) {
  json revoked = record, expired = record, retired = record, manufactured = record, odd = record;
  revoked["status"] = "revoked";
  expired["status"] = "expired";
  retired["stage"] = "retired";
  manufactured["stage"] = "manufactured";
  odd.erase("owner");
  EXPECT_EQ(code(check(json(), device.der)), ErrorCode::kNameNotFound);  // unknown name
  EXPECT_EQ(code(check(revoked, device.der)), ErrorCode::kNameRevoked);
  EXPECT_EQ(code(check(expired, owner.der)), ErrorCode::kNameExpired);
  EXPECT_EQ(code(check(retired, device.der)), ErrorCode::kWrongState);
  json bound_revoked = record;  // the device's bound certificate, revoked on the ledger
  bound_revoked["cert_revoked"] = true;
  EXPECT_EQ(code(check(bound_revoked, device.der)), ErrorCode::kCertRevoked);
  EXPECT_TRUE(check(bound_revoked, owner.der).ok());  // the owner's ledger key still may
  json retired_status = retired;                      // what the ledger shows once the device is retired
  retired_status["status"] = "retired";
  EXPECT_EQ(code(check(retired_status, device.der)), ErrorCode::kNameRetired);
  EXPECT_EQ(est_http_status(ErrorCode::kNameRetired), 403);
  EXPECT_EQ(code(check(odd, device.der)), ErrorCode::kMalformed);
  EXPECT_EQ(code(check(record, std::nullopt)), ErrorCode::kVerificationFailure);  // no client cert
  auto wrong_owner = check(record, stranger.der);
  EXPECT_EQ(code(wrong_owner), ErrorCode::kNotOwner);
  EXPECT_NE(wrong_owner.error().message.find(record["owner"].get<std::string>()), std::string::npos);
  // A certificate this CA issued does not stand for the owner at first enrolment.
  EXPECT_EQ(code(check(record, issued.der)), ErrorCode::kNotOwner);
  // The HTTP statuses of those refusals.
  EXPECT_EQ(est_http_status(ErrorCode::kNameNotFound), 404);
  EXPECT_EQ(est_http_status(ErrorCode::kNotOwner), 403);
  EXPECT_EQ(est_http_status(ErrorCode::kWrongState), 403);
  EXPECT_EQ(est_http_status(ErrorCode::kVerificationFailure), 401);
  EXPECT_EQ(est_http_status(ErrorCode::kBadSignature), 400);
  EXPECT_EQ(est_http_status(ErrorCode::kLedgerUnavailable), 503);
  EXPECT_EQ(est_http_status(ErrorCode::kCertRevoked), 403);
  // A manufactured device may enrol, without an operational DNS name.
  EXPECT_TRUE(check(manufactured, device.der).ok());
}

TEST_F(EstRa, DnsNamesOnlyInInstalledOrOperationOrWithoutStages) {
  EXPECT_TRUE(check(record, device.der, EstOp::kEnroll, /*dns=*/true).ok());  // no stage field
  for (const char* stage : {"installed", "operation"}) {
    json r = record;
    r["stage"] = stage;
    EXPECT_TRUE(check(r, device.der, EstOp::kEnroll, true).ok()) << stage;
  }
  for (const char* stage : {"manufactured", "distribution", "transferred"}) {
    json r = record;
    r["stage"] = stage;
    auto g = check(r, device.der, EstOp::kEnroll, true);
    EXPECT_EQ(code(g), ErrorCode::kWrongState) << stage;
    EXPECT_TRUE(check(r, device.der, EstOp::kEnroll, false).ok()) << stage;
  }
}

TEST_F(EstRa, ReenrolWithTheIssuedOrTheBoundCertificateAndTheSameSubject) {
  // Issued by this CA but not certified for the name's current registration
  // (e.g. a certificate of an earlier holder of the name): refused.
  EXPECT_EQ(code(check(record, issued.der, EstOp::kReenroll)), ErrorCode::kCertNotFound);
  record["registered_at"] = 10;
  record["history"] =
      json::array({json{{"height", 9}, {"op", "certify"}, {"cert", to_hex(sha256(issued.der))}}});
  EXPECT_EQ(code(check(record, issued.der, EstOp::kReenroll)),
            ErrorCode::kCertNotFound);  // before registration
  record["history"].push_back(json{{"height", 12}, {"op", "certify"}, {"cert", to_hex(sha256(issued.der))}});
  auto r = check(record, issued.der, EstOp::kReenroll);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->via, "certificate issued by this CA");
  EXPECT_TRUE(check(record, device.der, EstOp::kReenroll).ok());
  // The owner's key alone does not re-enrol (that is simpleenroll).
  EXPECT_EQ(code(check(record, owner.der, EstOp::kReenroll)), ErrorCode::kNotOwner);
  // Issued by another CA, or for another name.
  auto foreign = mk({.cn = "dev-1"}, &other_ca);
  EXPECT_EQ(code(check(record, foreign.der, EstOp::kReenroll)), ErrorCode::kNotOwner);
  auto other_name = mk({.cn = "dev-2"}, &ca);
  EXPECT_EQ(code(check(record, other_name.der, EstOp::kReenroll)), ErrorCode::kNotOwner);
  // Expired.
  auto old = mk({.cn = "dev-1", .not_before = now - 1000, .not_after = now - 10}, &ca);
  EXPECT_EQ(code(check(record, old.der, EstOp::kReenroll)), ErrorCode::kNotOwner);
  // The CSR's subject must be the client certificate's.
  auto mismatch = ra_check(record,
                           RaRequest{.op = EstOp::kReenroll,
                                     .name = "dev-1",
                                     .csr_subject_der = subject_of(owner.der),
                                     .client_cert = issued.der},
                           ca.der, now);
  EXPECT_EQ(code(mismatch), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace trustmesh::pki
