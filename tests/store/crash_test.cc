// Crash test: a forked writer commits deterministic blocks to a StateDb as fast
// as it can and is SIGKILLed at scheduled moments (likely mid-commit). After
// each kill the database must hold whole blocks 1..h only: its height, root,
// per-height roots and flat state must equal an independent in-memory replay of
// blocks 1..h. The next writer resumes from height()+1 on the same directory.
//
// RocksDB's process-wide background threads do not survive fork(), so this
// process must not use RocksDB until it has forked its last child: each check
// after a kill runs in a forked verifier (which inherits the replay state and
// reports through a pipe and its exit code); only the final check, after the
// last kill, opens the database in this process.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>

#include "store/proof.h"
#include "store/smt.h"
#include "store/state_db.h"
#include "store/store_util.h"

namespace trustmesh::store {
namespace {

using testing_util::block_changes;
using testing_util::bytes_of;
using testing_util::TempDir;

constexpr uint64_t kKeySpace = 5000;
constexpr size_t kKeysPerBlock = 200;

ChangeSet block(uint64_t h) {
  return block_changes(h, kKeysPerBlock, kKeySpace);
}

// Blocks 1..n replayed into memory, without RocksDB (and without gtest, so it
// can run in a forked child).
struct Replay {
  MemNodeStore nodes;
  std::vector<Hash32> roots{empty_hash()};  // roots[h] after block h
  std::map<Bytes, Bytes> state;             // flat state after block height()

  uint64_t height() const { return roots.size() - 1; }

  void advance_to(uint64_t h) {
    while (height() < h) {
      ChangeSet cs = block(height() + 1);
      std::map<Hash32, Node> new_nodes;
      Result<Hash32> r = apply_updates(nodes, roots.back(), tree_updates(cs), new_nodes);
      TM_ASSERT(r.ok());
      for (const auto& [hash, node] : new_nodes) nodes.put(hash, node);
      roots.push_back(*r);
      for (const auto& [k, v] : cs) {
        if (v) {
          state[k] = *v;
        } else {
          state.erase(k);
        }
      }
      if (height() % 64 == 0) collect_garbage();
    }
  }

