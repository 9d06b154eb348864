// The one door from the CLI to a node's HTTP API (docs/API.md, HTTP API),
// over cpp-httplib. Every answer becomes a value:
//   * transport errors (refused, reset, timed out) -> Failure exit 3, "cannot
//     reach the node at URL: ... (is it running? start one with `make run`)";
//   * non-2xx answers -> Failure exit 1 carrying the API's own
//     Error{code, message} from its {"code", "error", "message"} body;
//   * 2xx answers -> the body (text or parsed JSON).
//
// Invariants: nothing here throws or prints; a NodeClient talks to exactly the
// node given at construction (its base path, if any, is prefixed to every
// request path).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/failure.h"
#include "core/bytes.h"
#include "core/keys.h"

namespace trustmesh::cli {

// Called as a streamed body moves: bytes so far, total (0 if unknown).
using TransferProgress = std::function<void(uint64_t done, uint64_t total)>;

// A streamed download's 2xx answer (the body went to the sink).
struct StreamReply {
  int status = 0;
  std::optional<uint64_t> content_length;
  std::string content_sha256;  // the X-Content-SHA256 header, if sent
  uint64_t received = 0;
};

// An HTTP answer with a 2xx status.
struct HttpReply {
  int status = 0;
  std::string body;
};

class NodeClient {
 public:
  // url: "http://host:port[/base]" (also https, or "host:port" meaning http).
  // timeout_s bounds each request. kInvalidArgument for a URL that is not one.
  static Outcome<NodeClient> open(const std::string& url, uint64_t timeout_s);
  NodeClient(NodeClient&&) noexcept;
  NodeClient& operator=(NodeClient&&) noexcept;
  ~NodeClient();

  const std::string& url() const { return url_; }

  // Signs every later request with `key` for `chain_id` (Authorization:
  // TM-Sig, core/request_auth.h), so a node answers it as that key's address
  // (the read right of private access domains). What is signed is the
  // authority of the URL (host[:port] as given, lower-cased, also sent as
  // the Host header) and the path as sent, base prefix included.
  void sign_with(KeyPair key, std::string chain_id);

  Outcome<HttpReply> get(const std::string& path);
  Outcome<nlohmann::json> get_json(const std::string& path);
  Outcome<nlohmann::json> post_json(const std::string& path, const std::string& body,
                                    const std::string& type);
  // PUT the file `file` (`size` bytes) as the body, read from disk in chunks
  // (never held whole in memory); the answer must be JSON. kIo if the file
  // changes size or cannot be read while it is sent.
  Outcome<nlohmann::json> put_file(const std::string& path, const std::string& file, uint64_t size,
                                   const TransferProgress& progress);
  // GET, handing a 2xx body to `sink` chunk by chunk as it arrives (sink
  // returns false to stop: that Error is returned, from `sink_error`).
  Outcome<StreamReply> get_stream(const std::string& path, const std::function<bool(ByteView)>& sink,
                                  const std::function<Error()>& sink_error, const TransferProgress& progress);

 private:
  struct Impl;
  NodeClient(std::string url, std::unique_ptr<Impl> impl);
  Outcome<HttpReply> request(const std::string& method, const std::string& path, const std::string& body,
                             const std::string& type);
  std::string url_;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes one path segment (every byte but A-Z a-z 0-9 - . _ ~), so a
// device name like "site/dev:1" stays one segment.
std::string path_segment(std::string_view s);

}  // namespace trustmesh::cli
