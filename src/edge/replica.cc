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
#include <set>
#include <span>

#include "ledger/compliance.h"
#include "ledger/domains.h"
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

Result<std::vector<ledger::ProofKey>> domain_keys(const Domain& d) {
  std::vector<ledger::ProofKey> keys;
  keys.reserve(3 * d.names.size() + 2 * d.orgs.size() + 3 * d.models.size());
  for (const std::string& n : d.names) {
    TM_TRY(ledger::check_name(n, ledger::kHardMaxNameLen));
    keys.push_back({ledger::schema::name_key(n)});
    const std::string subject = ledger::device_subject(n);
    if (subject.size() > ledger::kMaxSubjectLen) continue;  // no claim or domain can name it
    keys.push_back(ledger::claims_root(subject));
    keys.push_back(ledger::domain_root(subject));
  }
  for (const std::string& o : d.orgs) {
    if (o.empty() || o.size() > 64) {
      return make_error(ErrorCode::kInvalidArgument, "org id '" + o + "' must be 1..64 characters");
    }
    keys.push_back({ledger::schema::org_key(o)});
    keys.push_back(ledger::claims_root("org:" + o));
  }
  for (const std::string& m : d.models) {
    TM_ASSIGN_OR_RETURN(auto ids, ledger::parse_model_id(m));
    keys.push_back({ledger::schema::model_key(ids.first, ids.second)});
    const std::string subject = ledger::model_subject(ids.first, ids.second);
    keys.push_back(ledger::claims_root(subject));
    keys.push_back(ledger::domain_root(subject));
  }
  return keys;
}

size_t proof_ask_count(const Domain& d) {
  return 3 * d.names.size() + 2 * d.orgs.size() + 3 * d.models.size();
}

ProofAsk proof_ask(const Domain& d, size_t i) {
  if (i < 3 * d.names.size()) {
    const std::string& n = d.names[i / 3];
    if (i % 3 == 0) return {"names", n};
    const std::string subject = ledger::device_subject(n);
    if (subject.size() > ledger::kMaxSubjectLen) return {nullptr, {}};  // as domain_keys: nothing to ask
    return {i % 3 == 1 ? "claims_about" : "domain_of", subject};
  }
  i -= 3 * d.names.size();
  if (i < 2 * d.orgs.size()) {
    const std::string& o = d.orgs[i / 2];
    return i % 2 == 0 ? ProofAsk{"orgs", o} : ProofAsk{"claims_about", "org:" + o};
  }
  i -= 2 * d.orgs.size();
  const std::string& m = d.models[i / 3];
  auto ids = ledger::parse_model_id(m);
  const std::string subject = ids.ok() ? ledger::model_subject(ids->first, ids->second) : "model:" + m;
  switch (i % 3) {
    case 0: return {"models", m};
    case 1: return {"claims_about", subject};
    default: return {"domain_of", subject};
  }
}

Replica::~Replica() = default;

