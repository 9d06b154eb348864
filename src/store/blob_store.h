// The off-chain content-addressed store: firmware images, device
// configurations and test reports kept as plain files named by their SHA-256
// (the ledger carries the hash and size: release, name config and claim
// records). A node keeps it in <data dir>/blobs and serves it at /v1/blobs.
//
// Layout: <dir>/<first byte hex>/<64 lowercase hex>, e.g. ab/abcd...; temp
// files of uploads in progress are <dir>/<first byte hex>/.tmp-<hex>-<random>
// (same directory, so the final rename is atomic and never crosses a file
// system).
//
// Invariants:
//  * A file under a hash name was written whole, hashed while streaming, and
//    fsync'd before it was renamed to that name: it hashes to its name (unless
//    someone changes it on disk behind the store's back).
//  * A write that fails (wrong hash, wrong size, over the limit, an I/O error,
//    or abandoned: the writer destroyed without commit) leaves nothing behind:
//    its temp file is removed. A crash mid-write may leave a .tmp- file, which
//    is never served and is removed by open().
//  * Storing content that is already there is idempotent: the new copy is
//    still verified, then dropped, and the existing file stays.
//  * Reading does NOT re-hash: serving a large file stays cheap, and the
//    client verifies what it downloads against the hash it asked for (and the
//    size on the ledger), which also catches on-disk tampering.
//  * Never touches RocksDB or the ledger: what may be stored is the caller's
//    decision (api/handlers_blobs.cc checks the ledger).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/hash.h"

namespace trustmesh::store {

class BlobStore;

// One upload in progress: bytes in, hashed and written to a temp file.
// Move-only; destroying it without commit() removes the temp file.
class BlobWriter {
 public:
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  BlobWriter(const BlobWriter&) = delete;
  ~BlobWriter();

  // Appends a chunk. kTooLarge (and the temp file removed) once the total
  // passes the expected size or the limit; kIo on a write error.
  Status write(ByteView chunk);
  // fsyncs and checks the hash (and the expected size, when given), without
  // storing yet: what must be recorded about verified content only (a
  // configuration's subjects) goes between verify() and commit().
  // kVerificationFailure if the hash or size differs (nothing is kept).
  Status verify();
  // verify() (if not done), then renames the temp file into place.
  // true: newly stored; false: it was already there.
  Result<bool> commit();
  // Drops the upload (removes the temp file). Idempotent.
  void abort();

  uint64_t written() const { return written_; }
  const Hash32& expected() const { return expected_; }

 private:
  friend class BlobStore;
  BlobWriter(std::string final_path, const Hash32& expected, std::optional<uint64_t> expected_size,
             uint64_t max_size, int fd, std::string tmp_path);
  Status fail(Error e);

  std::string final_path_;
  Hash32 expected_;
  std::optional<uint64_t> expected_size_;
  uint64_t max_size_;
  int fd_ = -1;
  std::string tmp_path_;
  std::unique_ptr<Sha256> hasher_;  // Sha256 does not move
  uint64_t written_ = 0;
  bool verified_ = false;
  bool done_ = false;
};

// A stored blob opened for streaming. Move-only; closes its descriptor.
class BlobReader {
 public:
  BlobReader(BlobReader&& other) noexcept;
  BlobReader& operator=(BlobReader&& other) noexcept;
  BlobReader(const BlobReader&) = delete;
  ~BlobReader();

  uint64_t size() const { return size_; }
  // Reads up to `n` bytes into `buf`; 0 at the end. kIo on a read error.
  Result<size_t> read(uint8_t* buf, size_t n);

 private:
  friend class BlobStore;
  BlobReader(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  uint64_t size_ = 0;
};

class BlobStore {
 public:
  // Creates `dir` if needed and removes stale temp files of crashed uploads.
  static Result<BlobStore> open(const std::string& dir);

  const std::string& dir() const { return dir_; }
  std::string path_of(const Hash32& sha256) const;  // <dir>/ab/abcd...

  bool has(const Hash32& sha256) const;
  // The stored size; nullopt if absent.
  std::optional<uint64_t> size(const Hash32& sha256) const;
  // kNotFound if absent.
  Result<BlobReader> open_read(const Hash32& sha256) const;

  // Starts an upload of content that must hash to `expected`. With
  // `expected_size`, it must be exactly that long; it may never exceed
  // `max_size` (checked while streaming).
  Result<BlobWriter> begin(const Hash32& expected, std::optional<uint64_t> expected_size,
                           uint64_t max_size) const;
  // The device subjects ("device:<name>") a blob is the configuration of,
  // kept beside it in <path>.subjects, one per line: reading it is allowed
  // as reading any of them is (api/handlers_blobs.cc). add_subject writes
  // (tmp + fsync + rename) before the blob itself is committed, so a crash
  // never leaves a configuration without the subjects that guard it.
  Status add_subject(const Hash32& sha256, std::string_view subject) const;
  Result<std::vector<std::string>> subjects(const Hash32& sha256) const;

  // begin + write + commit for content already in memory.
  Result<bool> put(const Hash32& expected, ByteView data) const;

 private:
  explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace trustmesh::store
