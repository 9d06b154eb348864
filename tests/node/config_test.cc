// NodeConfig: defaults, a full file, strictness about keys, types and bounds.
#include "node/config.h"

#include <gtest/gtest.h>

namespace trustmesh::node {
namespace {

TEST(ConfigTest, EmptyFileGivesDefaults) {
  auto c = NodeConfig::from_toml("", "/d");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->api.host, "127.0.0.1");
  EXPECT_EQ(c->api.port, 8080);
  EXPECT_EQ(c->block_interval_ms, 1000u);
  EXPECT_TRUE(c->sync);
  EXPECT_EQ(c->path("genesis.json"), "/d/genesis.json");
  EXPECT_EQ(c->path("/abs/key.pem"), "/abs/key.pem");
}

TEST(ConfigTest, ParsesEveryField) {
  auto c = NodeConfig::from_toml(R"(
genesis = "g.json"
validator_key = "v.pem"
[api]
listen = "0.0.0.0:9000"
threads = 4
max_body_bytes = 2048
max_header_bytes = 4096
request_timeout_ms = 500
[consensus]
block_interval_ms = 250
max_block_bytes = 1048576
max_block_txs = 100
[mempool]
max_txs = 10
max_bytes = 1048576
[storage]
sync = false
)",
                                 "/d");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->genesis, "g.json");
  EXPECT_EQ(c->validator_key, "v.pem");
  EXPECT_EQ(c->api.host, "0.0.0.0");
  EXPECT_EQ(c->api.port, 9000);
  EXPECT_EQ(c->api.threads, 4u);
  EXPECT_EQ(c->api.max_body_bytes, 2048u);
  EXPECT_EQ(c->api.request_timeout_ms, 500u);
  EXPECT_EQ(c->block_interval_ms, 250u);
  EXPECT_EQ(c->max_block_txs, 100u);
  EXPECT_EQ(c->mempool.max_txs, 10u);
  EXPECT_FALSE(c->sync);
}

TEST(ConfigTest, RoundTripsThroughToml) {
  NodeConfig c;
  c.data_dir = "/d";
  c.api.port = 1234;
  c.block_interval_ms = 77;
  c.sync = false;
  auto back = NodeConfig::from_toml(c.to_toml(), "/d");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->api.port, 1234);
  EXPECT_EQ(back->block_interval_ms, 77u);
  EXPECT_FALSE(back->sync);
}

TEST(ConfigTest, PublicHostsParseAndRoundTrip) {
  EXPECT_TRUE(NodeConfig::from_toml("", "/d")->api.public_hosts.empty());
  auto c = NodeConfig::from_toml(
      "[api]\npublic_hosts = [\"node.example.com:8080\", \"[::1]:9000\", \"gw\"]\n", "/d");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->api.public_hosts, (std::vector<std::string>{"node.example.com:8080", "[::1]:9000", "gw"}));
  auto back = NodeConfig::from_toml(c->to_toml(), "/d");
  ASSERT_TRUE(back.ok()) << back.error().to_string() << "\n" << c->to_toml();
  EXPECT_EQ(back->api.public_hosts, c->api.public_hosts);
  // None: the file shows the key as a comment, and reads back as none.
  NodeConfig none;
  EXPECT_NE(none.to_toml().find("# public_hosts = "), std::string::npos) << none.to_toml();
  EXPECT_TRUE(NodeConfig::from_toml(none.to_toml(), "/d")->api.public_hosts.empty());
}

TEST(ConfigTest, P2pSectionRoundTrips) {
  auto c = NodeConfig::from_toml(R"(
[consensus]
timeout_propose_ms = 1500
timeout_prevote_delta_ms = 0
gossip_interval_ms = 100
[p2p]
listen = "127.0.0.1:26656"
external = "10.0.0.1:26656"
seeds = ["1.2.3.4:5", "tm1abc@127.0.0.1:26657"]
max_peers = 8
pex = false
node_key = "nk.pem"
)",
                                 "/d");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_TRUE(c->p2p.enabled());
  EXPECT_EQ(c->p2p.port, 26656);
  EXPECT_EQ(c->p2p.seeds.size(), 2u);
  EXPECT_FALSE(c->p2p.pex);
  EXPECT_EQ(c->timeout_propose_ms, 1500u);
  EXPECT_EQ(c->timeout_prevote_delta_ms, 0u);
  auto back = NodeConfig::from_toml(c->to_toml(), "/d");
  ASSERT_TRUE(back.ok()) << back.error().to_string() << "\n" << c->to_toml();
  EXPECT_EQ(back->p2p.seeds, c->p2p.seeds);
  EXPECT_EQ(back->p2p.external, "10.0.0.1:26656");
  EXPECT_EQ(back->p2p.node_key, "nk.pem");
  EXPECT_EQ(back->gossip_interval_ms, 100u);
  // Without [p2p] the node has no peers.
  EXPECT_FALSE(NodeConfig::from_toml("", "/d")->p2p.enabled());
}

TEST(ConfigTest, RefusesBadInputWithAClearMessage) {
  struct Case {
    const char* toml;
    const char* says;
  } cases[] = {
      {"gensis = \"x\"", "unknown key 'gensis'"},
      {"[api]\nport = 1", "unknown key 'port' in [api]"},
      {"[apis]\n", "unknown key 'apis'"},
      {"[consensus]\nblock_interval_ms = \"fast\"", "must be an integer"},
      {"[consensus]\nblock_interval_ms = 1", "outside"},
      {"[api]\nlisten = \"nohost\"", "host:port"},
      {"[api]\nlisten = \"h:99999\"", "bad port"},
      {"[api]\npublic_hosts = \"a:1\"", "array"},
      {"[api]\npublic_hosts = [1]", "\"host:port\" strings"},
      {"[api]\npublic_hosts = [\"http://a:1\"]", "not host[:port]"},
      {"[storage]\nsync = 1", "true or false"},
      {"[p2p]\nlisten = \"h:70000\"", "bad port"},
      {"[p2p]\nseeds = \"a:1\"", "array"},
      {"[p2p]\nseeds = [\"nohostport\"]", "host:port"},
      {"[p2p]\nseeds = [1]", "non-empty strings"},
      {"[p2p]\npex = \"yes\"", "true or false"},
      {"[p2p]\nmax_peers = 0", "outside"},
      {"[p2p]\nlisten_port = 1", "unknown key 'listen_port' in [p2p]"},
      {"[consensus]\ntimeout_propose_ms = 1", "outside"},
      {"api = 3", "must be a table"},
      {"this is not toml", "line 1"},
  };
  for (const Case& c : cases) {
    auto r = NodeConfig::from_toml(c.toml, "/d");
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace trustmesh::node
