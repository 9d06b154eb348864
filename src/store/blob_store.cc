// BlobStore (blob_store.h): POSIX files, fsync'd temp file + rename.
#include "store/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

namespace trustmesh::store {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTmpPrefix = ".tmp-";

Error io_error(const std::string& what, const std::string& path) {
  return make_error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(errno));
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync directory", dir);
  return Status::Ok();
}

}  // namespace

// --- BlobWriter ---

BlobWriter::BlobWriter(std::string final_path, const Hash32& expected, std::optional<uint64_t> expected_size,
                       uint64_t max_size, int fd, std::string tmp_path)
    : final_path_(std::move(final_path)),
      expected_(expected),
      expected_size_(expected_size),
      max_size_(max_size),
      fd_(fd),
      tmp_path_(std::move(tmp_path)),
      hasher_(std::make_unique<Sha256>()) {}

BlobWriter::BlobWriter(BlobWriter&& o) noexcept
    : final_path_(std::move(o.final_path_)),
      expected_(o.expected_),
      expected_size_(o.expected_size_),
      max_size_(o.max_size_),
      fd_(std::exchange(o.fd_, -1)),
      tmp_path_(std::move(o.tmp_path_)),
      hasher_(std::move(o.hasher_)),
      written_(o.written_),
      done_(std::exchange(o.done_, true)) {}

BlobWriter::~BlobWriter() {
  abort();
}

void BlobWriter::abort() {
  if (done_) return;
  done_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_path_.c_str());
}

Status BlobWriter::fail(Error e) {
  abort();
  return e;
}

Status BlobWriter::write(ByteView chunk) {
  if (done_) return make_error(ErrorCode::kInternal, "blob upload already finished");
  const uint64_t total = written_ + chunk.size();
  if (expected_size_ && total > *expected_size_)
    return fail(make_error(ErrorCode::kVerificationFailure,
                           "content is longer than the " + std::to_string(*expected_size_) +
                               " bytes recorded for " + to_hex(expected_) + "; nothing was stored"));
  if (total > max_size_)
    return fail(make_error(ErrorCode::kTooLarge, "content exceeds the limit of " + std::to_string(max_size_) +
                                                     " bytes; nothing was stored"));
  hasher_->update(chunk);
  size_t off = 0;
  while (off < chunk.size()) {
    ssize_t n = ::write(fd_, chunk.data() + off, chunk.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(io_error("cannot write", tmp_path_));
    off += static_cast<size_t>(n);
  }
  written_ = total;
  return Status::Ok();
}

Status BlobWriter::verify() {
  if (done_) return make_error(ErrorCode::kInternal, "blob upload already finished");
  if (verified_) return Status::Ok();
  if (expected_size_ && written_ != *expected_size_) {
    Status s = fail(make_error(ErrorCode::kVerificationFailure,
                               "content is " + std::to_string(written_) + " bytes, not the " +
                                   std::to_string(*expected_size_) + " recorded for " + to_hex(expected_) +
                                   "; nothing was stored"));
    return s.error();
  }
  Hash32 got = hasher_->finish();
  if (got != expected_) {
    Status s =
        fail(make_error(ErrorCode::kVerificationFailure, "content hashes to " + to_hex(got) + ", not " +
                                                             to_hex(expected_) + "; nothing was stored"));
    return s.error();
  }
  if (::fsync(fd_) != 0) return fail(io_error("cannot fsync", tmp_path_)).error();
  ::close(fd_);
  fd_ = -1;
  verified_ = true;
  return Status::Ok();
}

Result<bool> BlobWriter::commit() {
  TM_TRY(verify());
  struct stat st;
  if (::stat(final_path_.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    abort();  // the same content is already there: keep the existing file
    return false;
  }
  if (::rename(tmp_path_.c_str(), final_path_.c_str()) != 0)
    return fail(io_error("cannot rename", tmp_path_)).error();
  done_ = true;
  TM_TRY(fsync_dir(fs::path(final_path_).parent_path().string()));
  return true;
}

// --- BlobReader ---

BlobReader::BlobReader(BlobReader&& o) noexcept : fd_(std::exchange(o.fd_, -1)), size_(o.size_) {}

BlobReader& BlobReader::operator=(BlobReader&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    size_ = o.size_;
  }
  return *this;
}

BlobReader::~BlobReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> BlobReader::read(uint8_t* buf, size_t n) {
  for (;;) {
    ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR)
      return make_error(ErrorCode::kIo, std::string("cannot read blob: ") + std::strerror(errno));
  }
}

