// HttpServer (http_server.h).
#include "edge/http_server.h"

#include <httplib.h>

#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/request_auth.h"
#include "edge/access.h"
#include "edge/answers.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/schema.h"

namespace trustmesh::edge {

namespace {

constexpr char kJson[] = "application/json";
constexpr std::string_view kRemedy =
    "start the edge server with --public-host NAME:PORT for each name it is reached by";
constexpr char kNextHeader[] = "X-Edge-Next";  // the offset of the next page of GET /v1/edge/bundle

uint64_t now_s() {
  return static_cast<uint64_t>(std::time(nullptr));
}

int http_status(ErrorCode c) {
  switch (c) {
    case ErrorCode::kNotFound:
    case ErrorCode::kNameNotFound: return 404;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kAccessDenied: return 403;
    case ErrorCode::kVerificationFailure: return 502;  // what a node sent does not match its name
    case ErrorCode::kLedgerUnavailable: return 503;
    case ErrorCode::kInternal:
    case ErrorCode::kIo: return 500;
    default: return 400;
  }
}

void reply_error(httplib::Response& res, int status, ErrorCode code, const std::string& message) {
  nlohmann::ordered_json j = {{"code", static_cast<uint64_t>(code)},
                              {"error", std::string(error_code_name(code))},
                              {"message", message}};
  res.status = status;
  res.set_content(j.dump(), kJson);
}

void reply_error(httplib::Response& res, const Error& e) {
  reply_error(res, http_status(e.code), e.code, e.message);
}

}  // namespace

struct HttpServer::Impl {
  Replica& replica;
  const Syncer* sync;
  HttpOptions opts;
  httplib::Server server;
  std::thread thread;

  const BlobCache* blobs;
  auth::AuthorityPolicy authorities;  // set once bound, before the first request

  // Who is asking: nullopt for an unsigned request, kUnauthenticated for a
  // header that does not verify or names another server.
  Result<std::optional<Address>> caller_of(const httplib::Request& req) const {
    return edge::caller_of(authorities, replica.anchor().chain_id, req.get_header_value("Authorization"),
                           req.get_header_value("Host"), req.method, req.target, now_s(), kRemedy);
  }

  Impl(Replica& r, const Syncer* s, HttpOptions o, const BlobCache* b)
      : replica(r), sync(s), opts(std::move(o)), blobs(b) {}

  void blob(const httplib::Request& req, httplib::Response& res) {
    Result<Hash32> h = hash32_from_hex(req.matches[1].str());
    if (!h.ok())
      return reply_error(res, 400, ErrorCode::kInvalidArgument,
                         "a blob is named by 64 hex digits of SHA-256");
    if (blobs == nullptr)
      return reply_error(res, 404, ErrorCode::kNotFound, "this edge server keeps no blobs");
    Result<std::optional<Address>> caller = caller_of(req);
    if (!caller.ok()) return reply_error(res, caller.error());
    Result<BlobCache::Kind> kind =
        authorize_blob(replica, *blobs, *h, *caller, AccessClock{now_s(), opts.access_max_age_s});
    if (!kind.ok()) return reply_error(res, kind.error());
    if (*kind == BlobCache::Kind::kConfiguration) res.set_header("X-Blob-Kind", "configuration");
    Result<store::BlobReader> reader = blobs->store().open_read(*h);
    if (!reader.ok()) return reply_error(res, reader.error());
    const uint64_t size = reader->size();
    auto shared = std::make_shared<store::BlobReader>(std::move(reader).value());
    res.set_header("X-Content-SHA256", to_hex(*h));
    auto pos = std::make_shared<uint64_t>(0);
    res.set_content_provider(size, "application/octet-stream",
                             [shared, pos](size_t offset, size_t length, httplib::DataSink& sink) {
                               if (offset != *pos)
                                 return false;  // no ranges: never bytes from the wrong place
                               uint8_t buf[64 * 1024];
                               Result<size_t> n = shared->read(buf, std::min(length, sizeof buf));
                               if (!n.ok() || *n == 0) return false;
                               *pos += *n;
                               return sink.write(reinterpret_cast<const char*>(buf), *n);
                             });
  }

  void status(const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    Status syntax = ledger::check_name(name, ledger::kHardMaxNameLen);
    if (!syntax.ok()) return reply_error(res, syntax.error());
    Bytes key = ledger::schema::name_key(name);
    if (!replica.tracks(key)) {
      return reply_error(res, 404, ErrorCode::kNotFound,
                         "name '" + name +
                             "' is not in this edge server's domain; ask a ledger node, or add it "
                             "to the server's --name / --names-file");
    }
    Result<std::optional<HeldEntry>> held = replica.lookup(key);
    if (!held.ok()) return reply_error(res, held.error());
    if (!*held) {
      return reply_error(
          res, 503, ErrorCode::kLedgerUnavailable,
          "this edge server has no verified answer for '" + name +
              "' yet: it has not reached a ledger node or a peer since it started tracking it");
    }
    Result<std::string> body = status_json(**held, name, now_s());
    if (!body.ok()) return reply_error(res, body.error());
    res.set_content(*body, kJson);
  }

  // The claims about a subject, as a proof bundle (light::proven_claims reads it).
  void claims(const httplib::Request& req, httplib::Response& res) {
    Result<store::ProofBundle> b = claims_bundle(replica, req.matches[1].str());
    if (!b.ok()) return reply_error(res, b.error());
    Bytes body = store::encode_bundle(*b);
    res.set_content(std::string(body.begin(), body.end()), "application/cbor");
  }

