// Sparse Merkle tree nodes, batch updates, proofs and lookups over a NodeStore
// (see smt.h for the model and proof.h for the hashing rules).
//
// Invariants kept here:
//  * compaction: every subtree with exactly one key is that key's leaf, every
//    empty subtree is empty_hash(), every internal node has >= 2 keys below;
//    combine() is the only place internal nodes are made and enforces this, so
//    the root depends only on the final key/value set;
//  * nodes are immutable and content-addressed: an update only adds nodes, and
//    only nodes reachable from the new root are added to new_nodes;
//  * depth never exceeds kMaxTreeDepth (two distinct 256-bit keys differ at
//    some bit); a stored tree deeper than that is reported as corruption.
#include "store/smt.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

namespace trustmesh::store {

Hash32 Node::hash() const {
  return kind == Kind::kLeaf ? leaf_hash(a, b) : internal_hash(a, b);
}

Bytes Node::serialize() const {
  Bytes out(65);
  out[0] = static_cast<uint8_t>(kind);
  std::memcpy(out.data() + 1, a.data(), 32);
  std::memcpy(out.data() + 33, b.data(), 32);
  return out;
}

Result<Node> Node::parse(ByteView data) {
  if (data.size() != 65) {
    return make_error(ErrorCode::kMalformed,
                      "tree node must be 65 bytes, got " + std::to_string(data.size()));
  }
  if (data[0] > static_cast<uint8_t>(Kind::kInternal)) {
    return make_error(ErrorCode::kMalformed, "tree node has unknown kind " + std::to_string(data[0]));
  }
  Node n;
  n.kind = static_cast<Kind>(data[0]);
  std::memcpy(n.a.data(), data.data() + 1, 32);
  std::memcpy(n.b.data(), data.data() + 33, 32);
  if (n.kind == Kind::kInternal && n.a == empty_hash() && n.b == empty_hash()) {
    return make_error(ErrorCode::kMalformed, "internal tree node with two empty children");
  }
  return n;
}

Result<std::optional<Node>> MemNodeStore::get_node(const Hash32& hash) const {
  auto it = nodes_.find(hash);
  if (it == nodes_.end()) return std::optional<Node>();
  return std::optional<Node>(it->second);
}

namespace {

using UpdateSpan = std::span<const TreeUpdate>;

// A subtree as seen while combining. kUnknown: a stored node we have not
// loaded (untouched by the batch); its kind is resolved only if needed.
struct Sub {
  enum class Kind : uint8_t { kEmpty, kLeaf, kInternal, kUnknown };
  Hash32 hash;
  Kind kind;
};

Sub empty_sub() {
  return Sub{empty_hash(), Sub::Kind::kEmpty};
}

Error too_deep() {
  return make_error(ErrorCode::kInternal,
                    "tree deeper than " + std::to_string(kMaxTreeDepth) + " (corrupt store)");
}

Result<Node> load_node(const NodeStore& store, const std::map<Hash32, Node>* new_nodes, const Hash32& hash) {
  if (new_nodes != nullptr) {
    auto it = new_nodes->find(hash);
    if (it != new_nodes->end()) return it->second;
  }
  TM_ASSIGN_OR_RETURN(std::optional<Node> n, store.get_node(hash));
  if (!n) return make_error(ErrorCode::kNotFound, "tree node not found: " + to_hex(hash));
  return *n;
}

class Updater {
 public:
  // Nodes this update creates are never loaded again by it (loads only reach
  // the old tree), so new_nodes is searched only if the caller passed nodes in.
  Updater(const NodeStore& store, std::map<Hash32, Node>& new_nodes)
      : store_(store), new_nodes_(new_nodes), pending_(new_nodes.empty() ? nullptr : &new_nodes) {}

  // Applies `ups` (sorted, distinct keys, all sharing the first `depth` bits
  // with each other and with the subtree) to the subtree `hash` at `depth`.
  Result<Sub> update(const Hash32& hash, size_t depth, UpdateSpan ups) {
    if (ups.empty()) return hash == empty_hash() ? empty_sub() : Sub{hash, Sub::Kind::kUnknown};
    if (hash == empty_hash()) return build_from(depth, ups, nullptr);
    TM_ASSIGN_OR_RETURN(Node node, load_node(store_, pending_, hash));
    if (node.kind == Node::Kind::kLeaf) return build_from(depth, ups, &node);
    if (depth >= kMaxTreeDepth) return too_deep();
    auto mid = std::partition_point(ups.begin(), ups.end(),
                                    [&](const TreeUpdate& u) { return !key_bit(u.key_hash, depth); });
    size_t split = static_cast<size_t>(mid - ups.begin());
    TM_ASSIGN_OR_RETURN(Sub left, update(node.a, depth + 1, ups.subspan(0, split)));
    TM_ASSIGN_OR_RETURN(Sub right, update(node.b, depth + 1, ups.subspan(split)));
    return combine(left, right);
  }

