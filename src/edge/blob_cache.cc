// BlobCache::fetch (blob_cache.h), streaming with cpp-httplib.
#include "edge/blob_cache.h"

#include <httplib.h>

namespace trustmesh::edge {

Status BlobCache::fetch(const Hash32& sha256) const {
  if (store_.has(sha256)) return Status::Ok();
  if (nodes_.empty()) {
    return make_error(
        ErrorCode::kNotFound,
        "blob " + to_hex(sha256) + " is not held here and this edge server has no --node to fetch it from");
  }
  std::string last = "no ledger node answered";
  bool any_answered = false;
  for (const std::string& url : nodes_) {
    httplib::Client c(url);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(60, 0);
    c.set_tcp_nodelay(true);
    TM_ASSIGN_OR_RETURN(store::BlobWriter w, store_.begin(sha256, std::nullopt, max_bytes_));
    Status written = Status::Ok();
    int status = 0;
    auto res = c.Get(
        "/v1/blobs/" + to_hex(sha256),
        [&](const httplib::Response& r) {
          status = r.status;
          if (r.get_header_value("X-Blob-Kind") == "configuration") status = 403;
          return status == 200;
        },
        [&](const char* data, size_t n) {
          written = w.write(ByteView(reinterpret_cast<const uint8_t*>(data), n));
          return written.ok();
        });
    if (!written.ok()) return written.error();
    if (!res && status == 0) {
      last = url + " did not answer (" + httplib::to_string(res.error()) + ")";
      continue;
    }
    any_answered = true;
    if (status == 401 || status == 403) {
      // A device configuration: its readers follow its device's access
      // domain, which only a node checks, so an edge server never keeps one.
      return make_error(
          ErrorCode::kAccessDenied,
          "blob " + to_hex(sha256) +
              " is a device configuration; edge servers serve firmware and reports only, so ask a "
              "ledger node (with a member's key for a private domain: trustmesh blob get --key)");
    }
    if (status != 200) {
      last = url + " answered HTTP " + std::to_string(status);
      continue;
    }
    Result<bool> stored = w.commit();
    if (!stored.ok()) {
      return make_error(stored.error().code, "blob from " + url + " refused: " + stored.error().message);
    }
    return Status::Ok();
  }
  return make_error(any_answered ? ErrorCode::kNotFound : ErrorCode::kLedgerUnavailable,
                    "blob " + to_hex(sha256) + " is not held here and could not be fetched: " + last);
}

}  // namespace trustmesh::edge
