// IoTAKE in one process: authenticate_peer's verdicts (each documented error)
// against an in-memory ledger view, and real mutual TLS 1.3 handshakes over
// 127.0.0.1 between two device identities: both sides derive the same msk,
// and a peer the ledger does not vouch for is refused by the other side's
// verify callback.
#include "device/iotake.h"

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <thread>

#include "core/address.h"
#include "core/hash.h"
#include "device/envelope.h"
#include "device/peer_message.h"

namespace trustmesh::device {
namespace {

constexpr uint64_t kNow = 1'800'000'000;

class MemoryLedger : public NameLookup {
 public:
  Result<NameFacts> lookup(const std::string& name) override {
    if (down) return make_error(ErrorCode::kLedgerUnavailable, "no ledger node answered");
    auto it = names.find(name);
    if (it == names.end()) return NameFacts{.name = name, .status = "unregistered", .source = "memory"};
    return it->second;
  }
  void bind(const Identity& id, const std::string& status = "active") {
    names[id.id] = NameFacts{.name = id.id,
                             .status = status,
                             .owner = Address::of(id.key.public_key()),
                             .cert_hash = id.cert_hash(),
                             .cert_der = id.cert_der,
                             .expires_at = 100,
                             .height = 1,
                             .source = "memory"};
  }
  std::map<std::string, NameFacts> names;
  bool down = false;
};

IotakeOptions at(uint64_t now) {
  IotakeOptions o;
  o.now = [now] { return now; };
  o.io_timeout_ms = 5000;
  return o;
}

ErrorCode verdict(const Identity& peer, MemoryLedger& ledger, const IotakeOptions& o) {
  Result<PeerIdentity> r = authenticate_peer(peer.cert_der, ledger, o);
  return r.ok() ? ErrorCode::kOk : r.error().code;
}

TEST(Iotake, EachRefusalHasItsOwnError) {
  MemoryLedger ledger;
  Identity peer = make_identity(new_uuid(), kNow, 30).value();
  EXPECT_EQ(verdict(peer, ledger, at(kNow)), ErrorCode::kVerificationFailure);  // unknown
  ledger.bind(peer);
  EXPECT_EQ(verdict(peer, ledger, at(kNow)), ErrorCode::kOk);
  IotakeOptions members = at(kNow);
  members.peers = {new_uuid()};
  EXPECT_EQ(verdict(peer, ledger, members), ErrorCode::kNotMember);
  members.peers.push_back(peer.id);
  EXPECT_EQ(verdict(peer, ledger, members), ErrorCode::kOk);
  EXPECT_EQ(verdict(peer, ledger, at(kNow + 31 * 86400)), ErrorCode::kVerificationFailure);  // cert expired
  Identity other = make_identity(peer.id, kNow, 30).value();  // same ID, another certificate
  EXPECT_EQ(verdict(other, ledger, at(kNow)), ErrorCode::kVerificationFailure);  // hash mismatch
  ledger.names[peer.id].status = "expired";
  EXPECT_EQ(verdict(peer, ledger, at(kNow)), ErrorCode::kVerificationFailure);
  ledger.names[peer.id].status = "revoked";
  EXPECT_EQ(verdict(peer, ledger, at(kNow)), ErrorCode::kVerificationFailure);
  ledger.down = true;
  EXPECT_EQ(verdict(peer, ledger, at(kNow)), ErrorCode::kLedgerUnavailable);
  EXPECT_EQ(authenticate_peer(as_bytes("junk"), ledger, at(kNow)).error().code,
            ErrorCode::kVerificationFailure);
}

// One handshake: b serves on a thread, a connects. Returns both results.
std::pair<Result<IotakeSession>, Result<IotakeSession>> handshake(const Identity& a, const Identity& b,
                                                                  MemoryLedger& ledger) {
  Socket listener = tcp_listen(Endpoint{"127.0.0.1", 0}).value();
  uint16_t port = local_port(listener).value();
  IotakeOptions o;
  std::optional<Result<IotakeSession>> server;
  std::thread t([&] {
    Socket s = tcp_accept(listener, 5000).value();
    server.emplace(iotake_handshake(std::move(s), false, b, ledger, o));
  });
  Result<IotakeSession> client = iotake_connect(Endpoint{"127.0.0.1", port}, a, ledger, o);
  t.join();
  return {std::move(client), std::move(*server)};
}

TEST(Iotake, MutualHandshakeGivesBothSidesTheSameMsk) {
  MemoryLedger ledger;
  Identity a = make_identity(new_uuid(), static_cast<uint64_t>(time(nullptr)), 30).value();
  Identity b = make_identity(new_uuid(), static_cast<uint64_t>(time(nullptr)), 30).value();
  ledger.bind(a);
  ledger.bind(b);
  auto [client, server] = handshake(a, b, ledger);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  ASSERT_TRUE(server.ok()) << server.error().to_string();
  EXPECT_EQ(client->peer().device_id, b.id);
  EXPECT_EQ(server->peer().device_id, a.id);
  EXPECT_EQ(client->msk().size(), 32u);
  EXPECT_EQ(client->msk(), server->msk());
  // A sealed message over the session, opened with the ledger's keys.
  Bytes sealed = seal_peer_message(a, b.id, ledger, as_bytes("on")).value();
  ASSERT_TRUE(client->send(sealed).ok());
  Bytes got = server->receive(kMaxEnvelope).value();
  auto msg = open_peer_message(b, got, ledger);
  ASSERT_TRUE(msg.ok()) << msg.error().to_string();
  EXPECT_EQ(msg->from, a.id);
  EXPECT_EQ(std::string(msg->plaintext.begin(), msg->plaintext.end()), "on");
  // Not for c; and tampered bytes do not verify.
  Identity c = make_identity(new_uuid(), static_cast<uint64_t>(time(nullptr)), 30).value();
  EXPECT_EQ(open_peer_message(c, got, ledger).error().code, ErrorCode::kInvalidArgument);
  Bytes bad = got;
  bad[bad.size() - 70] ^= 1;
  EXPECT_FALSE(open_peer_message(b, bad, ledger).ok());
}

TEST(Iotake, PeerNotVouchedForIsRefusedOnBothSides) {
  MemoryLedger ledger;
  Identity a = make_identity(new_uuid(), static_cast<uint64_t>(time(nullptr)), 30).value();
  Identity b = make_identity(new_uuid(), static_cast<uint64_t>(time(nullptr)), 30).value();
  ledger.bind(a);
  ledger.bind(b, "revoked");
  {
    auto [client, server] = handshake(a, b, ledger);  // a refuses the revoked server
    ASSERT_FALSE(client.ok());
    EXPECT_EQ(client.error().code, ErrorCode::kVerificationFailure);
    EXPECT_NE(client.error().message.find("revoked"), std::string::npos) << client.error().message;
    EXPECT_FALSE(server.ok());
  }
  {
    auto [client, server] = handshake(b, a, ledger);  // the server a refuses the revoked client
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.error().code, ErrorCode::kVerificationFailure);
    EXPECT_FALSE(client.ok());
  }
}

}  // namespace
}  // namespace trustmesh::device
