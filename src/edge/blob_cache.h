// The edge server's share of the off-chain store (store/blob_store.h):
// firmware images, configurations and test reports its devices fetch, kept
// under <data>/blobs. A blob it does not hold is fetched from a ledger node
// (GET /v1/blobs/{sha256}), streamed into the store and kept only if it hashes
// to the name it was asked by, so a cut-off site keeps serving what it fetched
// before, and a node (or anyone between) cannot slip in other content.
//
// A device configuration (a node answers it with X-Blob-Kind:
// configuration) is fetched only when the caller asks for one
// (Kind::kConfiguration: the edge server has checked the asker's right from
// its replica, edge/access.h), with the server's own member key when it has
// one (sign_with), and is kept marked as a configuration.
//
// Invariants: everything in the store was verified against its SHA-256 on
// the way in (BlobWriter::commit); a failed or partial fetch leaves nothing;
// a configuration is marked before it is committed, so it is never kept
// unmarked (is_configuration).
// Thread safety: fetch() may run on many threads at once; two fetches of one
// blob both verify, and the second finds it stored.
#pragma once

#include <string>
#include <vector>

#include "core/keys.h"
#include "store/blob_store.h"

namespace trustmesh::edge {

class BlobCache {
 public:
  BlobCache(store::BlobStore store, std::vector<std::string> nodes, uint64_t max_bytes = 256ull << 20)
      : store_(std::move(store)), nodes_(std::move(nodes)), max_bytes_(max_bytes) {}

  enum class Kind { kPublic, kConfiguration };

  // Requests to nodes are signed with this key (a member of the domains
  // whose configurations this server serves) for chain `chain_id`.
  void sign_with(KeyPair key, std::string chain_id);

  const store::BlobStore& store() const { return store_; }
  // Ok once the blob is held: already, or fetched and verified now.
  // kNotFound if no node has it, kLedgerUnavailable if none answered,
  // kAccessDenied for a device configuration asked for as kPublic, or one the
  // node refuses this server's key, kVerificationFailure if what came does
  // not hash to `sha256`.
  // At most `max_bytes` are fetched (0: the cache's limit). A
  // configuration is kept with the subjects the node names for it
  // (X-Blob-Subjects: "device:<name>@<registered_at>" ...); one without them
  // is refused.
  Status fetch(const Hash32& sha256, Kind kind = Kind::kPublic, uint64_t max_bytes = 0) const;
  // Whether a held blob was fetched as a device configuration.
  Result<bool> is_configuration(const Hash32& sha256) const;
  // The subjects of a held configuration ("device:<name>@<registered_at>").
  Result<std::vector<std::string>> configuration_subjects(const Hash32& sha256) const;

 private:
  std::optional<KeyPair> key_;
  std::string chain_id_;
  store::BlobStore store_;
  std::vector<std::string> nodes_;
  uint64_t max_bytes_;
};

}  // namespace trustmesh::edge
