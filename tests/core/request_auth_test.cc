// Signed requests (core/request_auth.h): the v2 header round-trips and binds
// chain, server authority, method, target and time; Host values parse and
// normalise; AuthorityPolicy takes exactly the names a server answers to.
#include "core/request_auth.h"

#include <gtest/gtest.h>

namespace trustmesh::auth {
namespace {

ErrorCode code(const Result<Address>& r) {
  return r.ok() ? ErrorCode::kOk : r.error().code;
}

KeyPair p256_key() {
  return KeyPair::from_seed(KeyAlg::kP256, Bytes(32, 3)).value();
}

const uint64_t kNow = 1'800'000'000;

TEST(RequestAuth, HeaderRoundTripsAndRefusesWhatDoesNotVerify) {
  KeyPair p256 = p256_key();
  KeyPair ed = KeyPair::from_seed(KeyAlg::kEd25519, Bytes(32, 7)).value();
  for (const KeyPair* k : {&p256, &ed}) {
    std::string h = *sign_request(*k, "chain-a", "node.example:8080", "GET", "/v1/names/x?y=1", kNow);
    auto who = verify_request(h, "chain-a", "node.example:8080", "GET", "/v1/names/x?y=1", kNow + 299);
    ASSERT_TRUE(who.ok()) << who.error().to_string();
    EXPECT_EQ(*who, Address::of(k->public_key()));
    EXPECT_EQ(code(verify_request(h, "chain-b", "node.example:8080", "GET", "/v1/names/x?y=1", kNow)),
              ErrorCode::kUnauthenticated);
    EXPECT_EQ(code(verify_request(h, "chain-a", "node.example:8080", "GET", "/v1/names/x", kNow)),
              ErrorCode::kUnauthenticated);
    EXPECT_EQ(code(verify_request(h, "chain-a", "node.example:8080", "POST", "/v1/names/x?y=1", kNow)),
              ErrorCode::kUnauthenticated);
    EXPECT_EQ(code(verify_request(h, "chain-a", "node.example:8080", "GET", "/v1/names/x?y=1", kNow + 301)),
              ErrorCode::kUnauthenticated);
    EXPECT_EQ(code(verify_request(h, "chain-a", "node.example:8080", "GET", "/v1/names/x?y=1", kNow - 301)),
              ErrorCode::kUnauthenticated);
  }
  std::string h = *sign_request(p256, "c", "h:1", "GET", "/t", kNow);
  for (std::string bad :
       {std::string("Bearer abc"), std::string("TM-Sig"), h + ", x=1", h.substr(0, h.size() - 2) + "zz",
        std::string("TM-Sig key=00, ts=1, sig=00"), std::string("TM-Sig ts=1, key=00, sig=00")}) {
    auto r = verify_request(bad, "c", "h:1", "GET", "/t", kNow);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << bad;
  }
}

TEST(RequestAuth, SignatureIsBoundToTheServerAuthority) {
  KeyPair k = p256_key();
  std::string h = *sign_request(k, "c", "edge.local:5683", "GET", "/v1/names/x", kNow);
  // Replayed to another server, or to the same host at another port: refused, saying where.
  for (std::string_view other : {"node.example:8080", "edge.local:8080", "edge.local", ""}) {
    auto r = verify_request(h, "c", other, "GET", "/v1/names/x", kNow);
    ASSERT_FALSE(r.ok()) << other;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(r.error().message.find("at '" + std::string(other) + "'"), std::string::npos)
        << r.error().message;
  }
  // Host names are case-insensitive: either side may use any case.
  EXPECT_TRUE(verify_request(h, "c", "EDGE.Local:5683", "GET", "/v1/names/x", kNow).ok());
  std::string upper = *sign_request(k, "c", "Node.EXAMPLE:8080", "GET", "/t", kNow);
  EXPECT_TRUE(verify_request(upper, "c", "node.example:8080", "GET", "/t", kNow).ok());
  // The text itself: v2, authority lower-cased on its own line.
  EXPECT_EQ(request_auth_text("c", "Node.Example:8080", "GET", "/t?a=1", 42),
            "trustmesh-request-v2\nc\nnode.example:8080\nGET\n/t?a=1\n42");
}

TEST(RequestAuth, ParsesAndNormalisesAuthorities) {
  struct Case {
    const char* in;
    const char* out;
  } good[] = {
      {"node.example:8080", "node.example:8080"},
      {"Node.Example", "node.example:80"},
      {"127.0.0.1:1", "127.0.0.1:1"},
      {"[::1]:8080", "[::1]:8080"},
      {"[2001:DB8::1]", "[2001:db8::1]:80"},
      {"localhost:65535", "localhost:65535"},
      {"a-b_c~d.e:080", "a-b_c~d.e:80"},
  };
  for (const Case& c : good) {
    auto a = parse_authority(c.in);
    ASSERT_TRUE(a.ok()) << c.in << ": " << a.error().to_string();
    EXPECT_EQ(a->to_string(), c.out) << c.in;
  }
  EXPECT_EQ(parse_authority("gw.local", 5683)->to_string(), "gw.local:5683");
  for (const char* bad :
       {"", ":80", "host:", "host:0", "host:65536", "host:123456", "host:8o", "::1", "::1:8080", "[::1",
        "[::1]8080", "[]:1", "[zz]:1", "user@host:1", "host/x", "host:1:2", "ho st", "host,other"}) {
    auto a = parse_authority(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(a.error().message.find("host[:port]"), std::string::npos) << a.error().message;
  }
}

TEST(RequestAuth, PolicyOfALoopbackListener) {
  auto p = AuthorityPolicy::make({}, "127.0.0.1", 8080);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  for (const char* yes : {"127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080"})
    EXPECT_TRUE(p->accepts(yes)) << yes;
  for (const char* no : {"127.0.0.1:8081", "127.0.0.1", "node.example:8080", "10.0.0.1:8080", "", "bad host"})
    EXPECT_FALSE(p->accepts(no)) << no;
  EXPECT_EQ(p->describe(), "127.0.0.1:8080, localhost:8080 or [::1]:8080");
  // Another loopback spelling is accepted too, with the usual aliases.
  auto v6 = AuthorityPolicy::make({}, "::1", 9000);
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->accepts("[::1]:9000"));
  EXPECT_TRUE(v6->accepts("localhost:9000"));
  EXPECT_TRUE(AuthorityPolicy::make({}, "localhost", 9000)->accepts("127.0.0.1:9000"));
  EXPECT_TRUE(AuthorityPolicy::make({}, "127.0.0.2", 9000)->accepts("127.0.0.2:9000"));
}

TEST(RequestAuth, PolicyOfASpecificAddressOrName) {
  auto p = AuthorityPolicy::make({}, "192.168.1.5", 8080);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->accepts("192.168.1.5:8080"));
  EXPECT_FALSE(p->accepts("127.0.0.1:8080")) << "not loopback: no aliases";
  EXPECT_FALSE(p->accepts("node.example:8080"));
  auto named = AuthorityPolicy::make({}, "Node.Example", 80);
  ASSERT_TRUE(named.ok());
  EXPECT_TRUE(named->accepts("node.example"));  // no port: 80
  EXPECT_TRUE(named->accepts("node.example:80"));
  EXPECT_FALSE(named->accepts("node.example:8080"));
}

TEST(RequestAuth, PolicyOfAWildcardListenerTakesAnyHostAtItsPort) {
  for (const char* wildcard : {"0.0.0.0", "::", "[::]"}) {
    auto p = AuthorityPolicy::make({}, wildcard, 8080);
    ASSERT_TRUE(p.ok()) << wildcard;
    EXPECT_TRUE(p->accepts("node.example:8080")) << wildcard;
    EXPECT_TRUE(p->accepts("10.1.2.3:8080")) << wildcard;
    EXPECT_FALSE(p->accepts("node.example:8081")) << wildcard;
    EXPECT_FALSE(p->accepts("node.example")) << wildcard;
    EXPECT_FALSE(p->accepts("")) << wildcard;
    EXPECT_EQ(p->describe(), "any host at port 8080");
  }
}

TEST(RequestAuth, ConfiguredPublicHostsAreTheOnlyNames) {
  auto p = AuthorityPolicy::make({"Node.Example.com:443", "gw.local", "[fd00::1]:8080"}, "0.0.0.0", 8080);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  for (const char* yes :
       {"node.example.com:443", "NODE.example.COM:443", "gw.local", "gw.local:80", "[FD00::1]:8080"})
    EXPECT_TRUE(p->accepts(yes)) << yes;
  // The wildcard gap is closed, and the listen address is not implied.
  for (const char* no : {"node.example.com", "other.example:8080", "127.0.0.1:8080", "10.1.2.3:8080"})
    EXPECT_FALSE(p->accepts(no)) << no;
  EXPECT_EQ(p->describe(), "node.example.com:443, gw.local:80 or [fd00::1]:8080");
  // Also for a loopback listener: only the configured names.
  auto q = AuthorityPolicy::make({"node.example:8080"}, "127.0.0.1", 8080);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->accepts("127.0.0.1:8080"));
  EXPECT_EQ(q->names(), std::vector<std::string>{"node.example:8080"});