 private:
  // The subtree at `depth` holding the inserts of `ups` plus, unless `ups`
  // updates or deletes its key, the existing leaf `old`.
  Result<Sub> build_from(size_t depth, UpdateSpan ups, const Node* old) {
    std::vector<TreeUpdate> kv;
    kv.reserve(ups.size() + 1);
    bool old_pending = old != nullptr;
    for (const TreeUpdate& u : ups) {
      if (old_pending && old->a <= u.key_hash) {
        if (old->a != u.key_hash) kv.push_back(TreeUpdate{old->a, old->b});
        old_pending = false;
      }
      if (u.value_hash) kv.push_back(u);
    }
    if (old_pending) kv.push_back(TreeUpdate{old->a, old->b});
    return build(depth, kv);
  }

  // The subtree at `depth` holding exactly `kv` (sorted, distinct, all inserts).
  Sub build(size_t depth, UpdateSpan kv) {
    if (kv.empty()) return empty_sub();
    if (kv.size() == 1) return add(Node{Node::Kind::kLeaf, kv[0].key_hash, *kv[0].value_hash});
    // Two distinct keys differ at some bit < 256, so we split before running out.
    TM_ASSERT(depth < kMaxTreeDepth);
    auto mid = std::partition_point(kv.begin(), kv.end(),
                                    [&](const TreeUpdate& u) { return !key_bit(u.key_hash, depth); });
    size_t split = static_cast<size_t>(mid - kv.begin());
    Sub left = build(depth + 1, kv.subspan(0, split));
    Sub right = build(depth + 1, kv.subspan(split));
    // build() never yields kUnknown, so combine() cannot fail here.
    Result<Sub> r = combine(left, right);
    TM_ASSERT(r.ok());
    return *r;
  }

  // The subtree whose children at the next depth are `left` and `right`.
  Result<Sub> combine(Sub left, Sub right) {
    if (left.kind == Sub::Kind::kEmpty && right.kind == Sub::Kind::kEmpty) return empty_sub();
    if (left.kind == Sub::Kind::kEmpty || right.kind == Sub::Kind::kEmpty) {
      Sub& other = left.kind == Sub::Kind::kEmpty ? right : left;
      if (other.kind == Sub::Kind::kUnknown) {
        TM_ASSIGN_OR_RETURN(Node n, load_node(store_, pending_, other.hash));
        other.kind = n.kind == Node::Kind::kLeaf ? Sub::Kind::kLeaf : Sub::Kind::kInternal;
      }
      // A lone leaf moves up (its hash does not depend on its depth).
      if (other.kind == Sub::Kind::kLeaf) return other;
    }
    return add(Node{Node::Kind::kInternal, left.hash, right.hash});
  }

  Sub add(const Node& n) {
    Hash32 h = n.hash();
    new_nodes_.emplace(h, n);
    return Sub{h, n.kind == Node::Kind::kLeaf ? Sub::Kind::kLeaf : Sub::Kind::kInternal};
  }

  const NodeStore& store_;
  std::map<Hash32, Node>& new_nodes_;
  const std::map<Hash32, Node>* pending_;  // caller's nodes not yet in store_, or null
};

// Walks from `root` along key_hash's bits to the terminal (empty or a leaf),
// collecting the siblings if `siblings` is not null.
Result<std::optional<Node>> walk(const NodeStore& store, const Hash32& root, const Hash32& key_hash,
                                 std::vector<Hash32>* siblings) {
  Hash32 h = root;
  for (size_t depth = 0;; ++depth) {
    if (h == empty_hash()) return std::optional<Node>();
    TM_ASSIGN_OR_RETURN(Node n, load_node(store, nullptr, h));
    if (n.kind == Node::Kind::kLeaf) return std::optional<Node>(n);
    if (depth >= kMaxTreeDepth) return too_deep();
    bool bit = key_bit(key_hash, depth);
    if (siblings != nullptr) siblings->push_back(bit ? n.a : n.b);
    h = bit ? n.b : n.a;
  }
}

}  // namespace

Result<Hash32> apply_updates(const NodeStore& store, const Hash32& root, std::vector<TreeUpdate> updates,
                             std::map<Hash32, Node>& new_nodes) {
  std::sort(updates.begin(), updates.end(),
            [](const TreeUpdate& x, const TreeUpdate& y) { return x.key_hash < y.key_hash; });
  for (size_t i = 1; i < updates.size(); ++i) TM_ASSERT(updates[i - 1].key_hash != updates[i].key_hash);
  Updater u(store, new_nodes);
  TM_ASSIGN_OR_RETURN(Sub s, u.update(root, 0, updates));
  return s.hash;
}

Result<Proof> prove(const NodeStore& store, const Hash32& root, const Hash32& key_hash) {
  Proof p;
  TM_ASSIGN_OR_RETURN(std::optional<Node> t, walk(store, root, key_hash, &p.siblings));
  if (t) p.terminal = ProofLeaf{t->a, t->b};
  return p;
}

Result<std::optional<Hash32>> lookup(const NodeStore& store, const Hash32& root, const Hash32& key_hash) {
  TM_ASSIGN_OR_RETURN(std::optional<Node> t, walk(store, root, key_hash, nullptr));
  if (t && t->a == key_hash) return std::optional<Hash32>(t->b);
  return std::optional<Hash32>();
}

}  // namespace trustmesh::store