Result<std::unique_ptr<Replica>> Replica::open(const std::string& dir, light::TrustAnchor anchor,
                                               Domain domain) {
  TM_ASSIGN_OR_RETURN(std::vector<ledger::ProofKey> keys, domain_keys(domain));
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
  for (ledger::ProofKey& k : keys) {
    Fixed f{k.role};
    if (k.role == ledger::ProofRole::kClaimCount) {
      f.subject = static_cast<uint32_t>(r->subjects_.size());
      r->subjects_.push_back(std::move(k.subject));
    }
    r->fixed_.emplace(std::move(k.key), f);
  }

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
  // The stored entries that have their header. Entries left from a larger
  // domain lost their headers when those were pruned: they are dropped,
  // never served (and re-fetched if tracked again).
  std::map<Bytes, uint64_t> stored;
  for (it->Seek("e"); it->Valid() && it->key().starts_with("e"); it->Next()) {
    rocksdb::Slice k = it->key();
    ByteView key(reinterpret_cast<const uint8_t*>(k.data()) + 1, k.size() - 1);
    TM_ASSIGN_OR_RETURN(store::BundleEntry e, decode_entry(key, it->value().ToStringView()));
    if (headers_.count(e.height)) stored.emplace(std::move(e.key), e.height);
  }
  if (!it->status().ok()) return io_error("cannot read the edge replica", it->status());
  // What is tracked: the fixed keys, then what held values lead to.
  std::vector<ledger::ProofKey> level;
  for (const auto& [key, f] : fixed_) level.push_back(fixed_key(key, f));
  while (!level.empty()) {
    std::vector<ledger::ProofKey> next;
    for (const ledger::ProofKey& k : level) {
      auto st = stored.find(k.key);
      if (st == stored.end()) continue;
      held_.emplace(k.key, st->second);
      ++per_height_[st->second];
      if (k.role == ledger::ProofRole::kValue) continue;
      TM_ASSIGN_OR_RETURN(store::BundleEntry e, read_entry(k.key));
      std::vector<ledger::ProofKey> children = ledger::next_keys(k, e.value);
      for (const ledger::ProofKey& c : children) {
        if (fixed_.count(c.key)) continue;
        Linked& l = linked_[c.key];
        l.min_height = std::max(l.min_height, e.height);
        if (l.refs++ == 0) {
          l.role = c.role;
          next.push_back(c);
        }
      }
      relink(k.key, std::move(children), nullptr);
    }
    level = std::move(next);
  }
  rocksdb::WriteBatch drop;
  for (const auto& [key, height] : stored) {
    if (!held_.count(key)) drop.Delete(entry_key(key));
  }
  if (drop.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Write(wo, &drop);
    if (!s.ok()) return io_error("cannot clean the edge replica", s);
  }
  return Status::Ok();
}

ledger::ProofKey Replica::fixed_key(const Bytes& key, const Fixed& f) const {
  return {key, f.role, f.subject < subjects_.size() ? subjects_[f.subject] : std::string()};
}

std::optional<ledger::ProofKey> Replica::find_tracked(ByteView key) const {
  Bytes k(key.begin(), key.end());
  if (auto f = fixed_.find(k); f != fixed_.end()) return fixed_key(f->first, f->second);
  if (auto l = linked_.find(k); l != linked_.end()) return ledger::ProofKey{std::move(k), l->second.role, {}};
  return std::nullopt;
}

// Keeps `e` (newer than what is held) for tracked key `k`, re-deriving what
// its value leads to.
void Replica::put(const store::BundleEntry& e, const ledger::ProofKey& k, rocksdb::WriteBatch& batch) {
  auto [it, fresh] = held_.try_emplace(e.key, e.height);
  if (!fresh) {
    if (--per_height_[it->second] == 0) per_height_.erase(it->second);
    it->second = e.height;
  }
  ++per_height_[e.height];
  batch.Put(entry_key(e.key), encode_entry(e));
  if (k.role != ledger::ProofRole::kValue) {
    std::vector<ledger::ProofKey> children = ledger::next_keys(k, e.value);
    for (const ledger::ProofKey& c : children) {
      if (fixed_.count(c.key)) continue;
      Linked& l = linked_[c.key];
      l.min_height = std::max(l.min_height, e.height);
      if (l.refs++ == 0) l.role = c.role;
    }
    relink(e.key, std::move(children), &batch);
  }
}

// Records that `parent`'s held value leads to `children` (already counted),
// releasing what it led to before.
void Replica::relink(const Bytes& parent, std::vector<ledger::ProofKey> children,
                     rocksdb::WriteBatch* batch) {
  std::vector<Bytes> old;
  if (auto it = links_.find(parent); it != links_.end()) old = std::move(it->second);
  std::vector<Bytes> keys;
  keys.reserve(children.size());
  for (ledger::ProofKey& c : children) {
    if (!fixed_.count(c.key)) keys.push_back(std::move(c.key));
  }
  if (keys.empty()) {
    links_.erase(parent);
  } else {
    links_[parent] = std::move(keys);
  }
  for (const Bytes& k : old) unref(k, batch);
}

// One held value less leads to `key`; at none it is no longer tracked, and
// its entry and what it led to go.
void Replica::unref(const Bytes& key, rocksdb::WriteBatch* batch) {
  auto l = linked_.find(key);
  TM_ASSERT(l != linked_.end() && l->second.refs > 0);
  if (--l->second.refs > 0) return;
  linked_.erase(l);
  if (auto h = held_.find(key); h != held_.end()) {
    if (--per_height_[h->second] == 0) per_height_.erase(h->second);
    held_.erase(h);
    if (batch != nullptr) batch->Delete(entry_key(key));
  }
  std::vector<Bytes> led;
  if (auto it = links_.find(key); it != links_.end()) {
    led = std::move(it->second);
    links_.erase(it);
  }
  for (const Bytes& k : led) unref(k, batch);
}

