// Authenticated, versioned state on RocksDB: the flat key/value state at the
// latest height (for fast reads), the sparse Merkle tree nodes (for roots and
// proofs at every height) and the root of each committed height.
//
// Layout (one RocksDB instance, key prefixes):
//   "s" + state key        -> value at the latest committed height
//   "n" + node hash (32)   -> Node::serialize()
//   "r" + height (u64 BE)  -> root hash after that height (height 0: genesis, if any)
//   "m" + "height"         -> latest committed height (u64 BE)
//   "b" + height (u64 BE)  -> the caller's 32-byte digest of that block's input
//                             (optional; lets a replay check it is continuing
//                             the same chain)
//   'A'..'Z' + anything    -> raw entries of higher layers (block store,
//                             indexes), written in the same batch as a height
//
// Invariants: commit(h, ...) requires h == height() + 1 and writes everything
// for h in one synced WriteBatch, so after a crash (even SIGKILL mid-commit)
// open() finds either all of h or none of it. Height 0 is the state before the
// first block: empty (root = empty_hash()) unless commit_genesis() stored an
// initial state, which it may do once, before block 1, in the same atomic way.
//
// Threads: one writer thread calls commit/prepare/write/commit_genesis and
// the plain accessors (height(), root(), get(), prove()). Any thread may call
// view() and use the ReadView it returns, concurrently with the writer: a view
// is a RocksDB snapshot of one committed height, so everything read through it
// (state, raw entries, proofs) is of that one height.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "ledger/state.h"
#include "store/proof.h"
#include "store/smt.h"

namespace rocksdb {
class DB;
}

namespace trustmesh::store {

class NodeCache;

// A block's state changes: key -> new value, or nullopt to delete.
using ChangeSet = std::map<Bytes, std::optional<Bytes>>;

// The tree updates of a change set: (SHA-256(key), SHA-256(value) or delete).
std::vector<TreeUpdate> tree_updates(const ChangeSet& changes);

// An entry outside the authenticated state, committed atomically with a
// height. Keys must start with an uppercase ASCII letter (the store's own
// prefixes are lowercase). nullopt deletes.
struct RawWrite {
  std::string key;
  std::optional<std::string> value;
};

// A height whose root is computed but not yet written (two-phase commit: the
// node needs the root for the block header before the block is stored).
struct PreparedCommit {
  uint64_t height = 0;
  Hash32 root{};
  ChangeSet changes;
  std::map<Hash32, Node> new_nodes;
};

class StateDb;

// A consistent read-only view of one committed height.
// A ledger::StateReader too: ledger code (compliance reads, trust evaluation)
// reads a snapshot directly.
class ReadView : public ledger::StateReader {
 public:
  ~ReadView() override;
  ReadView(const ReadView&) = delete;
  ReadView& operator=(const ReadView&) = delete;
  uint64_t height() const { return height_; }
  const Hash32& root() const { return root_; }
  Result<std::optional<Bytes>> get(ByteView key) const override;
  Result<std::optional<std::string>> get_raw(std::string_view key) const;
  // Raw entries whose key starts with `prefix`, in key order, at most `limit`.
  Result<std::vector<std::pair<std::string, std::string>>> scan_raw(std::string_view prefix,
                                                                    size_t limit) const;
  Result<Proof> prove(ByteView key) const;  // under root()

 private:
  friend class StateDb;
  ReadView(const StateDb& db, const void* snapshot, uint64_t height, const Hash32& root)
      : db_(db), snapshot_(snapshot), height_(height), root_(root) {}
  const StateDb& db_;
  const void* snapshot_;  // rocksdb::Snapshot
  uint64_t height_;
  Hash32 root_;
};

struct StateDbOptions {
  bool create_if_missing = true;
  bool sync = true;  // fsync each commit (crash safety); benchmarks may turn off
  size_t block_cache_mb = 256;
  // Parsed tree nodes kept in memory in front of RocksDB (0 = none): the
  // upper levels of the tree are read by every commit and every proof.
  size_t node_cache_mb = 64;
};

class StateDb : public NodeStore {
 public:
  static Result<std::unique_ptr<StateDb>> open(const std::string& path, const StateDbOptions& opts = {});
  ~StateDb() override;

  uint64_t height() const { return height_; }
  const Hash32& root() const { return root_; }
  Result<Hash32> root_at(uint64_t height) const;  // kNotFound if not committed

  // Latest committed value of a state key.
  Result<std::optional<Bytes>> get(ByteView key) const;

  // Commits the changes as height `height` (must be height()+1); returns the new root.
  // `block_digest`, if given, is stored with the height in the same batch.
  Result<Hash32> commit(uint64_t height, const ChangeSet& changes,
                        const std::optional<Hash32>& block_digest = std::nullopt);
  // Two-phase form of commit: prepare computes the root without writing;
  // write stores it together with `extra` raw entries in one synced batch.
  // The prepared height must still be height()+1 when written.
  Result<PreparedCommit> prepare(uint64_t height, ChangeSet changes) const;
  Result<Hash32> write(const PreparedCommit& prepared, const std::vector<RawWrite>& extra = {});

  // A raw entry (see RawWrite) at the latest committed height.
  Result<std::optional<std::string>> get_raw(std::string_view key) const;

  // The latest committed height as a consistent view; safe from any thread.
  std::shared_ptr<const ReadView> view() const;

  // The digest stored by commit(height, ...), or nullopt if none was given.
  Result<std::optional<Hash32>> block_digest_at(uint64_t height) const;

  // Commits the initial state as height 0; returns its root. Only on a fresh
  // database (height() == 0, no genesis yet), else kInvalidArgument.
  Result<Hash32> commit_genesis(const ChangeSet& changes);
  bool has_genesis() const { return has_genesis_; }

  // Proof for a state key under the root of `height` (default: latest).
  Result<Proof> prove(ByteView key, std::optional<uint64_t> height = std::nullopt) const;

  // NodeStore.
  Result<std::optional<Node>> get_node(const Hash32& hash) const override;

  // Approximate bytes on disk (RocksDB live SST + WAL), for benchmarks.
  uint64_t disk_bytes() const;

 private:
  friend class ReadView;
  StateDb() = default;
  Result<Hash32> write_height(uint64_t height, const ChangeSet& changes, const std::optional<Hash32>& digest);
  Result<Hash32> write_prepared(const PreparedCommit& p, const std::optional<Hash32>& digest,
                                const std::vector<RawWrite>& extra);
  void publish_view();
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<NodeCache> cache_;  // null if opts_.node_cache_mb == 0
  StateDbOptions opts_;
  uint64_t height_ = 0;
  Hash32 root_{};
  bool has_genesis_ = false;  // "r" + 0 is stored
  mutable std::mutex view_mu_;
  std::shared_ptr<const ReadView> view_;  // guarded by view_mu_
};

}  // namespace trustmesh::store
