// The light replica of an edge server: the verified state of the keys its
// domain needs (device names, orgs, models), each with the signed header and
// the proof that show it, kept in RocksDB so the server answers after a
// restart without reaching any ledger node.
//
// Invariants:
//  * Only verified data is stored: ingest() runs light::verify_bundle on the
//    whole bundle first, against the anchor the replica was created with (a
//    replica opened with another chain or validator set refuses to open).
//  * Per key, the height only grows: an entry replaces the stored one only
//    if it is from a later block, so an old (even genuine) bundle pushed by a
//    peer never rolls a revocation back.
//  * Only tracked keys are kept; every stored entry's header is stored, and
//    headers no entry refers to are deleted in the same write batch.
//  * Each ingest is one synced RocksDB write batch: a crash keeps all of it or
//    none of it.
// Thread safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "consensus/block.h"
#include "light/trust_anchor.h"
#include "store/proof_bundle.h"

namespace rocksdb {
class DB;
}

namespace trustmesh::edge {

// What an edge server keeps and proves: its devices (names), the orgs and
// models (vid/pid) they depend on.
struct Domain {
  std::vector<std::string> names;
  std::vector<std::string> orgs;
  std::vector<std::string> models;  // "vid/pid"
  size_t size() const { return names.size() + orgs.size() + models.size(); }
};

// The ledger state keys of a domain, checked (kBadName, kInvalidArgument).
Result<std::vector<Bytes>> domain_keys(const Domain& d);

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
  static Result<std::unique_ptr<Replica>> open(const std::string& dir, light::TrustAnchor anchor,
                                               Domain domain);
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Verifies the bundle and keeps what is newer (see the invariants).
  Result<IngestResult> ingest(store::ProofBundle bundle);

  bool tracks(ByteView key) const;
  // The verified entry of a tracked key; nullopt if none is held yet.
  Result<std::optional<HeldEntry>> lookup(ByteView key) const;
  // Every held entry with height > `since`, with their headers: what a peer
  // that holds everything up to `since` may lack.
  Result<store::ProofBundle> since(uint64_t since) const;

  ReplicaStats stats() const;
  const Domain& domain() const { return domain_; }
  const light::TrustAnchor& anchor() const { return anchor_; }

 private:
  Replica() = default;
  Status load();

  struct HeaderInfo {
    store::BundleHeader header;
    uint64_t time = 0;
  };

  light::TrustAnchor anchor_;
  Domain domain_;
  std::set<Bytes> tracked_;
  std::unique_ptr<rocksdb::DB> db_;
  // Guards the members below and the entries in RocksDB against a header
  // pruned under a reader: ingest holds it exclusively, readers shared.
  mutable std::shared_mutex mu_;
  std::map<Bytes, uint64_t> held_;          // key -> entry height
  std::map<uint64_t, size_t> per_height_;   // entry height -> entries at it
  std::map<uint64_t, HeaderInfo> headers_;  // the stored headers, by height
};

}  // namespace trustmesh::edge
