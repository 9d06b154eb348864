// The device agent's state machine, driven command by command against an
// in-memory ledger view (the real ledger and processes are in
// tests/cli/device_e2e_test.cc): set-up, replays, wrong senders, transfer,
// key update, configuration, revocation, and the state file across restarts.
#include "device/agent.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/address.h"
#include "core/hash.h"
#include "device/seal.h"

namespace trustmesh::device {
namespace {

constexpr uint64_t kNow = 1'800'000'000;

// What the ledger says, set by the test (a unit-test stand-in for LedgerClient).
class MemoryLedger : public NameLookup {
 public:
  Result<NameFacts> lookup(const std::string& name) override {
    if (down) return make_error(ErrorCode::kLedgerUnavailable, "no ledger node answered");
    auto it = names.find(name);
    if (it == names.end()) return NameFacts{.name = name, .status = "unregistered", .source = "memory"};
    return it->second;
  }
  void bind(const std::string& id, const PublicKey& owner, const Bytes& cert,
            std::optional<Hash32> config = {}) {
    names[id] = NameFacts{.name = id,
                          .status = "active",
                          .owner = Address::of(owner),
                          .cert_hash = sha256(cert),
                          .cert_der = cert,
                          .config_hash = config,
                          .expires_at = 1000,
                          .height = 1,
                          .source = "memory"};
  }
  std::map<std::string, NameFacts> names;
  bool down = false;
};

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("agent-" + new_uuid() + ".json")).string();
    agent_ = std::make_unique<DeviceAgent>(path_, DeviceRecord{}, ledger_, [] { return kNow; });
  }
  void TearDown() override { std::filesystem::remove(path_); }

  Envelope cmd(const KeyPair& k, const std::string& type, uint64_t nonce, cbor::MapEntries body = {}) {
    Envelope e;
    e.type = type;
    e.device = id_;
    e.nonce = nonce;
    e.body = cbor::Value::map(std::move(body));
    EXPECT_TRUE(e.sign(k).ok());
    return e;
  }
  Status send(const Envelope& e) { return reply_status(agent_->handle(e)); }
  ErrorCode code(const Envelope& e) {
    Status s = send(e);
    return s.ok() ? ErrorCode::kOk : s.error().code;
  }
  // init + ledger registration + registered: a working device mastered by dm_.
  void setup() {
    Envelope reply = agent_->handle(cmd(dm_, "init", 1));
    ASSERT_TRUE(reply_status(reply).ok());
    id_ = reply.device;
    Bytes box = body_bytes(reply, "box").value();
    cert_ = open_sealed(dm_, box, init_box_aad(id_)).value();
    ASSERT_TRUE(*reply.verify() == read_certificate(cert_)->key);
    ledger_.bind(id_, dm_.public_key(), cert_);
    ASSERT_TRUE(send(cmd(dm_, "registered", 2)).ok());
    ASSERT_EQ(agent_->snapshot().state, DeviceState::kWorking);
  }

  std::string path_;
  MemoryLedger ledger_;
  std::unique_ptr<DeviceAgent> agent_;
  KeyPair dm_ = KeyPair::generate().value();
  KeyPair other_ = KeyPair::generate().value();
  std::string id_;
  Bytes cert_;
};

