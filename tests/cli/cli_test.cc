// The trustmesh binary as a user runs it: replays the bundled example chain
// and must reproduce the pinned roots (examples/roots.txt), resumes a data
// directory, refuses bad input with a clear message and exit status 1.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

struct Exec {
  int status;
  std::string out;
};

Exec run(const std::string& args) {
  std::string cmd = std::string(TM_BINARY_DIR) + "/trustmesh " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string src(const std::string& rel) {
  return std::string(TM_SOURCE_DIR) + "/" + rel;
}

std::string tmp(const std::string& name) {
  auto p =
      std::filesystem::temp_directory_path() / ("trustmesh-cli-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  return p.string();
}

std::vector<std::string> roots_from(const std::string& out) {
  std::vector<std::string> roots;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto pos = line.find(" root ");
    if (line.rfind("height ", 0) == 0 && pos != std::string::npos) roots.push_back(line.substr(pos + 6, 64));
  }
  return roots;
}

TEST(Cli, ExampleChainReproducesPinnedRoots) {
  std::string data = tmp("example");
  Exec r = run("ledger apply --genesis " + src("examples/genesis.json") + " --blocks " +
               src("examples/blocks.jsonl") + " --data " + data);
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream f(src("examples/roots.txt"));
  std::vector<std::string> pinned;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line[0] != '#') pinned.push_back(line.substr(line.find(' ') + 1, 64));
  }
  auto got = roots_from(r.out);
  ASSERT_EQ(got.size(), pinned.size()) << r.out;
  EXPECT_EQ(got, pinned);

  // A second run resumes: nothing to apply, same final root.
  Exec again = run("ledger apply --genesis " + src("examples/genesis.json") + " --blocks " +
                   src("examples/blocks.jsonl") + " --data " + data);
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("skipped"), std::string::npos);
  Exec root = run("ledger root --data " + data);
  EXPECT_EQ(root.out.substr(0, 64), pinned.back());
  std::filesystem::remove_all(data);
}

TEST(Cli, ResumeWithAnotherChainsBlocksIsRefused) {
  std::string data = tmp("resume");
  std::string g = src("examples/genesis.json");
  ASSERT_EQ(
      run("ledger apply --genesis " + g + " --blocks " + src("examples/blocks.jsonl") + " --data " + data)
          .status,
      0);
  // Same heights, different block 1 (another time): not the committed history.
  std::ifstream in(src("examples/blocks.jsonl"));
  std::string first, rest, line;
  std::getline(in, first);
  while (std::getline(in, line)) rest += line + "\n";
  auto pos = first.find("\"time\":");
  ASSERT_NE(pos, std::string::npos);
  first.insert(pos + 7, "1");
  std::string other = data + "-other.jsonl";
  std::ofstream(other) << first << "\n" << rest;
  Exec r = run("ledger apply --genesis " + g + " --blocks " + other + " --data " + data);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("differs from the block committed"), std::string::npos) << r.out;
  std::filesystem::remove_all(data);
  std::filesystem::remove(other);
}

TEST(Cli, JsonOutputHasEveryTransaction) {
  std::string data = tmp("json");
  Exec r = run("ledger apply --json --genesis " + src("examples/genesis.json") + " --blocks " +
               src("examples/blocks.jsonl") + " --data " + data);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"outcome\":\"ok\""), std::string::npos);
  EXPECT_NE(r.out.find("\"outcome\":\"rejected\""), std::string::npos);
  std::filesystem::remove_all(data);
}

TEST(Cli, BadInputIsRefusedClearly) {
  std::string dir = tmp("bad");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/g.json") << "{\"chain_id\": \"x\"}";
  std::ofstream(dir + "/b.jsonl") << "{\"height\": 1, \"txs\": [\"zz\"]}\n";
  Exec r = run("ledger apply --genesis " + dir + "/g.json --blocks " + src("examples/blocks.jsonl") +
               " --data " + dir + "/d");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("trustees"), std::string::npos) << r.out;
  Exec b = run("ledger apply --genesis " + src("examples/genesis.json") + " --blocks " + dir +
               "/b.jsonl --data " + dir + "/d");
  EXPECT_EQ(b.status, 1);
  EXPECT_NE(b.out.find("line 1"), std::string::npos) << b.out;
  Exec missing = run("ledger root --data " + dir + "/nope");
  EXPECT_EQ(missing.status, 1);
  Exec help = run("ledger apply --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--genesis"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Cli, NameShowsVerifiedProof) {
  std::string data = tmp("name");
  ASSERT_EQ(run("ledger apply --genesis " + src("examples/genesis.json") + " --blocks " +
                src("examples/blocks.jsonl") + " --data " + data)
                .status,
            0);
  Exec absent = run("ledger name no-such-device --json --data " + data);
  ASSERT_EQ(absent.status, 0) << absent.out;
  EXPECT_NE(absent.out.find("\"registered\":false"), std::string::npos);
  EXPECT_NE(absent.out.find("\"proof_verified\":true"), std::string::npos);
  std::ifstream readme(src("examples/README.md"));
  std::string line, name;
  while (std::getline(readme, line)) {
    if (line.rfind("name: ", 0) == 0) name = line.substr(6);
  }
  ASSERT_FALSE(name.empty());
  Exec present = run("ledger name " + name + " --json --data " + data);
  ASSERT_EQ(present.status, 0) << present.out;
  EXPECT_NE(present.out.find("\"registered\":true"), std::string::npos) << present.out;
  EXPECT_NE(present.out.find("\"op\":\"register\""), std::string::npos);
  std::filesystem::remove_all(data);
}

}  // namespace
