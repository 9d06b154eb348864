// The off-chain store end to end with a real `trustmesh node` and the
// commands a vendor and a device fleet run: a release is published for a
// firmware file, `blob put` uploads it (and is refused another file under
// that release), `blob get` verifies what it downloads, and once the node's
// copy is corrupted on disk `blob get` refuses it and leaves no output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "process_util.h"

namespace trustmesh {
namespace {

using namespace testproc;
using nlohmann::json;
namespace fs = std::filesystem;

class BlobE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("blob");
    fs::create_directories(dir_);
    data_ = dir_ + "/node";
    std::string err;
    auto n = start_dev_node(data_, &err);
    ASSERT_TRUE(n) << err;
    node_.emplace(std::move(*n));
  }
  void TearDown() override {
    node_.reset();
    fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(path(name), std::ios::binary) << text;
  }
  json ok(const std::string& args) {
    Exec r = run(args);
    EXPECT_EQ(r.status, 0) << args << "\n" << r.out;
    return last_json(r.out);
  }

  std::string dir_, data_;
  std::optional<NodeProcess> node_;
};

TEST_F(BlobE2E, PublishedFirmwareIsUploadedVerifiedAndRefusedOnceCorrupted) {
  // Two megabytes of firmware (progress is shown above one), and an impostor of the same size.
  std::string fw(2 * 1024 * 1024 + 5, '\0');
  for (size_t i = 0; i < fw.size(); ++i) fw[i] = static_cast<char>((i * 131) >> 3);
  write("fw1.bin", fw);
  std::string evil = fw;
  evil[100] ^= 0x40;
  write("evil.bin", evil);

  json k = ok("keys new acme --json");
  ok("send --to " + k["address"].get<std::string>() + " --amount 1000000 --key dev --json");
  ok("cert issue --cn 'acme root' --ca --out " + path("acme-root"));
  ok("org register acme --kind manufacturer --root " + path("acme-root.pem") + " --root-key " +
     path("acme-root.key") + " --key acme --json");
  ok("gov propose --vendor-id 4660:acme --key dev --json");
  ok("model register --org acme --vid 4660 --pid 1 --name 'Door lock' --key acme --json");
  ok("release publish --org acme --vid 4660 --pid 1 --version 1 --file " + path("fw1.bin") +
     " --key acme --json");
  json rel = ok("release show $(sha256sum " + path("fw1.bin") + " | cut -c1-64) --json");
  const std::string h = rel["sha256"];
  ASSERT_EQ(rel["size"], fw.size()) << rel.dump();

  // Nothing on the ledger carries the impostor's hash: refused.
  Exec stray = run("blob put " + path("evil.bin"));
  EXPECT_EQ(stray.status, 1) << stray.out;
  EXPECT_NE(stray.out.find("not_found"), std::string::npos) << stray.out;

  Exec put = run("blob put " + path("fw1.bin"));
  ASSERT_EQ(put.status, 0) << put.out;
  EXPECT_NE(put.out.find("stored " + h), std::string::npos) << put.out;
  EXPECT_NE(put.out.find("uploading"), std::string::npos) << put.out;  // progress on stderr
  json again = ok("blob put " + path("fw1.bin") + " --json");
  EXPECT_EQ(again["stored"], "already");
  EXPECT_EQ(again["matched"], "release");

  // The impostor sent under the release's hash (curl, as a client that does
  // not hash first would): the node refuses it and keeps the real image.
  Exec forged =
      run_shell("curl -s -X PUT --data-binary @" + path("evil.bin") + " " + node_->url() + "/v1/blobs/" + h);
  EXPECT_NE(forged.out.find("verification_failure"), std::string::npos) << forged.out;

  // A download is verified against the hash and the release's size.
  json got = ok("blob get " + h + " -o " + path("out.bin") + " --json");
  EXPECT_EQ(got["verified"], true);
  EXPECT_EQ(got["size_from"], "the ledger's release record");
  EXPECT_EQ(read_all(path("out.bin")), fw);
  Exec wrong_size = run("blob get " + h + " -o " + path("sized.bin") + " --size 10");
  EXPECT_EQ(wrong_size.status, 1) << wrong_size.out;
  EXPECT_NE(wrong_size.out.find("verification_failure"), std::string::npos) << wrong_size.out;
  EXPECT_FALSE(fs::exists(path("sized.bin")));

  // Someone changes the node's copy on disk: the client refuses it, no file is left.
  const std::string stored = data_ + "/blobs/" + h.substr(0, 2) + "/" + h;
  ASSERT_TRUE(fs::exists(stored));
  {
    std::fstream f(stored, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put(evil[100]);
  }
  Exec refused = run("blob get " + h + " -o " + path("bad.bin"));
  EXPECT_EQ(refused.status, 1) << refused.out;
  EXPECT_NE(refused.out.find("verification_failure"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("not written"), std::string::npos) << refused.out;
  EXPECT_FALSE(fs::exists(path("bad.bin")));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".bad.bin"), std::string::npos) << e.path();

  Exec missing = run("blob get " + std::string(64, 'a') + " -o " + path("none.bin"));
  EXPECT_EQ(missing.status, 1) << missing.out;
  EXPECT_NE(missing.out.find("not_found"), std::string::npos) << missing.out;
  EXPECT_FALSE(fs::exists(path("none.bin")));
  Exec bad_hash = run("blob get 1234 -o " + path("none.bin"));
  EXPECT_EQ(bad_hash.status, 1) << bad_hash.out;
  EXPECT_NE(bad_hash.out.find("64 hex"), std::string::npos) << bad_hash.out;
}

}  // namespace
}  // namespace trustmesh
