// FileSignLog: the validator's write-ahead log of its own signatures
// (consensus::SignLog) in one append-only file, `<data>/consensus/sign.wal`.
//
// Record framing: u32 big-endian length || payload || first 4 bytes of
// SHA-256(payload). Every append is written and fdatasync'd before it
// returns, so a signature leaves the process only after its record is on disk.
//
// Invariants: load() returns every record whose append returned; a crash can
// only tear the LAST record (a partial write), which open() cuts off; damage
// anywhere else is reported as an error and the node refuses to start (it
// must not sign again without knowing what it signed).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "consensus/signer.h"

namespace trustmesh::node {

class FileSignLog final : public consensus::SignLog {
 public:
  // Opens (creating the file and its directory if needed) and checks the log.
  static Result<std::shared_ptr<FileSignLog>> open(const std::string& path);
  ~FileSignLog() override;

  Status append(ByteView record) override;
  Result<std::vector<Bytes>> load() const override;
  // Writes `records` to a new file, syncs it and renames it over the log.
  Status rewrite(const std::vector<Bytes>& records) override;

 private:
  FileSignLog(std::string path, int fd, std::vector<Bytes> records)
      : path_(std::move(path)), fd_(fd), records_(std::move(records)) {}
  const std::string path_;
  mutable std::mutex mu_;
  int fd_ = -1;
  std::vector<Bytes> records_;  // what the file holds, in order
};

}  // namespace trustmesh::node