  void bundle_get(const httplib::Request& req, httplib::Response& res) {
    uint64_t since = 0, offset = 0;
    for (const auto& [k, v] : req.params) {
      if (k != "since" && k != "offset")
        return reply_error(res, 400, ErrorCode::kInvalidArgument, "unknown query parameter '" + k + "'");
      if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
        return reply_error(res, 400, ErrorCode::kInvalidArgument,
                           k + " must be a decimal number (since: a block height; offset: from X-Edge-Next)");
      }
      (k == "since" ? since : offset) = std::stoull(v);
    }
    Result<Replica::Page> page = replica.since(since, offset);
    if (!page.ok()) return reply_error(res, page.error());
    if (page->next != 0) res.set_header(kNextHeader, std::to_string(page->next));
    Bytes body = store::encode_bundle(page->bundle);
    res.set_content(std::string(body.begin(), body.end()), "application/cbor");
  }

  std::mutex push_mu;  // one pushed bundle decoded and verified at a time (memory, CPU)

  void bundle_post(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(push_mu);
    Result<store::ProofBundle> b = store::decode_bundle(as_bytes(req.body));
    if (!b.ok())
      return reply_error(res, 400, b.error().code, "the body is not a proof bundle: " + b.error().message);
    Result<IngestResult> in = replica.ingest(std::move(b).value());
    if (!in.ok()) {
      const int st = in.error().code == ErrorCode::kIo ? 500 : 400;
      return reply_error(res, st, in.error().code, "bundle refused: " + in.error().message);
    }
    nlohmann::json j = {{"updated", in->updated}, {"unchanged", in->unchanged}, {"ignored", in->ignored}};
    res.set_content(j.dump(), kJson);
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::start(Replica& r, const Syncer* sync, HttpOptions opts,
                                                      const BlobCache* blobs) {
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->impl_ = std::make_unique<Impl>(r, sync, std::move(opts), blobs);
  Impl& im = *s->impl_;
  httplib::Server& srv = im.server;
  const int threads = im.opts.threads;
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  srv.set_payload_max_length(im.opts.max_bundle_bytes);
  srv.set_read_timeout(30, 0);
  srv.set_tcp_nodelay(true);           // one answer is two writes (headers, body): no 40 ms delayed-ACK stall
  srv.Get(R"(/v1/names/(.+)/status)",  // names may hold '/' (cpp-httplib decodes %2F first)
          [&im](const httplib::Request& q, httplib::Response& a) { im.status(q, a); });
  srv.Get(R"(/v1/edge/claims/(.+))",
          [&im](const httplib::Request& q, httplib::Response& a) { im.claims(q, a); });
  srv.Get("/v1/genesis", [&im](const httplib::Request&, httplib::Response& a) {
    a.set_content(im.opts.genesis_json, kJson);
  });
  srv.Get("/v1/edge", [&im](const httplib::Request&, httplib::Response& a) {
    std::optional<SyncReport> rep;
    if (im.sync != nullptr) rep = im.sync->report();
    a.set_content(stats_json(im.replica, now_s(), rep ? &*rep : nullptr), kJson);
  });
  srv.Get(R"(/v1/blobs/([^/]+))", [&im](const httplib::Request& q, httplib::Response& a) { im.blob(q, a); });
  srv.Get("/v1/edge/bundle", [&im](const httplib::Request& q, httplib::Response& a) { im.bundle_get(q, a); });
  srv.Post("/v1/edge/bundle",
           [&im](const httplib::Request& q, httplib::Response& a) { im.bundle_post(q, a); });
  // A signature that does not verify is refused on every endpoint, so a
  // client learns at once that its signing is wrong.
  srv.set_pre_routing_handler([&im](const httplib::Request& q, httplib::Response& a) {
    if (!q.has_header("Authorization")) return httplib::Server::HandlerResponse::Unhandled;
    Result<std::optional<Address>> caller = im.caller_of(q);
    if (caller.ok()) return httplib::Server::HandlerResponse::Unhandled;
    reply_error(a, caller.error());
    return httplib::Server::HandlerResponse::Handled;
  });
  srv.set_error_handler([](const httplib::Request&, httplib::Response& a) {
    if (!a.body.empty()) return;
    if (a.status == 404) {
      reply_error(a, 404, ErrorCode::kNotFound,
                  "no such endpoint on an edge server; see docs/API.md (Edge servers)");
    } else if (a.status == 413) {
      reply_error(a, 413, ErrorCode::kTooLarge, "the body is larger than this server accepts");
    } else {
      reply_error(a, a.status, ErrorCode::kInvalidArgument, "bad request");
    }
  });
  srv.set_exception_handler([](const httplib::Request&, httplib::Response& a, std::exception_ptr ep) {
    std::string what = "unexpected error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    reply_error(a, 500, ErrorCode::kInternal, what);
  });
  int port = im.opts.port == 0 ? srv.bind_to_any_port(im.opts.host)
                               : (srv.bind_to_port(im.opts.host, im.opts.port) ? im.opts.port : -1);
  if (port <= 0) {
    return make_error(ErrorCode::kIo, "cannot listen on " + im.opts.host + ":" +
                                          std::to_string(im.opts.port) +
                                          " (in use, or not an address of this machine?)");
  }
  s->port_ = static_cast<uint16_t>(port);
  Result<auth::AuthorityPolicy> policy =
      auth::AuthorityPolicy::make(im.opts.public_hosts, im.opts.host, s->port_);
  if (!policy.ok()) return make_error(policy.error().code, "--public-host: " + policy.error().message);
  im.authorities = std::move(policy).value();
  im.thread = std::thread([&srv] { srv.listen_after_bind(); });
  return s;
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::stop() {
  if (impl_ && impl_->thread.joinable()) {
    impl_->server.stop();
    impl_->thread.join();
  }
}

}  // namespace trustmesh::edge
