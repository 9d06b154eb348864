// Files the client keeps for its user: keys, salts, trust anchors. Private
// files are created with open(O_CREAT | O_EXCL, 0600), so they are never
// readable by others, not even for a moment, and never overwrite anything;
// private directories are created 0700.
//
// Invariants: write_private_file either creates the whole file (written and
// fsynced) or leaves no file behind; read_small_file never reads more than
// its limit (a wrong path such as /dev/zero is an error, not a hang).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace trustmesh::cli {

// Creates `path` with mode 0600 and writes `content`. kInvalidArgument if it
// exists (the message says so), kIo for any other failure.
Status write_private_file(const std::string& path, std::string_view content);

// Creates `dir` and any missing parents with mode 0700 (existing ones are
// left as they are).
Status make_private_dir(const std::string& dir);

// Whole file, at most max_bytes (kTooLarge beyond; kNotFound if missing).
Result<std::string> read_small_file(const std::string& path, size_t max_bytes = 1 << 20);

// A warning if `path` grants any permission outside `allowed` (e.g. 0600 for
// a key file, 0700 for its directory), naming the fix; nullopt otherwise.
std::optional<std::string> permission_warning(const std::string& path, unsigned allowed);

// `s` as one file name: [A-Za-z0-9._-] kept, every other byte as %XX, so
// "a/b:c" -> "a%2Fb%3Ac" (distinct inputs give distinct names).
std::string file_name_escape(std::string_view s);

}  // namespace trustmesh::cli
