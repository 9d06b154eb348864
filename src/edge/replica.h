// The light replica of an edge server: the verified state of the keys its
// domain needs, each with the signed header and the proof that show it, kept
// in RocksDB so the server answers after a restart without reaching any
// ledger node. The keys are the domain's device names, orgs and models
// (fixed), and linked keys found through held values (ledger/proof_keys.h):
// the claims about each device, model and org (count -> index -> claim) and
// the access domain of each device and model (place -> domain record).
//
// Invariants:
//  * Only verified data is stored: ingest() runs light::verify_bundle on the
//    whole bundle first, against the anchor the replica was created with (a
//    replica opened with another chain or validator set refuses to open).
//  * Per key, the height only grows: an entry replaces the stored one only
//    if it is from a later block, so an old (even genuine) bundle pushed by a
//    peer never rolls a revocation back. With a refresh bound (set_refresh),
//    a newer entry whose value is the held one's is taken only once the held
//    one's block is that much older: a changed value (a revocation) is always
//    taken at once, and a gateway does not rewrite its whole domain to flash
//    every sync round.
//  * Only tracked keys are kept. Tracked = the fixed keys plus the keys the
//    held values of tracked keys lead to; when a held value stops leading to
//    a key (a device moved to another domain), that key and what it led to
//    are dropped in the same batch. Every stored entry's header is stored,
//    and headers no entry refers to are deleted in the same write batch.
//  * Each ingest is one synced RocksDB write batch: a crash keeps all of it or
//    none of it.
// Thread safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "consensus/block.h"
#include "ledger/proof_keys.h"
#include "ledger/state.h"
#include "light/bundle_verify.h"
#include "light/trust_anchor.h"
#include "store/proof_bundle.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace trustmesh::edge {

// What an edge server keeps and proves: its devices (names), the orgs and
// models (vid/pid) they depend on.
struct Domain {
  std::vector<std::string> names;
  std::vector<std::string> orgs;
  std::vector<std::string> models;  // "vid/pid"
  size_t size() const { return names.size() + orgs.size() + models.size(); }
};

// The fixed ledger state keys of a domain, checked (kBadName,
// kInvalidArgument): each name, org and model record, and the roots of the
// claims about them and of their access domain.
Result<std::vector<ledger::ProofKey>> domain_keys(const Domain& d);
// What an edge server asks a ledger node to prove for its domain, one item
// at a time (a large domain is never copied): a POST /v1/proofs field
// (names, orgs, models, claims_about, domain_of) and an item; items
// 0..proof_ask_count(d)-1 cover exactly domain_keys(d) (a null field: nothing to ask).
struct ProofAsk {
  const char* field;
  std::string item;
};
size_t proof_ask_count(const Domain& d);
ProofAsk proof_ask(const Domain& d, size_t i);

// One stored answer: the entry and the header it is proven under.
struct HeldEntry {
  store::BundleEntry entry;
  store::BundleHeader header;
  uint64_t header_time = 0;  // seconds since the epoch (the block's time)
};

struct ReplicaStats {
  size_t tracked = 0;          // keys in the domain
  size_t held = 0;             // keys with a verified entry
  uint64_t oldest_height = 0;  // lowest entry height (0 if none held)
  uint64_t newest_height = 0;
  uint64_t newest_time = 0;  // time of the newest header held
  size_t headers = 0;
};

struct IngestResult {
  size_t updated = 0;    // entries newer than the held ones
  size_t unchanged = 0;  // entries not newer than the held ones
  size_t ignored = 0;    // entries for keys outside the domain
};

class Replica {
 public:
  static constexpr size_t kPageEntries = 20'000;

  static Result<std::unique_ptr<Replica>> open(const std::string& dir, light::TrustAnchor anchor,
                                               Domain domain);
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Verifies the bundle and keeps what is newer (see the invariants).
  Result<IngestResult> ingest(store::ProofBundle bundle);
  // Unchanged values are re-taken only when the held entry's block is at
  // least `seconds` older than the offered one's (0: always; the default).
  void set_refresh(uint64_t seconds);

