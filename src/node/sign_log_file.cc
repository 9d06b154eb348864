// FileSignLog (see sign_log_file.h).
#include "node/sign_log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/hash.h"

namespace trustmesh::node {

namespace {

constexpr size_t kMaxRecord = 64 << 20;  // a proposal with its block is far below this

Error io_error(const std::string& what, const std::string& path) {
  return make_error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(errno));
}

uint32_t get_u32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

Status write_all(int fd, const uint8_t* data, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<FileSignLog>> FileSignLog::open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open signature log", path);
  Bytes data;
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      ::close(fd);
      return io_error("cannot read signature log", path);
    }
    if (r == 0) break;
    data.insert(data.end(), buf, buf + r);
  }
  std::vector<Bytes> records;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t left = data.size() - pos;
    bool torn = left < 4;
    uint32_t len = torn ? 0 : get_u32(&data[pos]);
    if (!torn && len > kMaxRecord) {
      ::close(fd);
      return make_error(ErrorCode::kIo, "signature log " + path + " is damaged at byte " +
                                            std::to_string(pos) + " (record length " + std::to_string(len) +
                                            "); restore it from a backup: the validator must not sign "
                                            "without knowing what it signed");
    }
    torn = torn || left < 4 + size_t{len} + 4;
    if (!torn) {
      ByteView payload(&data[pos + 4], len);
      Hash32 h = sha256(payload);
      if (std::memcmp(h.data(), &data[pos + 4 + len], 4) != 0) {
        if (pos + 4 + len + 4 == data.size()) {
          torn = true;  // the last record, half written when the process died
        } else {
          ::close(fd);
          return make_error(ErrorCode::kIo, "signature log " + path + " has a bad checksum at byte " +
                                                std::to_string(pos) + "; restore it from a backup");
        }
      }
    }
    if (torn) {
      // Only the tail can be torn: its append never returned, so nothing it
      // held was ever sent. Cut it off.
      if (::ftruncate(fd, static_cast<off_t>(pos)) != 0 || ::fdatasync(fd) != 0) {
        ::close(fd);
        return io_error("cannot repair signature log", path);
      }
      break;
    }
    records.emplace_back(data.begin() + static_cast<ptrdiff_t>(pos + 4),
                         data.begin() + static_cast<ptrdiff_t>(pos + 4 + len));
    pos += 4 + size_t{len} + 4;
  }
  if (::lseek(fd, 0, SEEK_END) < 0) {
    ::close(fd);
    return io_error("cannot seek signature log", path);
  }
  return std::shared_ptr<FileSignLog>(new FileSignLog(path, fd, std::move(records)));
}

FileSignLog::~FileSignLog() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {
Bytes frame_of(ByteView record) {
  Bytes frame;
  frame.reserve(record.size() + 8);
  const uint32_t len = static_cast<uint32_t>(record.size());
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<uint8_t>(len >> shift));
  frame.insert(frame.end(), record.begin(), record.end());
  Hash32 h = sha256(record);
  frame.insert(frame.end(), h.begin(), h.begin() + 4);
  return frame;
}
}  // namespace

Status FileSignLog::rewrite(const std::vector<Bytes>& records) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", tmp);
  for (const Bytes& r : records) {
    Bytes frame = frame_of(r);
    if (Status s = write_all(fd, frame.data(), frame.size(), tmp); !s.ok()) {
      ::close(fd);
      return s;
    }
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return io_error("cannot sync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return io_error("cannot replace", path_);
  std::string dir = std::filesystem::path(path_).parent_path().string();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  int nfd = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (nfd < 0) return io_error("cannot reopen", path_);
  ::close(fd_);
  fd_ = nfd;
  records_ = records;
  return Status::Ok();
}

Status FileSignLog::append(ByteView record) {
  if (record.size() > kMaxRecord)
    return make_error(ErrorCode::kInvalidArgument, "signature record too large");
  Bytes frame = frame_of(record);
  std::lock_guard<std::mutex> lock(mu_);
  TM_TRY(write_all(fd_, frame.data(), frame.size(), path_));
  if (::fdatasync(fd_) != 0) return io_error("cannot sync signature log", path_);
  records_.emplace_back(record.begin(), record.end());
  return Status::Ok();
}

Result<std::vector<Bytes>> FileSignLog::load() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_;
}

}  // namespace trustmesh::node
