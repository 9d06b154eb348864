// Replica (replica.h). RocksDB layout:
//   "a"                 the anchor: chain id, 0x00, validator set hash
//   "h" + be64(height)  a stored header, as in a bundle (store::encode_bundle_header)
//   "e" + state key     its entry, as in a bundle (store::encode_bundle_entry)
#include "edge/replica.h"

#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>

#include "ledger/compliance.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/schema.h"
#include "light/bundle_verify.h"

namespace trustmesh::edge {

namespace {

constexpr char kAnchorKey[] = "a";

std::string header_key(uint64_t height) {
  std::string k = "h";
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((height >> (8 * i)) & 0xff));
  return k;
}

std::string entry_key(ByteView key) {
  std::string k = "e";
  k.append(reinterpret_cast<const char*>(key.data()), key.size());
  return k;
}

std::string anchor_value(const light::TrustAnchor& a) {
  std::string v = a.chain_id;
  v.push_back('\0');
  Hash32 h = a.validators.hash();
  v.append(reinterpret_cast<const char*>(h.data()), h.size());
  return v;
}

Error io_error(const std::string& what, const rocksdb::Status& s) {
  return make_error(ErrorCode::kIo, what + ": " + s.ToString());
}

std::string as_string(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

std::string encode_header(const store::BundleHeader& h) {
  return as_string(store::encode_bundle_header(h));
}

Result<store::BundleHeader> decode_header(std::string_view raw) {
  return store::decode_bundle_header(as_bytes(raw));
}

std::string encode_entry(const store::BundleEntry& e) {
  return as_string(store::encode_bundle_entry(e));
}

// The stored entry under RocksDB key "e" + `key`; it must be that key's.
Result<store::BundleEntry> decode_entry(ByteView key, std::string_view raw) {
  TM_ASSIGN_OR_RETURN(store::BundleEntry e, store::decode_bundle_entry(as_bytes(raw)));
  if (!std::equal(e.key.begin(), e.key.end(), key.begin(), key.end())) {
    return make_error(ErrorCode::kInternal, "the replica holds an entry under another key");
  }
  return e;
}

}  // namespace

Result<std::vector<Bytes>> domain_keys(const Domain& d) {
  std::vector<Bytes> keys;
  keys.reserve(d.size());
  for (const std::string& n : d.names) {
    TM_TRY(ledger::check_name(n, ledger::kHardMaxNameLen));
    keys.push_back(ledger::schema::name_key(n));
  }
  for (const std::string& o : d.orgs) {
    if (o.empty() || o.size() > 64) {
      return make_error(ErrorCode::kInvalidArgument, "org id '" + o + "' must be 1..64 characters");
    }
    keys.push_back(ledger::schema::org_key(o));
  }
  for (const std::string& m : d.models) {
    TM_ASSIGN_OR_RETURN(auto ids, ledger::parse_model_id(m));
    keys.push_back(ledger::schema::model_key(ids.first, ids.second));
  }
  return keys;
}

Replica::~Replica() = default;

Result<std::unique_ptr<Replica>> Replica::open(const std::string& dir, light::TrustAnchor anchor,
                                               Domain domain) {
  TM_ASSIGN_OR_RETURN(std::vector<Bytes> keys, domain_keys(domain));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_error(ErrorCode::kIo, "cannot create the edge data directory " + dir + ": " + ec.message());

  // Small caches: an edge server runs on a gateway (target: 10,000 devices in
  // well under 100 MiB of memory).
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(8 << 20);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.write_buffer_size = 4 << 20;
  options.max_write_buffer_number = 2;
  options.max_background_jobs = 1;
  options.max_open_files = 64;
  options.keep_log_file_num = 2;
  options.max_log_file_size = 1 << 20;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir + "/replica", &raw);
  if (!s.ok()) return io_error("cannot open the edge replica in " + dir, s);

  std::unique_ptr<Replica> r(new Replica());
  r->db_.reset(raw);
  r->anchor_ = std::move(anchor);
  r->domain_ = std::move(domain);
  r->tracked_ = std::set<Bytes>(keys.begin(), keys.end());

  std::string stored;
  const std::string want = anchor_value(r->anchor_);
  s = r->db_->Get(rocksdb::ReadOptions(), kAnchorKey, &stored);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = r->db_->Put(wo, kAnchorKey, want);
    if (!s.ok()) return io_error("cannot write the edge replica's anchor", s);
  } else if (!s.ok()) {
    return io_error("cannot read the edge replica's anchor", s);
  } else if (stored != want) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "the replica in " + dir + " belongs to another chain or validator set than --genesis (" +
            r->anchor_.chain_id + "); use another --data directory or the genesis it was made with");
  }
  TM_TRY(r->load());
  return r;
}

