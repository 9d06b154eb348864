// NodeClient over cpp-httplib (http_client.h). The only file that includes
// httplib.h; keep-alive is on, so the polling loops of the commands reuse one
// connection.
#include "cli/http_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <optional>

#include "core/request_auth.h"

namespace trustmesh::cli {

using nlohmann::json;

struct NodeClient::Impl {
  explicit Impl(const std::string& origin) : http(origin) {}
  httplib::Client http;
  std::string base;       // "" or "/prefix" (no trailing slash)
  std::string authority;  // host[:port] of the URL, lower-cased: the Host header sent and signed
  std::optional<KeyPair> signer;
  std::string chain_id;

  // The headers of a request: Host, set explicitly (httplib would leave out a
  // default port) so that the signature covers exactly the Host value the
  // node sees, and Authorization if sign_with was called.
  Outcome<httplib::Headers> headers(const std::string& method, const std::string& full) const {
    httplib::Headers h{{"Host", authority}};
    if (!signer) return h;
    auto sig = auth::sign_request(*signer, chain_id, authority, method, full,
                                  static_cast<uint64_t>(std::time(nullptr)));
    if (!sig.ok()) return make_error(sig.error().code, "signing the request: " + sig.error().message);
    h.emplace("Authorization", *sig);
    return h;
  }
};

namespace {

std::string transport_message(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "could not connect";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "no complete answer (connection closed or read timed out)";
    case httplib::Error::Write: return "could not send the request";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLServerVerification: return "TLS certificate verification failed";
    default: return httplib::to_string(e);
  }
}

std::string clip(std::string_view s, size_t n = 200) {
  std::string out(s.substr(0, n));
  std::replace(out.begin(), out.end(), '\n', ' ');
  return s.size() > n ? out + "..." : out;
}

// The API's error body as an Error, or a description of what came instead.
Error api_error(int status, const std::string& body, const std::string& what) {
  auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto code = j.find("code");
    auto message = j.find("message");
    if (code != j.end() && code->is_number_unsigned() && code->get<uint64_t>() <= 0xffff &&
        message != j.end() && message->is_string()) {
      return Error{static_cast<ErrorCode>(code->get<uint64_t>()), message->get<std::string>()};
    }
  }
  return make_error(ErrorCode::kInternal,
                    what + " answered HTTP " + std::to_string(status) +
                        " without an API error body (is this a trustmesh node?): " + clip(body));
}

}  // namespace

NodeClient::NodeClient(std::string url, std::unique_ptr<Impl> impl)
    : url_(std::move(url)), impl_(std::move(impl)) {}
NodeClient::NodeClient(NodeClient&&) noexcept = default;
NodeClient& NodeClient::operator=(NodeClient&&) noexcept = default;
NodeClient::~NodeClient() = default;

Outcome<NodeClient> NodeClient::open(const std::string& url, uint64_t timeout_s) {
  std::string u = url;
  if (u.find("://") == std::string::npos) u = "http://" + u;
  size_t scheme_end = u.find("://");
  std::string scheme = u.substr(0, scheme_end);
  size_t path_start = u.find('/', scheme_end + 3);
  std::string authority = u.substr(
      scheme_end + 3, path_start == std::string::npos ? std::string::npos : path_start - scheme_end - 3);
  std::string base = path_start == std::string::npos ? "" : u.substr(path_start);
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "bad --node URL '" + url + "': " + why + " (expected e.g. http://127.0.0.1:8080)");
  };
  if (scheme != "http" && scheme != "https") return bad("the scheme must be http or https");
  if (authority.empty()) return bad("no host");
  if (authority.find('@') != std::string::npos) return bad("no user name allowed");
  std::transform(authority.begin(), authority.end(), authority.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (base.find_first_of("?#") != std::string::npos) return bad("no query or fragment allowed");
  auto impl = std::make_unique<Impl>(scheme + "://" + authority);
  if (!impl->http.is_valid()) return bad("cannot use this host and port");
  impl->base = base;
  impl->authority = authority;
  auto t = static_cast<time_t>(std::clamp<uint64_t>(timeout_s, 1, 3600));
  impl->http.set_connection_timeout(std::min<time_t>(t, 5));
  impl->http.set_read_timeout(t);
  impl->http.set_write_timeout(t);
  impl->http.set_keep_alive(true);
  // Headers and body go out in separate writes: without this, Nagle holds the
  // body until the server's delayed ACK (40 ms per POST on Linux).
  impl->http.set_tcp_nodelay(true);
  std::string shown = scheme + "://" + authority + base;
  return NodeClient(shown, std::move(impl));
}