Result<IngestResult> Replica::ingest(store::ProofBundle bundle) {
  TM_ASSIGN_OR_RETURN(light::VerifiedBundle vb, light::verify_bundle(anchor_, std::move(bundle)));
  IngestResult out;
  std::unique_lock lock(mu_);
  rocksdb::WriteBatch batch;
  // An entry may be tracked only through another of the same bundle (a
  // claim through its index entry, that through the count): passes until
  // one takes nothing.
  std::vector<bool> seen(vb.entries.size(), false);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < vb.entries.size(); ++i) {
      if (seen[i]) continue;
      const store::BundleEntry& e = vb.entries[i];
      const std::optional<ledger::ProofKey> k = find_tracked(e.key);
      if (!k) continue;
      seen[i] = progress = true;
      auto held = held_.find(e.key);
      if (held != held_.end() && e.height <= held->second) {
        ++out.unchanged;
        continue;
      }
      auto l = linked_.find(e.key);
      if (l != linked_.end() && e.height < l->second.min_height) {
        ++out.unchanged;  // older than the entry that leads to it
        continue;
      }
      // Held below the entry that leads to it: re-taken whatever the refresh
      // bound, so what this replica hands peers is never older than its parent.
      const bool behind_parent =
          l != linked_.end() && held != held_.end() && held->second < l->second.min_height;
      if (held != held_.end() && refresh_s_ != 0 && !behind_parent) {
        Result<bool> fresh_enough = same_and_recent(e, held->second, vb);
        if (!fresh_enough.ok()) {
          TM_TRY(reload());  // put() may have run for earlier entries: back to the disk's state
          return fresh_enough.error();
        }
        if (*fresh_enough) {
          ++out.unchanged;
          continue;
        }
      }
      put(e, *k, batch);
      ++out.updated;
    }
  }
  out.ignored = static_cast<size_t>(std::count(seen.begin(), seen.end(), false));
  if (batch.Count() == 0) return out;

  // Headers for the heights entries now sit at; unreferenced ones go.
  std::map<uint64_t, HeaderInfo> added;
  for (const auto& [height, count] : per_height_) {
    (void)count;
    if (headers_.count(height)) continue;
    auto h = vb.headers.find(height);
    if (h == vb.headers.end()) {
      TM_TRY(reload());
      return make_error(ErrorCode::kInternal, "the replica holds entries at height " +
                                                  std::to_string(height) + " but no header for them");
    }
    added.emplace(height, HeaderInfo{h->second.raw, h->second.verified.header.time});
    batch.Put(header_key(height), encode_header(h->second.raw));
  }
  std::vector<uint64_t> pruned;
  for (const auto& [height, info] : headers_) {
    (void)info;
    if (!per_height_.count(height)) {
      batch.Delete(header_key(height));
      pruned.push_back(height);
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) {
    Error e = io_error("cannot write the edge replica", s);
    TM_TRY(reload());  // the memory state went ahead of the disk: rebuild it from the disk
    return e;
  }
  for (auto& [height, info] : added) headers_.emplace(height, std::move(info));
  for (uint64_t height : pruned) headers_.erase(height);
  return out;
}

void Replica::set_refresh(uint64_t seconds) {
  std::unique_lock lock(mu_);
  refresh_s_ = seconds;
}

// Whether `e` (newer than the held entry at `held_height`) carries the held
// value and its block is less than refresh_s_ newer: then it is not taken.
Result<bool> Replica::same_and_recent(const store::BundleEntry& e, uint64_t held_height,
                                      const light::VerifiedBundle& vb) const {
  auto held_header = headers_.find(held_height);
  auto offered = vb.headers.find(e.height);
  if (held_header == headers_.end() || offered == vb.headers.end()) return false;
  const uint64_t offered_time = offered->second.verified.header.time;
  if (offered_time >= held_header->second.time + refresh_s_) return false;
  TM_ASSIGN_OR_RETURN(store::BundleEntry stored, read_entry(e.key));
  return stored.value == e.value;
}

