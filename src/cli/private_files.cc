// Private files and directories (private_files.h), with POSIX calls so the
// mode is set at creation and O_EXCL refuses to replace anything.
#include "cli/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace trustmesh::cli {

namespace {

Error io_error(const std::string& what, const std::string& path) {
  return make_error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(errno));
}

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

}  // namespace

Status write_private_file(const std::string& path, std::string_view content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return make_error(ErrorCode::kInvalidArgument, path + " already exists; not overwriting it");
    return io_error("cannot create", path);
  }
  // The umask can only remove bits from 0600; make the mode exact anyway.
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t off = 0;
  while (ok && off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    if (n > 0) off += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  Error err = ok ? Error{} : io_error("cannot write", path);
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = io_error("cannot write", path);
  }
  if (!ok) {
    ::unlink(path.c_str());
    return err;
  }
  return Status::Ok();
}

Status make_private_dir(const std::string& dir) {
  if (dir.empty()) return make_error(ErrorCode::kInvalidArgument, "empty directory path");
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return io_error("cannot create directory", prefix);
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return io_error("cannot read", dir);
  if (!S_ISDIR(st.st_mode)) return make_error(ErrorCode::kInvalidArgument, dir + " is not a directory");
  return Status::Ok();
}

Result<std::string> read_small_file(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return make_error(ErrorCode::kNotFound, "no file " + path);
    return io_error("cannot open", path);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = io_error("cannot read", path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return make_error(ErrorCode::kTooLarge,
                        path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

std::optional<std::string> permission_warning(const std::string& path, unsigned allowed) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  unsigned mode = st.st_mode & 0777;
  if ((mode & ~allowed) == 0) return std::nullopt;
  return path + " has mode " + octal(mode) + " (other users may read it); run: chmod " +
         octal(allowed).substr(1) + " " + path;
}

std::string file_name_escape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                c == '_' || c == '-';
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace trustmesh::cli
