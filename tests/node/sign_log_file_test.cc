// FileSignLog: records survive reopening; a torn last record (a crash in the
// middle of an append) is cut off; damage before the tail refuses to open.
#include "node/sign_log_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace trustmesh::node {
namespace {

std::string temp_file(const std::string& tag) {
  auto dir =
      std::filesystem::temp_directory_path() / ("tm-signlog-" + tag + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return (dir / "consensus" / "sign.wal").string();
}

Bytes rec(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

TEST(FileSignLog, RecordsSurviveReopen) {
  std::string path = temp_file("reopen");
  {
    auto log = FileSignLog::open(path);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    EXPECT_TRUE((*log)->load()->empty());
    ASSERT_TRUE((*log)->append(rec("first")).ok());
    ASSERT_TRUE((*log)->append(rec("second")).ok());
    ASSERT_TRUE((*log)->append(Bytes{}).ok());
  }
  auto log = FileSignLog::open(path);
  ASSERT_TRUE(log.ok());
  auto all = (*log)->load();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0], rec("first"));
  EXPECT_EQ((*all)[1], rec("second"));
  EXPECT_TRUE((*all)[2].empty());
  std::filesystem::remove_all(std::filesystem::path(path).parent_path().parent_path());
}

TEST(FileSignLog, TornTailIsCutOffAndAppendsContinue) {
  std::string path = temp_file("torn");
  {
    auto log = FileSignLog::open(path);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->append(rec("kept")).ok());
    ASSERT_TRUE((*log)->append(rec("torn record")).ok());
  }
  const auto full = std::filesystem::file_size(path);
  for (uintmax_t cut : {full - 1, full - 5, full - 14}) {  // inside checksum, payload, length
    std::filesystem::resize_file(path, cut);
    auto log = FileSignLog::open(path);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    auto all = (*log)->load();
    ASSERT_EQ(all->size(), 1u) << "cut at " << cut;
    EXPECT_EQ((*all)[0], rec("kept"));
    EXPECT_EQ(std::filesystem::file_size(path), 4u + 4 + 4);  // the repaired file
    ASSERT_TRUE((*log)->append(rec("torn record")).ok());
  }
  auto log = FileSignLog::open(path);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->load()->size(), 2u);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path().parent_path());
}

TEST(FileSignLog, RewriteReplacesTheLogAndAppendsContinue) {
  std::string path = temp_file("rewrite");
  {
    auto log = FileSignLog::open(path);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*log)->append(rec("old " + std::to_string(i))).ok());
    ASSERT_TRUE((*log)->rewrite({rec("kept")}).ok());
    EXPECT_EQ((*log)->load()->size(), 1u);
    ASSERT_TRUE((*log)->append(rec("after")).ok());
  }
  auto log = FileSignLog::open(path);
  ASSERT_TRUE(log.ok());
  auto all = (*log)->load();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], rec("kept"));
  EXPECT_EQ((*all)[1], rec("after"));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove_all(std::filesystem::path(path).parent_path().parent_path());
}

TEST(FileSignLog, DamageBeforeTheTailRefusesToOpen) {
  std::string path = temp_file("damage");
  {
    auto log = FileSignLog::open(path);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->append(rec("first")).ok());
    ASSERT_TRUE((*log)->append(rec("second")).ok());
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5);  // a payload byte of the first record
    f.put('X');
  }
  auto log = FileSignLog::open(path);
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message.find("checksum"), std::string::npos) << log.error().to_string();
  std::filesystem::remove_all(std::filesystem::path(path).parent_path().parent_path());
}

}  // namespace
}  // namespace trustmesh::node