// Rebuilds the memory state from RocksDB (after a failed write).
Status Replica::reload() {
  linked_.clear();
  links_.clear();
  held_.clear();
  per_height_.clear();
  headers_.clear();
  return load();
}

bool Replica::tracks(ByteView key) const {
  std::shared_lock lock(mu_);
  return is_tracked(Bytes(key.begin(), key.end()));
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

Result<store::BundleEntry> Replica::read_entry(ByteView key) const {
  std::string raw;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), entry_key(key), &raw);
  if (!s.ok()) return io_error("cannot read the edge replica", s);
  return decode_entry(key, raw);
}

std::vector<const Bytes*> Replica::held_under(std::vector<const Bytes*> level, bool* missing) const {
  std::vector<const Bytes*> order;
  std::set<const Bytes*> seen;
  while (!level.empty()) {
    std::vector<const Bytes*> next;
    for (const Bytes* key : level) {
      auto h = held_.find(*key);
      if (h == held_.end()) {
        if (missing != nullptr) *missing = true;
        continue;
      }
      if (!seen.insert(&h->first).second) continue;
      order.push_back(&h->first);
      if (auto l = links_.find(*key); l != links_.end()) {
        for (const Bytes& c : l->second) next.push_back(&c);
      }
    }
    level = std::move(next);
  }
  return order;
}

Result<store::ProofBundle> Replica::bundle_of(std::span<const Bytes* const> keys) const {
  store::ProofBundle b;
  b.chain_id = anchor_.chain_id;
  std::set<uint64_t> heights;
  for (const Bytes* key : keys) {
    TM_ASSIGN_OR_RETURN(store::BundleEntry e, read_entry(*key));
    heights.insert(e.height);
    b.entries.push_back(std::move(e));
  }
  for (uint64_t h : heights) {
    auto it = headers_.find(h);
    if (it == headers_.end())
      return make_error(ErrorCode::kInternal, "the replica holds no header at height " + std::to_string(h));
    b.headers.push_back(it->second.header);
  }
  return b;
}

Result<Replica::Page> Replica::since(uint64_t since, size_t offset, size_t limit) const {
  std::shared_lock lock(mu_);
  // The held keys newer than `since`: the fixed ones, then what they lead to, level by level.
  std::vector<const Bytes*> fixed;
  fixed.reserve(fixed_.size());
  for (const auto& [key, f] : fixed_) fixed.push_back(&key);
  std::vector<const Bytes*> order = held_under(std::move(fixed), nullptr);
  std::erase_if(order, [&](const Bytes* key) { return held_.at(*key) <= since; });
  const size_t begin = std::min(order.size(), offset);
  const size_t end = std::min(order.size(), offset + std::max<size_t>(limit, 1));
  Page page;
  TM_ASSIGN_OR_RETURN(page.bundle,
                      bundle_of(std::span<const Bytes* const>(order).subspan(begin, end - begin)));
  page.next = end < order.size() ? end : 0;
  return page;
}

Result<std::optional<Bytes>> Replica::value(ByteView key) const {
  std::shared_lock lock(mu_);
  if (!is_tracked(Bytes(key.begin(), key.end())))
    return make_error(ErrorCode::kNotFound, "this edge server does not keep that state key");
  if (!held_.count(Bytes(key.begin(), key.end())))
    return make_error(ErrorCode::kLedgerUnavailable,
                      "this edge server has not verified that state yet; it has not reached a ledger node "
                      "or a peer since it started tracking it");
  TM_ASSIGN_OR_RETURN(store::BundleEntry e, read_entry(key));
  return std::move(e.value);
}

Result<store::ProofBundle> Replica::proof_of(const ledger::ProofKey& root) const {
  std::shared_lock lock(mu_);
  if (!is_tracked(root.key)) return make_error(ErrorCode::kNotFound, "not in this edge server's domain");
  bool missing = false;
  const std::vector<const Bytes*> keys = held_under({&root.key}, &missing);
  if (missing) {
    return make_error(ErrorCode::kLedgerUnavailable,
                      "this edge server has not verified all of it yet; retry after its next sync");
  }
  return bundle_of(keys);
}

ReplicaStats Replica::stats() const {
  std::shared_lock lock(mu_);
  ReplicaStats st;
  st.tracked = fixed_.size() + linked_.size();
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
