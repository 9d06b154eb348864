// StateDb: authenticated, versioned state on one RocksDB instance (layout in
// state_db.h): flat latest state, content-addressed tree nodes, per-height roots.
//
// Invariants kept here:
//  * a height is committed by exactly one RocksDB WriteBatch (nodes, flat state,
//    root of h, "m"+"height"), written with WriteOptions.sync = opts.sync, so a
//    crash leaves all of h or none of it (RocksDB recovers the WAL to a point in
//    time and drops a torn tail record);
//  * height_ and root_ change only after that write succeeded, and always
//    equal what open() would read back; height 0 is the empty state unless a
//    genesis state was committed (then "r"+0 holds its root);
//  * nodes are never deleted or overwritten with different content (a node's
//    key is its hash), so root_at(h) stays provable for every committed h.
#include "store/state_db.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "store/node_cache.h"

namespace trustmesh::store {

namespace {

constexpr char kStatePrefix = 's';
constexpr char kNodePrefix = 'n';
constexpr char kRootPrefix = 'r';
constexpr std::string_view kHeightKey = "mheight";

std::string state_key(ByteView key) {
  std::string k;
  k.reserve(1 + key.size());
  k.push_back(kStatePrefix);
  k.append(reinterpret_cast<const char*>(key.data()), key.size());
  return k;
}

std::string node_key(const Hash32& hash) {
  std::string k(1, kNodePrefix);
  k.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return k;
}

std::string u64_be(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

std::string root_key(uint64_t height) {
  return std::string(1, kRootPrefix) + u64_be(height);
}

std::string digest_key(uint64_t height) {
  return "b" + u64_be(height);
}

rocksdb::Slice slice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
rocksdb::Slice slice(ByteView b) {
  return rocksdb::Slice(reinterpret_cast<const char*>(b.data()), b.size());
}

Error io_error(const std::string& what, const rocksdb::Status& s) {
  return make_error(ErrorCode::kIo, what + ": " + s.ToString());
}

Result<uint64_t> parse_height(const std::string& v) {
  if (v.size() != 8) {
    return make_error(ErrorCode::kIo,
                      "corrupt state db: height record is " + std::to_string(v.size()) + " bytes");
  }
  return read_u64_be(as_bytes(v));
}

Result<Hash32> parse_root(const std::string& v, uint64_t height) {
  if (v.size() != 32) {
    return make_error(ErrorCode::kIo, "corrupt state db: root of height " + std::to_string(height) + " is " +
                                          std::to_string(v.size()) + " bytes");
  }
  Hash32 h;
  std::copy(v.begin(), v.end(), h.begin());
  return h;
}

}  // namespace

Result<std::unique_ptr<StateDb>> StateDb::open(const std::string& path, const StateDbOptions& opts) {
  if (opts.create_if_missing) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec)
      return make_error(ErrorCode::kIo, "cannot create state db directory " + path + ": " + ec.message());
  }

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(opts.block_cache_mb << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Node keys are uniformly random hashes: whole-key point lookups only.
  table.whole_key_filtering = true;
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;

  rocksdb::Options options;
  options.create_if_missing = opts.create_if_missing;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Most node reads miss the memtable (they are for older nodes): a memtable
  // bloom filter skips the skiplist search for them.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.05;
  options.max_background_jobs = 2;
  options.bytes_per_sync = 1 << 20;
  options.keep_log_file_num = 4;
  options.max_log_file_size = 4 << 20;
  // Compression stays at the default (snappy when RocksDB was built with it).

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return io_error("cannot open state db " + path, s);

  std::unique_ptr<StateDb> db(new StateDb());
  db->db_.reset(raw);
  db->opts_ = opts;
  if (opts.node_cache_mb > 0) db->cache_ = std::make_unique<NodeCache>(opts.node_cache_mb << 20);

  std::string v;
  s = db->db_->Get(rocksdb::ReadOptions(), root_key(0), &v);
  if (!s.ok() && !s.IsNotFound()) return io_error("cannot read genesis root", s);
  db->has_genesis_ = s.ok();
  s = db->db_->Get(rocksdb::ReadOptions(), slice(kHeightKey), &v);
  if (s.IsNotFound()) {
    if (db->has_genesis_)
      return make_error(ErrorCode::kIo, "corrupt state db: genesis root without a height");
    db->height_ = 0;
    db->root_ = empty_hash();
    db->publish_view();
    return db;
  }
  if (!s.ok()) return io_error("cannot read state db height", s);
  TM_ASSIGN_OR_RETURN(db->height_, parse_height(v));
  TM_ASSIGN_OR_RETURN(db->root_, db->root_at(db->height_));
  db->publish_view();
  return db;
}

StateDb::~StateDb() {
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    view_.reset();  // callers must have dropped their views: a view must not outlive its StateDb
  }
  if (db_) {
    rocksdb::Status s = db_->Close();
    (void)s;  // Nothing to do about it here; every commit was already written.
  }
}

