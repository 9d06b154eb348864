// The edge server's blob cache against an HTTP server on 127.0.0.1 that
// plays a ledger node, honest and not: what it fetches is kept only if it
// hashes to the name it was asked by; anything else leaves nothing behind.
#include "edge/blob_cache.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/hash.h"
#include "light/light_util.h"

namespace trustmesh::edge {
namespace {

using light::testing::TempDir;

class FakeNode {
 public:
  explicit FakeNode(std::map<std::string, std::string> blobs) : blobs_(std::move(blobs)) {
    srv_.Get(R"(/v1/blobs/([0-9a-f]+))", [this](const httplib::Request& q, httplib::Response& a) {
      auto it = blobs_.find(q.matches[1].str());
      if (it != blobs_.end() && it->second == "private") {
        a.status = 403;  // a private domain's configuration, asked for anonymously
        return;
      }
      if (it == blobs_.end()) {
        a.status = 404;
        return;
      }
      if (it->second.starts_with("config")) {  // a device's configuration
        a.set_header("X-Blob-Kind", "configuration");
        if (it->second.starts_with("config:"))
          a.set_header("X-Blob-Subjects", "device:dev-1@3 device:dev-2@5");
        signed_ = q.has_header("Authorization");
      }
      a.set_content(it->second, "application/octet-stream");
    });
    port_ = srv_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
  }
  ~FakeNode() {
    srv_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool last_config_signed() const { return signed_; }

 private:
  std::map<std::string, std::string> blobs_;
  std::atomic<bool> signed_{false};
  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
};

size_t files_under(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST(BlobCacheTest, KeepsOnlyWhatHashesToItsName) {
  const std::string firmware(300 * 1024, 'f');
  const Hash32 good = sha256(as_bytes(firmware));
  const Hash32 lied = sha256(as_bytes("the image the manufacturer published"));
  const Hash32 missing = sha256(as_bytes("nobody has this"));
  const Hash32 private_config = sha256(as_bytes("door=7"));
  FakeNode node({{to_hex(good), firmware},
                 {to_hex(lied), "an image slipped in by a bad node"},
                 {to_hex(private_config), "private"}});
  TempDir dir;
  BlobCache cache(store::BlobStore::open(dir.path() + "/blobs").value(), {"http://127.0.0.1:1", node.url()});

  Status s = cache.fetch(good);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(cache.store().size(good), firmware.size());
  EXPECT_TRUE(cache.fetch(good).ok()) << "held now: no second fetch needed";

  s = cache.fetch(lied);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kVerificationFailure) << s.error().to_string();
  EXPECT_FALSE(cache.store().has(lied));

  s = cache.fetch(private_config);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAccessDenied) << "never held, never served by an edge server";
  EXPECT_FALSE(cache.store().has(private_config));

  s = cache.fetch(missing);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(files_under(dir.path() + "/blobs"), 1u) << "only the verified blob, no temp files";

  BlobCache cut_off(store::BlobStore::open(dir.path() + "/other").value(), {"http://127.0.0.1:1"});
  s = cut_off.fetch(good);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kLedgerUnavailable);
  BlobCache no_nodes(store::BlobStore::open(dir.path() + "/none").value(), {});
  EXPECT_EQ(no_nodes.fetch(good).error().code, ErrorCode::kNotFound);

  // Over the size limit: refused while streaming, nothing kept.
  BlobCache small(store::BlobStore::open(dir.path() + "/small").value(), {node.url()}, 1024);
  s = small.fetch(good);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(files_under(dir.path() + "/small"), 0u);
}

// A configuration is fetched only when asked for as one (the server checked
// the asker's right), signed with the server's member key, and kept marked.
TEST(BlobCacheTest, FetchesAConfigurationOnlyAsOneAndKeepsItMarked) {
  const std::string config = "config:door=3";
  const Hash32 h = sha256(as_bytes(config));
  FakeNode node(std::map<std::string, std::string>{{to_hex(h), config}});
  TempDir dir;
  BlobCache cache(store::BlobStore::open(dir.path() + "/blobs").value(), {node.url()});
  Status s = cache.fetch(h);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAccessDenied) << s.error().to_string();
  EXPECT_FALSE(cache.store().has(h));

  cache.sign_with(KeyPair::generate(KeyAlg::kEd25519).value(), "chain-x");
  s = cache.fetch(h, BlobCache::Kind::kConfiguration);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE(node.last_config_signed()) << "fetched with the server's member key";
  EXPECT_TRUE(cache.is_configuration(h).value());
  EXPECT_EQ(cache.configuration_subjects(h).value(),
            (std::vector<std::string>{"device:dev-1@3", "device:dev-2@5"}));
  EXPECT_EQ(files_under(dir.path() + "/blobs"), 2u) << "the blob and its marks";

  // A node that does not say whom a configuration configures: not kept.
  const std::string silent = "config without subjects";
  const Hash32 hs = sha256(as_bytes(silent));
  FakeNode quiet(std::map<std::string, std::string>{{to_hex(hs), silent}});
  BlobCache other(store::BlobStore::open(dir.path() + "/other").value(), {quiet.url()});
  s = other.fetch(hs, BlobCache::Kind::kConfiguration);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kVerificationFailure) << s.error().to_string();
  EXPECT_FALSE(other.store().has(hs));
}

}  // namespace
}  // namespace trustmesh::edge