TEST_F(AgentTest, SetupReachesWorkingAndSurvivesRestart) {
  setup();
  auto loaded = load_device_state(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_EQ(loaded->state, DeviceState::kWorking);
  EXPECT_EQ(loaded->last_nonce, 2u);
  EXPECT_EQ(loaded->identity->cert_der, cert_);
  EXPECT_TRUE(*loaded->master == dm_.public_key());
  EXPECT_EQ(std::filesystem::status(path_).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  // A restarted agent still refuses the old nonces.
  DeviceAgent again(path_, std::move(loaded).value(), ledger_, [] { return kNow; });
  EXPECT_EQ(reply_status(again.handle(cmd(dm_, "registered", 2))).error().code, ErrorCode::kStaleNonce);
}

TEST_F(AgentTest, RegisteredNeedsTheLedger) {
  Envelope reply = agent_->handle(cmd(dm_, "init", 1));
  id_ = reply.device;
  EXPECT_EQ(code(cmd(dm_, "registered", 2)), ErrorCode::kVerificationFailure);  // not on the ledger yet
  auto wrong = make_identity(id_, kNow, 1).value();
  ledger_.bind(id_, dm_.public_key(), wrong.cert_der);  // another certificate
  EXPECT_EQ(code(cmd(dm_, "registered", 3)), ErrorCode::kVerificationFailure);
  Bytes cert = open_sealed(dm_, body_bytes(reply, "box").value(), init_box_aad(id_)).value();
  ledger_.bind(id_, other_.public_key(), cert);  // someone else's name
  EXPECT_EQ(code(cmd(dm_, "registered", 4)), ErrorCode::kVerificationFailure);
  ledger_.bind(id_, dm_.public_key(), cert);
  EXPECT_EQ(code(cmd(other_, "registered", 5)), ErrorCode::kNotMaster);  // not the DM that sent init
  ledger_.down = true;
  EXPECT_EQ(code(cmd(dm_, "registered", 6)), ErrorCode::kLedgerUnavailable);
  ledger_.down = false;
  EXPECT_EQ(code(cmd(dm_, "registered", 7)), ErrorCode::kOk);
}

TEST_F(AgentTest, ReplaysStaleNoncesAndBadSignaturesAreRefused) {
  setup();
  Envelope init_again = cmd(dm_, "init", 9);
  EXPECT_EQ(code(init_again), ErrorCode::kWrongState);  // replayed init
  Hash32 h = sha256(as_bytes("a=1"));
  ledger_.bind(id_, dm_.public_key(), cert_, h);
  Envelope config =
      cmd(dm_, "config", 10, {{cbor::Value::text("config"), cbor::Value::bytes(as_bytes("a=1"))}});
  EXPECT_EQ(code(config), ErrorCode::kOk);
  EXPECT_EQ(code(config), ErrorCode::kStaleNonce);  // the same bytes again
  EXPECT_EQ(code(cmd(dm_, "config", 5)), ErrorCode::kStaleNonce);
  Envelope forged =
      cmd(dm_, "config", 11, {{cbor::Value::text("config"), cbor::Value::bytes(as_bytes("a=1"))}});
  forged.body = cbor::Value::map({{cbor::Value::text("config"), cbor::Value::bytes(as_bytes("a=2"))}});
  EXPECT_EQ(code(forged), ErrorCode::kBadSignature);
  Envelope other_device = cmd(dm_, "config", 12);
  other_device.device = new_uuid();
  ASSERT_TRUE(other_device.sign(dm_).ok());
  EXPECT_EQ(code(other_device), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(cmd(other_, "config", 13)), ErrorCode::kNotMaster);
  EXPECT_EQ(agent_->snapshot().config, Bytes(as_bytes("a=1").begin(), as_bytes("a=1").end()));
}

TEST_F(AgentTest, ConfigMustMatchTheLedgerAndMayBeSealed) {
  setup();
  Bytes conf(as_bytes("mode=secure").begin(), as_bytes("mode=secure").end());
  PublicKey dev_key = read_certificate(cert_)->key;
  Bytes box = seal(dev_key, conf, config_box_aad(id_)).value();
  auto body = [&](const Bytes& b) {
    return cbor::MapEntries{{cbor::Value::text("box"), cbor::Value::bytes(b)},
                            {cbor::Value::text("seed"), cbor::Value::bytes(Bytes(32, 7))}};
  };
  EXPECT_EQ(code(cmd(dm_, "config", 3, body(box))),
            ErrorCode::kVerificationFailure);  // hash not on the ledger
  ledger_.bind(id_, dm_.public_key(), cert_, sha256(conf));
  Bytes tampered = box;
  tampered[50] ^= 1;
  EXPECT_EQ(code(cmd(dm_, "config", 4, body(tampered))), ErrorCode::kDecryptFailed);
  EXPECT_EQ(code(cmd(dm_, "config", 5, body(box))), ErrorCode::kOk);
  EXPECT_EQ(agent_->snapshot().config, conf);
  EXPECT_EQ(agent_->snapshot().seed, Bytes(32, 7));
}

TEST_F(AgentTest, TransferSwitchesMasterOnlyWhenTheLedgerSaysSo) {
  setup();
  EXPECT_EQ(code(cmd(other_, "adopt", 3)), ErrorCode::kVerificationFailure);  // not transferred yet
  ledger_.bind(id_, other_.public_key(), cert_);
  EXPECT_EQ(code(cmd(other_, "adopt", 4)), ErrorCode::kOk);
  EXPECT_EQ(code(cmd(dm_, "rekey", 5)), ErrorCode::kNotMaster);  // the old DM is refused from now on
  EXPECT_EQ(code(cmd(other_, "rekey", 6)), ErrorCode::kOk);
}

TEST_F(AgentTest, KeyUpdateSwitchesCertificateWhenBound) {
  setup();
  Envelope reply = agent_->handle(cmd(dm_, "rekey", 3));
  ASSERT_TRUE(reply_status(reply).ok());
  EXPECT_TRUE(*reply.verify() == read_certificate(cert_)->key);  // signed with the old key
  Bytes fresh = open_sealed(dm_, body_bytes(reply, "box").value(), rekey_box_aad(id_)).value();
  PublicKey new_key = read_certificate(fresh)->key;
  EXPECT_TRUE(new_key.verify(rekey_pop_bytes(id_, 3, sha256(fresh)), body_bytes(reply, "pop").value()));
  EXPECT_EQ(agent_->snapshot().identity->cert_der,
            cert_);  // still the old one until the ledger binds the new
  ledger_.bind(id_, dm_.public_key(), fresh);
  Envelope confirm = agent_->handle(cmd(dm_, "registered", 4));
  ASSERT_TRUE(reply_status(confirm).ok());
  EXPECT_TRUE(*confirm.verify() == new_key);
  EXPECT_EQ(agent_->snapshot().identity->cert_der, fresh);
  EXPECT_FALSE(agent_->snapshot().pending);
}

TEST_F(AgentTest, RevocationIsFinal) {
  setup();
  EXPECT_EQ(code(cmd(dm_, "revoked", 3)), ErrorCode::kVerificationFailure);  // the ledger says active
  ledger_.names[id_].status = "revoked";
  EXPECT_EQ(code(cmd(dm_, "revoked", 4)), ErrorCode::kOk);
  EXPECT_EQ(agent_->snapshot().state, DeviceState::kRevoked);
  EXPECT_EQ(code(cmd(dm_, "config", 5)), ErrorCode::kWrongState);
  Envelope status;
  status.type = "status";
  EXPECT_TRUE(reply_status(agent_->handle(status)).ok());
}

TEST_F(AgentTest, CommandsBeforeInitAreRefused) {
  EXPECT_EQ(code(cmd(dm_, "config", 1)), ErrorCode::kWrongState);
  EXPECT_EQ(code(cmd(dm_, "registered", 1)), ErrorCode::kWrongState);
  EXPECT_EQ(agent_->snapshot().state, DeviceState::kFactory);
}

}  // namespace
}  // namespace trustmesh::device