  // Keeps only the nodes of the latest tree (old roots are kept as hashes).
  void collect_garbage() {
    MemNodeStore live;
    std::vector<Hash32> todo{roots.back()};
    while (!todo.empty()) {
      Hash32 h = todo.back();
      todo.pop_back();
      if (h == empty_hash()) continue;
      std::optional<Node> n = *nodes.get_node(h);
      TM_ASSERT(n.has_value());
      live.put(h, *n);
      if (n->kind == Node::Kind::kInternal) {
        todo.push_back(n->a);
        todo.push_back(n->b);
      }
    }
    nodes = std::move(live);
  }
};

// Compares the database with the replay; returns "" or what differs.
std::string check_db(const StateDb& db, Replay& replay, uint64_t min_height) {
  uint64_t h = db.height();
  if (h < min_height) {
    return "height went from at least " + std::to_string(min_height) + " to " + std::to_string(h);
  }
  replay.advance_to(h);
  if (db.root() != replay.roots[h]) return "root of height " + std::to_string(h) + " differs from the replay";
  for (uint64_t i = 0; i <= h; ++i) {
    Result<Hash32> r = db.root_at(i);
    if (!r.ok()) return "root_at(" + std::to_string(i) + "): " + r.error().to_string();
    if (*r != replay.roots[i]) return "root_at(" + std::to_string(i) + ") differs from the replay";
  }
  for (uint64_t i = 0; i < kKeySpace; ++i) {
    Bytes k = bytes_of("key/" + std::to_string(i));
    Result<std::optional<Bytes>> got = db.get(k);
    if (!got.ok()) return "get: " + got.error().to_string();
    auto it = replay.state.find(k);
    bool want = it != replay.state.end();
    if (got->has_value() != want || (want && **got != it->second)) {
      return "flat state of key/" + std::to_string(i) + " differs from the replay";
    }
    if (i % 97 == 0) {
      Result<Proof> p = db.prove(k);
      if (!p.ok()) return "prove: " + p.error().to_string();
      Status s =
          want ? verify_membership(db.root(), k, it->second, *p) : verify_non_membership(db.root(), k, *p);
      if (!s.ok()) return "proof of key/" + std::to_string(i) + ": " + s.error().to_string();
    }
  }
  return "";
}

StateDbOptions db_options() {
  StateDbOptions o;
  o.sync = true;
  o.block_cache_mb = 8;
  o.node_cache_mb = 4;
  return o;
}

// Child: commits blocks height()+1, height()+2, ... until killed. Writes one
// byte to `fd` after its first commit.
[[noreturn]] void run_writer(const std::string& path, int fd) {
  Result<std::unique_ptr<StateDb>> db = StateDb::open(path, db_options());
  if (!db.ok()) {
    std::fprintf(stderr, "writer: %s\n", db.error().to_string().c_str());
    _exit(3);
  }
  for (bool signaled = false;;) {
    uint64_t h = (*db)->height() + 1;
    Result<Hash32> r = (*db)->commit(h, block(h));
    if (!r.ok()) {
      std::fprintf(stderr, "writer: commit %llu: %s\n", static_cast<unsigned long long>(h),
                   r.error().to_string().c_str());
      _exit(4);
    }
    if (!signaled) {
      char c = 'x';
      if (write(fd, &c, 1) != 1) _exit(5);
      signaled = true;
    }
  }
}

// Child: opens the database, checks it against the replay, writes its height
// (8 bytes) to `fd`; exit code 0 iff the check passed.
[[noreturn]] void run_verifier(const std::string& path, Replay& replay, uint64_t min_height, int fd) {
  Result<std::unique_ptr<StateDb>> db = StateDb::open(path, db_options());
  if (!db.ok()) {
    std::fprintf(stderr, "verifier: %s\n", db.error().to_string().c_str());
    _exit(3);
  }
  std::string err = check_db(**db, replay, min_height);
  uint64_t h = (*db)->height();
  db->reset();
  if (write(fd, &h, sizeof(h)) != static_cast<ssize_t>(sizeof(h))) _exit(5);
  if (!err.empty()) {
    std::fprintf(stderr, "verifier: %s\n", err.c_str());
    _exit(1);
  }
  _exit(0);
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

TEST(StateDbCrash, SigkillLeavesWholeBlocks) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  Replay replay;
  uint64_t verified = 0;  // height confirmed by the last check
  const int kDelaysMs[] = {60, 250, 120, 400, 50, 300, 90, 180};
  auto start = std::chrono::steady_clock::now();

  for (int delay_ms : kDelaysMs) {
    // Writer.
    int sig[2];
    ASSERT_EQ(pipe(sig), 0);
    std::fflush(nullptr);
    pid_t writer = fork();
    ASSERT_GE(writer, 0);
    if (writer == 0) {
      close(sig[0]);
      run_writer(path, sig[1]);
    }
    close(sig[1]);
    pollfd pfd{sig[0], POLLIN, 0};
    int ready = poll(&pfd, 1, 20000);
    char c = 0;
    bool started = ready == 1 && read(sig[0], &c, 1) == 1;
    close(sig[0]);
    if (started) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(writer, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(writer, &status, 0), writer);
    ASSERT_TRUE(started) << "writer made no commit: " << describe(status);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer " << describe(status);

    // Verifier.
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    std::fflush(nullptr);
    pid_t verifier = fork();
    ASSERT_GE(verifier, 0);
    if (verifier == 0) {
      close(out[0]);
      run_verifier(path, replay, verified + 1, out[1]);
    }
    close(out[1]);
    uint64_t h = 0;
    ssize_t n = read(out[0], &h, sizeof(h));
    close(out[0]);
    ASSERT_EQ(waitpid(verifier, &status, 0), verifier);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "check after kill (delay " << delay_ms << " ms) failed: verifier " << describe(status);
    ASSERT_EQ(n, static_cast<ssize_t>(sizeof(h)));
    ASSERT_GT(h, verified);
    verified = h;
    replay.advance_to(h);
  }
  EXPECT_GE(verified, std::size(kDelaysMs));

  // Final check in this process (no forks after this), then resume once more.
  Result<std::unique_ptr<StateDb>> db = StateDb::open(path, db_options());
  ASSERT_TRUE(db.ok()) << db.error().to_string();
  EXPECT_EQ((*db)->height(), verified);
  EXPECT_EQ(check_db(**db, replay, verified), "");
  Result<Hash32> r = (*db)->commit(verified + 1, block(verified + 1));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  replay.advance_to(verified + 1);
  EXPECT_EQ(*r, replay.roots.back());

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("crash test: %zu kills, final height %llu, %.1f s\n", std::size(kDelaysMs),
              static_cast<unsigned long long>(verified), secs);
}

}  // namespace
}  // namespace trustmesh::store
