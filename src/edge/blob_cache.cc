// BlobCache::fetch (blob_cache.h), streaming with cpp-httplib.
#include "edge/blob_cache.h"

#include <httplib.h>

#include <algorithm>
#include <ctime>

#include "core/request_auth.h"

namespace trustmesh::edge {

namespace {
constexpr std::string_view kConfigurationMark = "configuration";

// host[:port] of a base URL ("http://127.0.0.1:8080" -> "127.0.0.1:8080").
std::string authority_of(const std::string& url) {
  std::string a = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  return a.substr(0, a.find('/'));
}
}  // namespace

void BlobCache::sign_with(KeyPair key, std::string chain_id) {
  key_ = std::move(key);
  chain_id_ = std::move(chain_id);
}

Result<bool> BlobCache::is_configuration(const Hash32& sha256) const {
  TM_ASSIGN_OR_RETURN(std::vector<std::string> marks, store_.subjects(sha256));
  return std::find(marks.begin(), marks.end(), kConfigurationMark) != marks.end();
}

Result<std::vector<std::string>> BlobCache::configuration_subjects(const Hash32& sha256) const {
  TM_ASSIGN_OR_RETURN(std::vector<std::string> marks, store_.subjects(sha256));
  std::erase(marks, std::string(kConfigurationMark));
  return marks;
}

Status BlobCache::fetch(const Hash32& sha256, Kind kind, uint64_t max_bytes) const {
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
    TM_ASSIGN_OR_RETURN(store::BlobWriter w,
                        store_.begin(sha256, std::nullopt, max_bytes == 0 ? max_bytes_ : max_bytes));
    Status written = Status::Ok();
    int status = 0;
    const std::string target = "/v1/blobs/" + to_hex(sha256);
    httplib::Headers headers;
    if (key_ && kind == Kind::kConfiguration) {
      const std::string authority = authority_of(url);
      TM_ASSIGN_OR_RETURN(std::string sig, auth::sign_request(*key_, chain_id_, authority, "GET", target,
                                                              static_cast<uint64_t>(std::time(nullptr))));
      headers.emplace("Host", authority);
      headers.emplace("Authorization", sig);
    }
    bool configuration = false;
    std::string subjects;
    auto res = c.Get(
        target, headers,
        [&](const httplib::Response& r) {
          status = r.status;
          configuration = r.get_header_value("X-Blob-Kind") == kConfigurationMark;
          subjects = r.get_header_value("X-Blob-Subjects");
          if (configuration && kind != Kind::kConfiguration) status = 403;
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
    if ((status == 401 || status == 403) && kind == Kind::kPublic) {
      // A device configuration of no device this server keeps: its readers
      // follow that device's access domain, which this server cannot check.
      return make_error(
          ErrorCode::kAccessDenied,
          "blob " + to_hex(sha256) +
              " is the configuration of a device outside this edge server's domain; ask a "
              "ledger node (with a member's key for a private domain: trustmesh blob get --key)");
    }
    if (status == 401 || status == 403) {
      return make_error(ErrorCode::kAccessDenied,
                        "the ledger node refused this edge server the configuration " + to_hex(sha256) +
                            (key_ ? ": grant its key read in the device's domain (trustmesh domain grant)"
                                  : ": start it with --key, a member key with read in the device's domain"));
    }
    if (status != 200) {
      last = url + " answered HTTP " + std::to_string(status);
      continue;
    }
    if (configuration) {  // marked before it is kept: never held unmarked
      std::vector<std::string> devices;
      for (size_t at = 0; at < subjects.size();) {
        const size_t end = std::min(subjects.find(' ', at), subjects.size());
        if (end > at) devices.push_back(subjects.substr(at, end - at));
        at = end + 1;
      }
      if (devices.empty() || devices.size() > 256) {
        return make_error(ErrorCode::kVerificationFailure,
                          url + " sent the configuration " + to_hex(sha256) +
                              " without the devices it configures (X-Blob-Subjects); not kept");
      }
      TM_TRY(w.verify());
      TM_TRY(store_.add_subject(sha256, kConfigurationMark));
      for (const std::string& d : devices) TM_TRY(store_.add_subject(sha256, d));
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
