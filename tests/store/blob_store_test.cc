// The off-chain content store: what is stored hashes to its name, refused
// content leaves no file (not even a temp file), limits hold mid-stream, and
// storing the same content twice is idempotent.
#include "store/blob_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/hash.h"
#include "store_util.h"

namespace trustmesh::store {
namespace {

using testing_util::TempDir;
namespace fs = std::filesystem;

// Every regular file under dir (temp files included).
std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

Bytes pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + 7);
  return b;
}

std::string read_all(BlobReader& r) {
  std::string out;
  uint8_t buf[1000];
  for (;;) {
    auto n = r.read(buf, sizeof buf);
    EXPECT_TRUE(n.ok());
    if (!n.ok() || *n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf), *n);
  }
}

TEST(BlobStore, StreamedRoundTripUnderItsHashName) {
  TempDir d;
  auto s = BlobStore::open(d.path() + "/blobs");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  Bytes data = pattern(100'000);
  Hash32 h = sha256(data);
  EXPECT_FALSE(s->has(h));
  auto w = s->begin(h, data.size(), 1 << 20);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  for (size_t off = 0; off < data.size(); off += 4096) {
    size_t n = std::min<size_t>(4096, data.size() - off);
    ASSERT_TRUE(w->write(ByteView(data).subspan(off, n)).ok());
  }
  auto stored = w->commit();
  ASSERT_TRUE(stored.ok()) << stored.error().to_string();
  EXPECT_TRUE(*stored);
  const std::string hex = to_hex(h);
  EXPECT_EQ(files_under(d.path() + "/blobs"), std::vector<std::string>{hex.substr(0, 2) + "/" + hex});
  EXPECT_TRUE(s->has(h));
  EXPECT_EQ(s->size(h), data.size());
  auto r = s->open_read(h);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), data.size());
  EXPECT_EQ(read_all(*r), to_string(data));

  auto missing = s->open_read(sha256(as_bytes("other")));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s->size(sha256(as_bytes("other"))), std::nullopt);
}

TEST(BlobStore, WrongHashIsRefusedAndLeavesNothing) {
  TempDir d;
  auto s = BlobStore::open(d.path());
  ASSERT_TRUE(s.ok());
  Hash32 firmware = sha256(as_bytes("the real firmware"));
  auto r = s->put(firmware, as_bytes("an evil firmware"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailure);
  EXPECT_NE(r.error().message.find("nothing was stored"), std::string::npos) << r.error().message;
  EXPECT_FALSE(s->has(firmware));
  EXPECT_FALSE(s->has(sha256(as_bytes("an evil firmware"))));
  EXPECT_TRUE(files_under(d.path()).empty());

  // Right content but the wrong size recorded: refused too.
  auto w = s->begin(firmware, 5, 1 << 20);
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->write(as_bytes("the real firmware")).ok());
  EXPECT_TRUE(files_under(d.path()).empty());
  auto w2 = s->begin(firmware, 100, 1 << 20);
  ASSERT_TRUE(w2.ok());
  ASSERT_TRUE(w2->write(as_bytes("the real firmware")).ok());
  auto c = w2->commit();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kVerificationFailure);
  EXPECT_TRUE(files_under(d.path()).empty());
}

TEST(BlobStore, OverTheLimitIsRefusedMidStream) {
  TempDir d;
  auto s = BlobStore::open(d.path());
  ASSERT_TRUE(s.ok());
  Bytes data = pattern(10'000);
  Hash32 h = sha256(data);
  // An expected size above the limit is refused before anything is written.
  auto too_big = s->begin(h, data.size(), 1000);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kTooLarge);
  // No size known: the limit stops the stream at the chunk that passes it.
  auto w = s->begin(h, std::nullopt, 5000);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->write(ByteView(data).subspan(0, 4000)).ok());
  EXPECT_FALSE(files_under(d.path()).empty());  // the temp file, while streaming
  Status over = w->write(ByteView(data).subspan(4000, 4000));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(files_under(d.path()).empty());
  EXPECT_FALSE(w->commit().ok());
  EXPECT_FALSE(s->has(h));
}

TEST(BlobStore, SameContentTwiceIsIdempotentAndAbandonedUploadsVanish) {
  TempDir d;
  auto s = BlobStore::open(d.path());
  ASSERT_TRUE(s.ok());
  Bytes data = pattern(3000);
  Hash32 h = sha256(data);
  auto first = s->put(h, data);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  auto again = s->put(h, data);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_FALSE(*again);  // already there
  EXPECT_EQ(files_under(d.path()).size(), 1u);
  // Even when the content is there, a wrong copy is refused.
  EXPECT_FALSE(s->put(h, as_bytes("not it")).ok());
  EXPECT_EQ(files_under(d.path()).size(), 1u);
  {
    auto w = s->begin(sha256(as_bytes("abandoned")), std::nullopt, 100);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->write(as_bytes("aband")).ok());
    EXPECT_EQ(files_under(d.path()).size(), 2u);
  }
  EXPECT_EQ(files_under(d.path()).size(), 1u);

  // A crash mid-upload leaves a temp file: open() removes it, never serves it.
  const std::string hex = to_hex(h);
  std::ofstream(d.path() + "/" + hex.substr(0, 2) + "/.tmp-" + hex + "-dead") << "partial";
  EXPECT_EQ(files_under(d.path()).size(), 2u);
  auto reopened = BlobStore::open(d.path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(files_under(d.path()), std::vector<std::string>{hex.substr(0, 2) + "/" + hex});
  auto r = reopened->open_read(h);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(read_all(*r), to_string(data));
}

}  // namespace
}  // namespace trustmesh::store