Status Replica::load() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("h"); it->Valid() && it->key().starts_with("h"); it->Next()) {
    TM_ASSIGN_OR_RETURN(store::BundleHeader h, decode_header(it->value().ToStringView()));
    TM_ASSIGN_OR_RETURN(consensus::BlockHeader bh, consensus::BlockHeader::decode(h.header));
    headers_[bh.height] = HeaderInfo{std::move(h), bh.time};
  }
  // Entries left from a larger domain lost their headers when those were
  // pruned: they are dropped, never served (and re-fetched if tracked again).
  rocksdb::WriteBatch drop;
  for (it->Seek("e"); it->Valid() && it->key().starts_with("e"); it->Next()) {
    rocksdb::Slice k = it->key();
    ByteView key(reinterpret_cast<const uint8_t*>(k.data()) + 1, k.size() - 1);
    TM_ASSIGN_OR_RETURN(store::BundleEntry e, decode_entry(key, it->value().ToStringView()));
    if (!tracked_.count(e.key) || !headers_.count(e.height)) {
      drop.Delete(k);
      continue;
    }
    held_.emplace(std::move(e.key), e.height);
    ++per_height_[e.height];
  }
  if (!it->status().ok()) return io_error("cannot read the edge replica", it->status());
  if (drop.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Write(wo, &drop);
    if (!s.ok()) return io_error("cannot clean the edge replica", s);
  }
  return Status::Ok();
}

Result<IngestResult> Replica::ingest(store::ProofBundle bundle) {
  TM_ASSIGN_OR_RETURN(light::VerifiedBundle vb, light::verify_bundle(anchor_, std::move(bundle)));
  IngestResult out;
  std::unique_lock lock(mu_);
  rocksdb::WriteBatch batch;
  std::map<Bytes, uint64_t> staged;  // key -> the height this batch writes
  for (store::BundleEntry& e : vb.entries) {
    if (!tracked_.count(e.key)) {
      ++out.ignored;
      continue;
    }
    auto st = staged.find(e.key);
    auto held = held_.find(e.key);
    const bool have = st != staged.end() || held != held_.end();
    const uint64_t current = st != staged.end() ? st->second : held != held_.end() ? held->second : 0;
    if (have && e.height <= current) {
      ++out.unchanged;
      continue;
    }
    staged[e.key] = e.height;
    batch.Put(entry_key(e.key), encode_entry(e));
  }
  if (staged.empty()) return out;

  // The counts and headers after this batch; unreferenced headers go.
  std::map<uint64_t, size_t> per_height = per_height_;
  for (const auto& [key, height] : staged) {
    auto held = held_.find(key);
    if (held != held_.end() && --per_height[held->second] == 0) per_height.erase(held->second);
    ++per_height[height];
  }
  std::map<uint64_t, HeaderInfo> headers;
  for (const auto& [height, count] : per_height) {
    (void)count;
    auto old = headers_.find(height);
    if (old != headers_.end()) {
      headers.emplace(height, old->second);
      continue;
    }
    auto h = vb.headers.find(height);
    if (h == vb.headers.end()) {
      return make_error(ErrorCode::kInternal, "the replica holds entries at height " +
                                                  std::to_string(height) + " but no header for them");
    }
    headers.emplace(height, HeaderInfo{h->second.raw, h->second.verified.header.time});
    batch.Put(header_key(height), encode_header(h->second.raw));
  }
  for (const auto& [height, info] : headers_) {
    (void)info;
    if (!headers.count(height)) batch.Delete(header_key(height));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) return io_error("cannot write the edge replica", s);
  for (const auto& [key, height] : staged) held_[key] = height;
  per_height_ = std::move(per_height);
  headers_ = std::move(headers);
  out.updated = staged.size();
  return out;
}

bool Replica::tracks(ByteView key) const {
  return tracked_.count(Bytes(key.begin(), key.end())) > 0;
}

Result<std::optional<HeldEntry>> Replica::lookup(ByteView key) const {
  std::shared_lock lock(mu_);
  std::string raw;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), entry_key(key), &raw);
  if (s.IsNotFound()) return std::optional<HeldEntry>();
  if (!s.ok()) return io_error("cannot read the edge replica", s);
  TM_ASSIGN_OR_RETURN(store::BundleEntry e, decode_entry(key, raw));
  auto h = headers_.find(e.height);
  if (h == headers_.end()) {
    return make_error(ErrorCode::kInternal,
                      "the replica holds no header at height " + std::to_string(e.height));
  }
  return std::optional<HeldEntry>(HeldEntry{std::move(e), h->second.header, h->second.time});
}

Result<store::ProofBundle> Replica::since(uint64_t since) const {
  std::shared_lock lock(mu_);
  store::ProofBundle b;
  b.chain_id = anchor_.chain_id;
  for (auto it = headers_.upper_bound(since); it != headers_.end(); ++it)
    b.headers.push_back(it->second.header);
  if (b.headers.empty()) return b;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("e"); it->Valid() && it->key().starts_with("e"); it->Next()) {
    rocksdb::Slice k = it->key();
    ByteView key(reinterpret_cast<const uint8_t*>(k.data()) + 1, k.size() - 1);
    TM_ASSIGN_OR_RETURN(store::BundleEntry e, decode_entry(key, it->value().ToStringView()));
    if (e.height > since && tracked_.count(e.key)) b.entries.push_back(std::move(e));
  }
  if (!it->status().ok()) return io_error("cannot read the edge replica", it->status());
  return b;
}

ReplicaStats Replica::stats() const {
  std::shared_lock lock(mu_);
  ReplicaStats st;
  st.tracked = tracked_.size();
  st.held = held_.size();
  if (!per_height_.empty()) {
    st.oldest_height = per_height_.begin()->first;
    st.newest_height = per_height_.rbegin()->first;
  }
  if (!headers_.empty()) st.newest_time = headers_.rbegin()->second.time;
  st.headers = headers_.size();
  return st;
}

}  // namespace trustmesh::edge