Result<Hash32> StateDb::root_at(uint64_t height) const {
  if (height == 0 && !has_genesis_) return empty_hash();
  if (height > height_) {
    return make_error(ErrorCode::kNotFound, "height " + std::to_string(height) + " not committed (latest " +
                                                std::to_string(height_) + ")");
  }
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), root_key(height), &v);
  if (s.IsNotFound()) {
    return make_error(ErrorCode::kIo,
                      "corrupt state db: no root for committed height " + std::to_string(height));
  }
  if (!s.ok()) return io_error("cannot read root of height " + std::to_string(height), s);
  return parse_root(v, height);
}

Result<std::optional<Bytes>> StateDb::get(ByteView key) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), state_key(key), &v);
  if (s.IsNotFound()) return std::optional<Bytes>();
  if (!s.ok()) return io_error("cannot read state", s);
  return std::optional<Bytes>(to_bytes(v));
}

Result<std::optional<Node>> StateDb::get_node(const Hash32& hash) const {
  if (cache_) {
    if (std::optional<Node> n = cache_->get(hash)) return n;
  }
  rocksdb::PinnableSlice v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), node_key(hash), &v);
  if (s.IsNotFound()) return std::optional<Node>();
  if (!s.ok()) return io_error("cannot read tree node", s);
  Result<Node> n = Node::parse(ByteView(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
  if (!n.ok())
    return make_error(ErrorCode::kIo, "corrupt tree node " + to_hex(hash) + ": " + n.error().message);
  if (cache_) cache_->put(hash, *n);
  return std::optional<Node>(*n);
}

Result<Hash32> StateDb::commit(uint64_t height, const ChangeSet& changes,
                               const std::optional<Hash32>& block_digest) {
  if (height != height_ + 1) {
    return make_error(ErrorCode::kInvalidArgument, "commit of height " + std::to_string(height) +
                                                       " but the next height is " +
                                                       std::to_string(height_ + 1));
  }
  return write_height(height, changes, block_digest);
}

Result<std::optional<Hash32>> StateDb::block_digest_at(uint64_t height) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), digest_key(height), &v);
  if (s.IsNotFound()) return std::optional<Hash32>();
  if (!s.ok()) return io_error("cannot read block digest of height " + std::to_string(height), s);
  TM_ASSIGN_OR_RETURN(Hash32 d, parse_root(v, height));
  return std::optional<Hash32>(d);
}

Result<Hash32> StateDb::commit_genesis(const ChangeSet& changes) {
  if (height_ != 0 || has_genesis_) {
    return make_error(ErrorCode::kInvalidArgument,
                      "genesis can only be committed once, before block 1 (height is " +
                          std::to_string(height_) + (has_genesis_ ? ", genesis already committed)" : ")"));
  }
  TM_ASSIGN_OR_RETURN(Hash32 root, write_height(0, changes, std::nullopt));
  has_genesis_ = true;
  return root;
}

std::vector<TreeUpdate> tree_updates(const ChangeSet& changes) {
  std::vector<TreeUpdate> updates;
  updates.reserve(changes.size());
  for (const auto& [key, value] : changes) {
    TreeUpdate u{tree_key(key), std::nullopt};
    if (value) u.value_hash = value_digest(*value);
    updates.push_back(u);
  }
  return updates;
}

Result<Hash32> StateDb::write_height(uint64_t height, const ChangeSet& changes,
                                     const std::optional<Hash32>& digest) {
  TM_ASSERT(height == height_ + 1 || (height == 0 && height_ == 0 && !has_genesis_));
  PreparedCommit p;
  p.height = height;
  TM_ASSIGN_OR_RETURN(p.root, apply_updates(*this, root_, tree_updates(changes), p.new_nodes));
  p.changes = changes;
  return write_prepared(p, digest, {});
}

Result<PreparedCommit> StateDb::prepare(uint64_t height, ChangeSet changes) const {
  if (height != height_ + 1) {
    return make_error(ErrorCode::kInvalidArgument, "prepare of height " + std::to_string(height) +
                                                       " but the next height is " +
                                                       std::to_string(height_ + 1));
  }
  PreparedCommit p;
  p.height = height;
  TM_ASSIGN_OR_RETURN(p.root, apply_updates(*this, root_, tree_updates(changes), p.new_nodes));
  p.changes = std::move(changes);
  return p;
}

Result<Hash32> StateDb::write(const PreparedCommit& prepared, const std::vector<RawWrite>& extra) {
  if (prepared.height != height_ + 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "write of prepared height " + std::to_string(prepared.height) +
                          " but the next height is " + std::to_string(height_ + 1));
  }
  for (const RawWrite& w : extra) {
    if (w.key.empty() || w.key[0] < 'A' || w.key[0] > 'Z')
      return make_error(ErrorCode::kInvalidArgument, "raw entry keys must start with 'A'..'Z'");
  }
  return write_prepared(prepared, std::nullopt, extra);
}