// --- BlobStore ---

Result<BlobStore> BlobStore::open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot create the blob directory " + dir + ": " + ec.message());
  // Temp files of uploads cut off by a crash are never served; remove them.
  for (const auto& sub : fs::directory_iterator(dir, ec)) {
    if (!sub.is_directory()) continue;
    std::error_code ec2;
    for (const auto& f : fs::directory_iterator(sub.path(), ec2)) {
      if (f.path().filename().string().rfind(kTmpPrefix, 0) == 0) fs::remove(f.path(), ec2);
    }
  }
  if (ec) return make_error(ErrorCode::kIo, "cannot list the blob directory " + dir + ": " + ec.message());
  return BlobStore(dir);
}

std::string BlobStore::path_of(const Hash32& sha256) const {
  std::string hex = to_hex(sha256);
  return dir_ + "/" + hex.substr(0, 2) + "/" + hex;
}

bool BlobStore::has(const Hash32& sha256) const {
  struct stat st;
  return ::stat(path_of(sha256).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::optional<uint64_t> BlobStore::size(const Hash32& sha256) const {
  struct stat st;
  if (::stat(path_of(sha256).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

Result<BlobReader> BlobStore::open_read(const Hash32& sha256) const {
  const std::string p = path_of(sha256);
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return make_error(ErrorCode::kNotFound, "no blob " + to_hex(sha256) + " is stored on this node");
    return io_error("cannot open", p);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorCode::kIo, "blob " + p + " is not a regular file");
  }
  return BlobReader(fd, static_cast<uint64_t>(st.st_size));
}

Result<BlobWriter> BlobStore::begin(const Hash32& expected, std::optional<uint64_t> expected_size,
                                    uint64_t max_size) const {
  if (expected_size && *expected_size > max_size)
    return make_error(ErrorCode::kTooLarge, "content of " + std::to_string(*expected_size) +
                                                " bytes exceeds the limit of " + std::to_string(max_size) +
                                                " bytes");
  const std::string hex = to_hex(expected);
  const std::string sub = dir_ + "/" + hex.substr(0, 2);
  if (::mkdir(sub.c_str(), 0755) != 0 && errno != EEXIST) return io_error("cannot create", sub);
  std::string tmp = sub + "/" + std::string(kTmpPrefix) + hex + "-" + random_suffix();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", tmp);
  return BlobWriter(path_of(expected), expected, expected_size, max_size, fd, std::move(tmp));
}

Result<bool> BlobStore::put(const Hash32& expected, ByteView data) const {
  TM_ASSIGN_OR_RETURN(BlobWriter w, begin(expected, data.size(), data.size()));
  TM_TRY(w.write(data));
  return w.commit();
}

Result<std::vector<std::string>> BlobStore::subjects(const Hash32& sha256) const {
  std::vector<std::string> out;
  std::ifstream in(path_of(sha256) + ".subjects");
  if (!in) return out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  if (in.bad()) return make_error(ErrorCode::kIo, "cannot read the subjects of blob " + to_hex(sha256));
  return out;
}

Status BlobStore::add_subject(const Hash32& sha256, std::string_view subject) const {
  if (subject.empty() || subject.find('\n') != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "a blob subject is one non-empty line");
  }
  static std::mutex mu;  // read-modify-write of the subjects file, across concurrent uploads
  std::lock_guard lock(mu);
  TM_ASSIGN_OR_RETURN(std::vector<std::string> have, subjects(sha256));
  for (const std::string& s : have) {
    if (s == subject) return Status::Ok();
  }
  have.emplace_back(subject);
  const std::string final_path = path_of(sha256) + ".subjects";
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(final_path).parent_path(), ec);
  const std::string tmp = final_path + ".tmp-" + std::to_string(std::random_device{}());
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const std::string& s : have) out << s << "\n";
    out.flush();
    if (!out) return make_error(ErrorCode::kIo, "cannot write " + tmp);
  }
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    return make_error(ErrorCode::kIo, "cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace trustmesh::store
