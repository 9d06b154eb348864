// The edge server's share of the off-chain store (store/blob_store.h):
// firmware images, configurations and test reports its devices fetch, kept
// under <data>/blobs. A blob it does not hold is fetched from a ledger node
// (GET /v1/blobs/{sha256}), streamed into the store and kept only if it hashes
// to the name it was asked by, so a cut-off site keeps serving what it fetched
// before, and a node (or anyone between) cannot slip in other content.
//
// Invariants: everything in the store was verified against its SHA-256 on
// the way in (BlobWriter::commit); a failed or partial fetch leaves nothing.
// Thread safety: fetch() may run on many threads at once; two fetches of one
// blob both verify, and the second finds it stored.
#pragma once

#include <string>
#include <vector>

#include "store/blob_store.h"

namespace trustmesh::edge {

class BlobCache {
 public:
  BlobCache(store::BlobStore store, std::vector<std::string> nodes, uint64_t max_bytes = 256ull << 20)
      : store_(std::move(store)), nodes_(std::move(nodes)), max_bytes_(max_bytes) {}

  const store::BlobStore& store() const { return store_; }
  // Ok once the blob is held: already, or fetched and verified now.
  // kNotFound if no node has it, kLedgerUnavailable if none answered,
  // kAccessDenied for a device configuration (never held here: its readers
  // follow its device's access domain, which only a node checks),
  // kVerificationFailure if what came does not hash to `sha256`.
  Status fetch(const Hash32& sha256) const;

 private:
  store::BlobStore store_;
  std::vector<std::string> nodes_;
  uint64_t max_bytes_;
};

}  // namespace trustmesh::edge