Result<Hash32> StateDb::write_prepared(const PreparedCommit& p, const std::optional<Hash32>& digest,
                                       const std::vector<RawWrite>& extra) {
  const uint64_t height = p.height;
  const Hash32& root = p.root;
  rocksdb::WriteBatch batch;
  rocksdb::Status s;
  for (const auto& [hash, node] : p.new_nodes) {
    Bytes ser = node.serialize();
    s = batch.Put(node_key(hash), slice(ByteView(ser)));
    if (!s.ok()) return io_error("cannot build commit batch", s);
  }
  for (const auto& [key, value] : p.changes) {
    s = value ? batch.Put(state_key(key), slice(ByteView(*value))) : batch.Delete(state_key(key));
    if (!s.ok()) return io_error("cannot build commit batch", s);
  }
  for (const RawWrite& w : extra) {
    s = w.value ? batch.Put(w.key, *w.value) : batch.Delete(w.key);
    if (!s.ok()) return io_error("cannot build commit batch", s);
  }
  s = batch.Put(root_key(height), slice(ByteView(root)));
  if (!s.ok()) return io_error("cannot build commit batch", s);
  s = batch.Put(slice(kHeightKey), u64_be(height));
  if (!s.ok()) return io_error("cannot build commit batch", s);
  if (digest) {
    s = batch.Put(digest_key(height), slice(ByteView(*digest)));
    if (!s.ok()) return io_error("cannot build commit batch", s);
  }

  rocksdb::WriteOptions wo;
  wo.sync = opts_.sync;
  s = db_->Write(wo, &batch);
  if (!s.ok()) return io_error("cannot commit height " + std::to_string(height), s);
  height_ = height;
  root_ = root;
  // The new nodes are the new upper tree: what the next block reads first.
  if (cache_) {
    for (const auto& [hash, node] : p.new_nodes) cache_->put(hash, node);
  }
  publish_view();
  return root;
}

void StateDb::publish_view() {
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  std::shared_ptr<const ReadView> v(new ReadView(*this, snap, height_, root_));
  std::lock_guard<std::mutex> lock(view_mu_);
  view_ = std::move(v);
}

std::shared_ptr<const ReadView> StateDb::view() const {
  std::lock_guard<std::mutex> lock(view_mu_);
  return view_;
}

Result<std::optional<std::string>> StateDb::get_raw(std::string_view key) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), slice(key), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return io_error("cannot read raw entry", s);
  return std::optional<std::string>(std::move(v));
}

ReadView::~ReadView() {
  db_.db_->ReleaseSnapshot(static_cast<const rocksdb::Snapshot*>(snapshot_));
}

namespace {
rocksdb::ReadOptions snapshot_options(const void* snap) {
  rocksdb::ReadOptions ro;
  ro.snapshot = static_cast<const rocksdb::Snapshot*>(snap);
  return ro;
}
}  // namespace

Result<std::optional<Bytes>> ReadView::get(ByteView key) const {
  rocksdb::PinnableSlice v;
  rocksdb::Status s =
      db_.db_->Get(snapshot_options(snapshot_), db_.db_->DefaultColumnFamily(), state_key(key), &v);
  if (s.IsNotFound()) return std::optional<Bytes>();
  if (!s.ok()) return io_error("cannot read state", s);
  return std::optional<Bytes>(Bytes(v.data(), v.data() + v.size()));
}

Result<std::optional<std::string>> ReadView::get_raw(std::string_view key) const {
  std::string v;
  rocksdb::Status s = db_.db_->Get(snapshot_options(snapshot_), slice(key), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return io_error("cannot read raw entry", s);
  return std::optional<std::string>(std::move(v));
}

Result<std::vector<std::pair<std::string, std::string>>> ReadView::scan_raw(std::string_view prefix,
                                                                            size_t limit) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_.db_->NewIterator(snapshot_options(snapshot_)));
  for (it->Seek(slice(prefix)); it->Valid() && out.size() < limit; it->Next()) {
    rocksdb::Slice k = it->key();
    if (!k.starts_with(slice(prefix))) break;
    out.emplace_back(k.ToString(), it->value().ToString());
  }
  if (!it->status().ok()) return io_error("cannot scan raw entries", it->status());
  return out;
}

Result<Proof> ReadView::prove(ByteView key) const {
  return store::prove(db_, root_, tree_key(key));
}

Result<Proof> StateDb::prove(ByteView key, std::optional<uint64_t> height) const {
  TM_ASSIGN_OR_RETURN(Hash32 root, root_at(height.value_or(height_)));
  return store::prove(*this, root, tree_key(key));
}

uint64_t StateDb::disk_bytes() const {
  // Live SST files plus write-ahead logs (*.log); the info log ("LOG*"),
  // MANIFEST and OPTIONS files are bookkeeping and not counted.
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(db_->GetName(), ec)) {
    std::error_code fec;
    if (!e.is_regular_file(fec)) continue;
    std::string ext = e.path().extension().string();
    if (ext != ".sst" && ext != ".log") continue;
    uint64_t size = e.file_size(fec);
    if (!fec) total += size;
  }
  return total;
}

}  // namespace trustmesh::store