  bool tracks(ByteView key) const;
  // The verified entry of a tracked key; nullopt if none is held yet.
  Result<std::optional<HeldEntry>> lookup(ByteView key) const;
  // The held entries with height > `since`, with their headers: what a peer
  // that holds everything up to `since` may lack. In pages of at most
  // `limit` entries from `offset`, parents before what they lead to (so a
  // peer that takes the pages in order can track each entry when it comes);
  // `next` is the offset of the next page, 0 after the last.
  struct Page {
    store::ProofBundle bundle;
    size_t next = 0;
  };
  Result<Page> since(uint64_t since, size_t offset = 0, size_t limit = kPageEntries) const;
  // The held entries under a root (the claims about a subject, its domain),
  // root first, with their headers: what a device verifies with
  // light::verify_bundle. kNotFound if the root is not tracked,
  // kLedgerUnavailable while any of it is not held yet.
  Result<store::ProofBundle> proof_of(const ledger::ProofKey& root) const;
  // The held value of a tracked key (nullopt: proven absent). kNotFound if
  // it is not tracked, kLedgerUnavailable if it is not held yet: a reader
  // never mistakes "not synced" for "absent".
  Result<std::optional<Bytes>> value(ByteView key) const;

  ReplicaStats stats() const;
  const Domain& domain() const { return domain_; }
  const light::TrustAnchor& anchor() const { return anchor_; }

 private:
  Replica() = default;
  Status load();
  Status reload();
  Result<bool> same_and_recent(const store::BundleEntry& e, uint64_t held_height,
                               const light::VerifiedBundle& vb) const;
  // The tracked key's role and subject (nullopt: not tracked).
  std::optional<ledger::ProofKey> find_tracked(ByteView key) const;
  // The stored entry of a key known to be held.
  Result<store::BundleEntry> read_entry(ByteView key) const;
  // The held keys under `level` (parents before the keys they lead to), each
  // once; `*missing` is set when a key reached is not held.
  std::vector<const Bytes*> held_under(std::vector<const Bytes*> level, bool* missing) const;
  // The stored entries of `keys`, in that order, with their headers.
  Result<store::ProofBundle> bundle_of(std::span<const Bytes* const> keys) const;
  bool is_tracked(const Bytes& key) const { return fixed_.count(key) > 0 || linked_.count(key) > 0; }
  void put(const store::BundleEntry& e, const ledger::ProofKey& k, rocksdb::WriteBatch& batch);
  void relink(const Bytes& parent, std::vector<ledger::ProofKey> children, rocksdb::WriteBatch* batch);
  void unref(const Bytes& key, rocksdb::WriteBatch* batch);

  struct HeaderInfo {
    store::BundleHeader header;
    uint64_t time = 0;
  };

  light::TrustAnchor anchor_;
  Domain domain_;
  // Compact: a 100,000-device domain has 300,000 of each.
  struct Fixed {
    ledger::ProofRole role = ledger::ProofRole::kValue;
    uint32_t subject = UINT32_MAX;  // index into subjects_ for a claim count
  };
  ledger::ProofKey fixed_key(const Bytes& key, const Fixed& f) const;
  std::map<Bytes, Fixed> fixed_;       // the domain's own keys
  std::vector<std::string> subjects_;  // of the claim counts among them
  std::unique_ptr<rocksdb::DB> db_;
  // Guards the members below and the entries in RocksDB against a header
  // pruned under a reader: ingest holds it exclusively, readers shared.
  mutable std::shared_mutex mu_;
  struct Linked {
    ledger::ProofRole role = ledger::ProofRole::kValue;  // index entry or record: no subject needed
    uint32_t refs = 0;                                   // held values that lead to it
    // The height of the newest held entry that leads to it: an entry of it
    // from before is refused, so an old genuine copy (a domain record from
    // before a member lost read) is not taken after the link was seen.
    uint64_t min_height = 0;
  };
  std::map<Bytes, Linked> linked_;             // tracked keys found through held values
  std::map<Bytes, std::vector<Bytes>> links_;  // held key -> the keys its value leads to
  std::map<Bytes, uint64_t> held_;             // key -> entry height
  std::map<uint64_t, size_t> per_height_;      // entry height -> entries at it
  std::map<uint64_t, HeaderInfo> headers_;     // the stored headers, by height
  uint64_t refresh_s_ = 0;                     // guarded by mu_
};

}  // namespace trustmesh::edge