Outcome<HttpReply> NodeClient::request(const std::string& method, const std::string& path,
                                       const std::string& body, const std::string& type) {
  std::string full = impl_->base + path;
  TM_CLI_ASSIGN(httplib::Headers headers, impl_->headers(method, full));
  httplib::Result r =
      method == "POST" ? impl_->http.Post(full, headers, body, type) : impl_->http.Get(full, headers);
  if (!r) {
    return Failure{
        make_error(ErrorCode::kIo, "cannot reach the node at " + url_ + ": " + transport_message(r.error()) +
                                       " (is it running? start one with `make run`)"),
        kExitUnreachable};
  }
  if (r->status < 200 || r->status > 299) return api_error(r->status, r->body, method + " " + path);
  return HttpReply{r->status, std::move(r->body)};
}

void NodeClient::sign_with(KeyPair key, std::string chain_id) {
  impl_->signer = std::move(key);
  impl_->chain_id = std::move(chain_id);
}

Outcome<HttpReply> NodeClient::get(const std::string& path) {
  return request("GET", path, "", "");
}

namespace {

Outcome<json> parse_json(Outcome<HttpReply> reply, const std::string& what) {
  if (!reply.ok()) return reply.failure();
  auto j = json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return make_error(ErrorCode::kMalformed, "the answer to " + what + " is not JSON: " + clip(reply->body));
  }
  return j;
}

}  // namespace

Outcome<json> NodeClient::get_json(const std::string& path) {
  return parse_json(get(path), "GET " + path);
}

Outcome<json> NodeClient::post_json(const std::string& path, const std::string& body,
                                    const std::string& type) {
  return parse_json(request("POST", path, body, type), "POST " + path);
}

Outcome<json> NodeClient::put_file(const std::string& path, const std::string& file, uint64_t size,
                                   const TransferProgress& progress) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot open " + file);
  std::string buf(64 * 1024, '\0');
  std::optional<Error> read_error;
  auto provider = [&](size_t offset, size_t length, httplib::DataSink& sink) {
    in.seekg(static_cast<std::streamoff>(offset));
    size_t n = std::min(length, buf.size());
    in.read(buf.data(), static_cast<std::streamsize>(n));
    if (static_cast<size_t>(in.gcount()) != n) {
      read_error = make_error(ErrorCode::kIo, file + " changed or could not be read while it was sent");
      return false;
    }
    if (!sink.write(buf.data(), n)) return false;
    if (progress) progress(offset + n, size);
    return true;
  };
  const std::string full = impl_->base + path;
  httplib::Result r = impl_->http.Put(full, static_cast<size_t>(size), provider, "application/octet-stream");
  if (read_error) return *read_error;
  if (!r) {
    return Failure{make_error(ErrorCode::kIo,
                              "cannot reach the node at " + url_ + " (PUT " + path +
                                  "): " + transport_message(r.error()) +
                                  " (is it running? a refused upload may also close the connection early)"),
                   kExitUnreachable};
  }
  if (r->status < 200 || r->status > 299) return api_error(r->status, r->body, "PUT " + path);
  return parse_json(HttpReply{r->status, std::move(r->body)}, "PUT " + path);
}

Outcome<StreamReply> NodeClient::get_stream(const std::string& path,
                                            const std::function<bool(ByteView)>& sink,
                                            const std::function<Error()>& sink_error,
                                            const TransferProgress& progress) {
  StreamReply reply;
  std::string error_body;  // a non-2xx answer's body (small: an API error)
  bool sink_failed = false;
  auto on_response = [&](const httplib::Response& res) {
    reply.status = res.status;
    if (res.has_header("Content-Length")) {
      reply.content_length = std::strtoull(res.get_header_value("Content-Length").c_str(), nullptr, 10);
    }
    reply.content_sha256 = res.get_header_value("X-Content-SHA256");
    return true;
  };
  auto on_data = [&](const char* data, size_t n) {
    if (reply.status < 200 || reply.status > 299) {
      if (error_body.size() < 64 * 1024) error_body.append(data, std::min<size_t>(n, 64 * 1024));
      return true;
    }
    if (!sink(ByteView(reinterpret_cast<const uint8_t*>(data), n))) {
      sink_failed = true;
      return false;
    }
    reply.received += n;
    if (progress) progress(reply.received, reply.content_length.value_or(0));
    return true;
  };
  const std::string full = impl_->base + path;
  TM_CLI_ASSIGN(httplib::Headers headers, impl_->headers("GET", full));
  httplib::Result r = impl_->http.Get(full, headers, on_response, on_data);
  if (sink_failed) return sink_error();
  if (!r) {
    return Failure{make_error(ErrorCode::kIo, "cannot reach the node at " + url_ + " (GET " + path +
                                                  "): " + transport_message(r.error()) + " (is it running?)"),
                   kExitUnreachable};
  }
  if (r->status < 200 || r->status > 299) return api_error(r->status, error_body, "GET " + path);
  return reply;
}

std::string path_segment(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  // "." and ".." would be read as dot-segments of the path; escape them.
  bool all_dots = s.find_first_not_of('.') == std::string_view::npos;
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                (c == '.' && !all_dots) || c == '_' || c == '~';
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