  auto bad = AuthorityPolicy::make({"node.example:8080", "http://x"}, "127.0.0.1", 8080);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("'http://x'"), std::string::npos) << bad.error().message;
}

TEST(RequestAuth, RefusalSaysWhatWasSeenWhatIsAnsweredAndHowToFix) {
  auto p = AuthorityPolicy::make({}, "127.0.0.1", 8080);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->check("localhost:8080", "use --public-host").ok());
  Status s = p->check("Edge.Local", "use --public-host {authority}");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnauthenticated);
  const std::string& m = s.error().message;
  EXPECT_NE(m.find("'edge.local'"), std::string::npos) << m;
  EXPECT_NE(m.find("edge.local:80"), std::string::npos) << m;
  EXPECT_NE(m.find("127.0.0.1:8080, localhost:8080 or [::1]:8080"), std::string::npos) << m;
  EXPECT_NE(m.find("use --public-host edge.local:80"), std::string::npos) << m;
  s = p->check("", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("Host header"), std::string::npos) << s.error().message;
  s = p->check("a b", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(s.error().message.find("host[:port]"), std::string::npos) << s.error().message;
  // A wildcard listener refuses only other ports, and says so.
  s = AuthorityPolicy::make({}, "0.0.0.0", 8080)->check("node.example:9090", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("only at port 8080"), std::string::npos) << s.error().message;
  // A default policy takes nothing.
  AuthorityPolicy none;
  EXPECT_FALSE(none.accepts("127.0.0.1:8080"));
  EXPECT_FALSE(none.check("127.0.0.1:8080", "x").ok());
}

}  // namespace
}  // namespace trustmesh::auth
