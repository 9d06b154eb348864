// Sparse Merkle tree over 256-bit keys (see proof.h for the hashing rules),
// with nodes kept in a NodeStore: the I/O seam (RocksDB in production, memory
// in tests), in the spirit of LevelDB's Env.
//
// Nodes are immutable and content-addressed (stored under their own hash), so
// every old root stays readable: the tree is versioned for free, and a batch
// update only adds nodes. Updates are applied a batch (one block) at a time.
//
// Invariants: the root depends only on the final key/value set, never on the
// order or batching of updates; a subtree with one key is a leaf; an internal
// node always has >= 2 keys below it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/bytes.h"
#include "store/proof.h"

namespace trustmesh::store {

struct Node {
  enum class Kind : uint8_t { kLeaf = 0, kInternal = 1 };
  Kind kind;
  Hash32 a;  // leaf: key_hash;   internal: left child hash
  Hash32 b;  // leaf: value_hash; internal: right child hash

  Hash32 hash() const;
  Bytes serialize() const;  // 65 bytes: kind byte, a, b
  static Result<Node> parse(ByteView data);
  bool operator==(const Node&) const = default;
};

class NodeStore {
 public:
  virtual ~NodeStore() = default;
  // nullopt if absent. Errors only for I/O or corruption.
  virtual Result<std::optional<Node>> get_node(const Hash32& hash) const = 0;
};

class MemNodeStore : public NodeStore {
 public:
  Result<std::optional<Node>> get_node(const Hash32& hash) const override;
  void put(const Hash32& hash, const Node& node) { nodes_[hash] = node; }
  size_t size() const { return nodes_.size(); }

 private:
  std::map<Hash32, Node> nodes_;
};

struct TreeUpdate {
  Hash32 key_hash;
  std::optional<Hash32> value_hash;  // nullopt = delete
};

// Applies `updates` (any order; at most one per key, asserted) to the tree
// rooted at `root`. New nodes are added to `new_nodes` (keyed by hash); nodes
// already there are looked up before `store`. Returns the new root.
Result<Hash32> apply_updates(const NodeStore& store, const Hash32& root, std::vector<TreeUpdate> updates,
                             std::map<Hash32, Node>& new_nodes);

// Proof of membership or non-membership of key_hash under root.
Result<Proof> prove(const NodeStore& store, const Hash32& root, const Hash32& key_hash);

// Value hash stored for key_hash under root, or nullopt.
Result<std::optional<Hash32>> lookup(const NodeStore& store, const Hash32& root, const Hash32& key_hash);

}  // namespace trustmesh::store
