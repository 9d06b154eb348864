// CoAP server over libcoap (see coap_server.h for the invariants it keeps).
//
// libcoap notes: one "unknown resource" catches every path (plus an explicit
// resource for .well-known/core, which libcoap would otherwise answer itself);
// block-wise transfer is libcoap's (COAP_BLOCK_USE_LIBCOAP |
// COAP_BLOCK_SINGLE_BODY), so the handler sees whole request bodies and gives
// whole answers (coap_add_data_large_response keeps them until the client has
// fetched every block, then release_bytes frees them).
#include "edge/coap_server.h"

#include <atomic>
#include <climits>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

#include "core/cbor.h"
#include "edge/coap_libcoap.h"

namespace trustmesh::edge {

std::string coap_code::to_string(uint8_t code) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%u.%02u", code_class(code), code_detail(code));
  return buf;
}

namespace {

// Valid UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF); every
// byte that does not start a valid sequence becomes U+FFFD.
std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t min = 0, cp = 0;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xc0) == 0x80;
      cp = cp << 6 | (cc & 0x3f);
    }
    ok = ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xef\xbf\xbd");
      ++i;
    }
  }
  return out;
}

}  // namespace

CoapReply coap_error(uint8_t code, std::string_view error, std::string_view message) {
  cbor::MapEntries entries;
  entries.emplace_back(cbor::Value::text("error"), cbor::Value::text(sanitize_utf8(error)));
  entries.emplace_back(cbor::Value::text("message"), cbor::Value::text(sanitize_utf8(message)));
  CoapReply reply;
  reply.code = code;
  reply.content_format = coap_format::kCbor;
  reply.payload = cbor::encode(cbor::Value::map(std::move(entries)));
  return reply;
}

std::string coap_diagnostic(ByteView payload) {
  Result<cbor::Value> v = cbor::decode(payload);
  if (v.ok() && v->is_map()) {
    const cbor::Value* e = v->find("error");
    const cbor::Value* m = v->find("message");
    if (e != nullptr && e->is_text() && m != nullptr && m->is_text()) {
      return std::string(e->text_view()) + ": " + std::string(m->text_view());
    }
  }
  return "(" + std::to_string(payload.size()) + " bytes that are not a CBOR diagnostic)";
}

struct CoapServer::Impl {
  CoapHandler handler;
  CoapServerLimits limits;
  coap_context_t* ctx = nullptr;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::thread thread;
  std::mutex stop_mu;  // serialises stop() callers

  ~Impl() {
    if (ctx != nullptr) coap_free_context(ctx);  // the CoAP thread has been joined
  }
};

namespace {

// Writes reply into the libcoap response; runs on the CoAP thread.
void write_reply(CoapReply reply, coap_resource_t* resource, coap_session_t* session,
                 const coap_pdu_t* request, const coap_string_t* query, coap_pdu_t* response) {
  const uint8_t cls = coap_code::code_class(reply.code);
  if (cls != 2 && cls != 4 && cls != 5) {
    reply = coap_error(coap_code::kInternalServerError, "internal",
                       "handler returned " + coap_code::to_string(reply.code) + ", not a response code");
  }
  coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(reply.code));
  if (reply.payload.empty()) {
    if (reply.max_age) {
      uint8_t buf[4];
      coap_add_option(response, COAP_OPTION_MAXAGE, coap_encode_var_safe(buf, sizeof buf, *reply.max_age),
                      buf);
    }
    return;
  }
  // coap_add_data_large_response adds Content-Format only when it is not 0
  // (text/plain) and takes Max-Age as an int (-1 = none): add those here.
  uint16_t media = reply.content_format.value_or(0);
  if (reply.content_format && *reply.content_format == 0) {
    coap_add_option(response, COAP_OPTION_CONTENT_FORMAT, 0, nullptr);
  }
  int max_age = -1;
  if (reply.max_age) {
    if (*reply.max_age <= INT_MAX) {
      max_age = static_cast<int>(*reply.max_age);
    } else {
      uint8_t buf[4];
      coap_add_option(response, COAP_OPTION_MAXAGE, coap_encode_var_safe(buf, sizeof buf, *reply.max_age),
                      buf);
    }
  }
  Bytes* body = detail::hand_over(std::move(reply.payload));
  // On failure libcoap has called release_bytes and set 5.00 itself.
  (void)coap_add_data_large_response(resource, session, request, response, query, media, max_age, 0,
                                     body->size(), body->data(), detail::release_bytes, body);
}

void on_request(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request,
                const coap_string_t* query, coap_pdu_t* response) {
  auto* impl = static_cast<CoapServer::Impl*>(coap_resource_get_userdata(resource));
  CoapReply reply;
  try {
    CoapRequest req;
    req.method = std::string(detail::method_name(coap_pdu_get_code(request)));
    if (coap_string_t* p = coap_get_uri_path(request)) {
      req.path = "/" + std::string(reinterpret_cast<const char*>(p->s), p->length);
      coap_delete_string(p);
    } else {
      req.path = "/";
    }
    if (query != nullptr) req.query.assign(reinterpret_cast<const char*>(query->s), query->length);
    if (auto cf = detail::uint_option(request, COAP_OPTION_CONTENT_FORMAT)) {
      req.content_format = static_cast<uint16_t>(*cf);
    }
    req.authorization = detail::text_option(request, kCoapOptionAuthorization);
    const std::string uri_host = detail::text_option(request, COAP_OPTION_URI_HOST);
    if (!uri_host.empty()) {
      const auto uri_port = detail::uint_option(request, COAP_OPTION_URI_PORT);
      req.authority = uri_host + ":" + std::to_string(uri_port.value_or(COAP_DEFAULT_PORT));
    }

    size_t len = 0, offset = 0, total = 0;
    const uint8_t* data = nullptr;
    const bool has_data = coap_get_data_large(request, &len, &data, &offset, &total) != 0;
    const size_t limit = impl->limits.max_request_payload;
    if (has_data && (total > limit || offset + len > limit)) {
      uint8_t buf[4];
      coap_add_option(
          response, COAP_OPTION_SIZE1,
          coap_encode_var_safe(buf, sizeof buf, static_cast<unsigned>(std::min<size_t>(limit, UINT_MAX))),
          buf);
      reply = coap_error(coap_code::kRequestEntityTooLarge, "too_large",
                         "request payload exceeds " + std::to_string(limit) + " bytes");
    } else if (has_data && (offset != 0 || len != total)) {
      // A Block1 block out of order (libcoap passes it on as "random access").
      reply = coap_error(coap_code::kRequestEntityIncomplete, "incomplete",
                         "request body blocks must start at block 0");
    } else {
      if (has_data) req.payload.assign(data, data + len);
      reply = impl->handler(req);
    }
  } catch (const std::exception& e) {
    reply = coap_error(coap_code::kInternalServerError, "internal", e.what());
  } catch (...) {
    reply = coap_error(coap_code::kInternalServerError, "internal", "unknown exception");
  }
  try {
    write_reply(std::move(reply), resource, session, request, query, response);
  } catch (...) {  // std::bad_alloc while copying the answer
    coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(coap_code::kInternalServerError));
  }
}

constexpr coap_request_t kAllMethods[] = {COAP_REQUEST_GET,    COAP_REQUEST_POST,  COAP_REQUEST_PUT,
                                          COAP_REQUEST_DELETE, COAP_REQUEST_FETCH, COAP_REQUEST_PATCH,
                                          COAP_REQUEST_IPATCH};

void register_all(coap_resource_t* r, CoapServer::Impl* impl) {
  for (coap_request_t m : kAllMethods) coap_register_request_handler(r, m, on_request);
  coap_resource_set_userdata(r, impl);
}

// The bound port from coap_endpoint_str ("127.0.0.1:5683 UDP", "[::]:5683 UDP"),
// which formats into a static buffer: hence the mutex.
std::optional<uint16_t> bound_port(const coap_endpoint_t* ep) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::string s = coap_endpoint_str(ep);
  const size_t space = s.find(' ');
  if (space != std::string::npos) s.resize(space);
  const size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon + 1 >= s.size()) return std::nullopt;
  unsigned long v = 0;
  for (size_t i = colon + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned long>(s[i] - '0');
    if (v > 65535) return std::nullopt;
  }
  return static_cast<uint16_t>(v);
}

coap_str_const_t kWellKnown = {sizeof(".well-known/core") - 1,
                               reinterpret_cast<const uint8_t*>(".well-known/core")};

}  // namespace

CoapServer::CoapServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<CoapServer>> CoapServer::start(const std::string& host, uint16_t port,
                                                      CoapHandler handler, CoapServerLimits limits) {
  if (!handler) return make_error(ErrorCode::kInvalidArgument, "coap: no handler");
  detail::coap_init_once();
  TM_ASSIGN_OR_RETURN(coap_address_t addr, detail::resolve_udp(host, port, /*passive=*/true));

  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->limits = limits;
  impl->ctx = coap_new_context(nullptr);
  if (impl->ctx == nullptr) return make_error(ErrorCode::kInternal, "coap: cannot create a context");
  coap_context_set_block_mode(impl->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);

  coap_endpoint_t* ep = coap_new_endpoint(impl->ctx, &addr, COAP_PROTO_UDP);
  if (ep == nullptr) {
    return make_error(ErrorCode::kIo, "coap: cannot bind UDP " + host + ":" + std::to_string(port));
  }
  auto bound = bound_port(ep);
  if (!bound) return make_error(ErrorCode::kInternal, "coap: cannot read the bound port");
  impl->port = *bound;

  coap_resource_t* unknown = coap_resource_unknown_init2(on_request, 0);
  coap_resource_t* well_known = coap_resource_init(&kWellKnown, 0);
  if (unknown == nullptr || well_known == nullptr) {
    return make_error(ErrorCode::kInternal, "coap: cannot create resources");
  }
  register_all(unknown, impl.get());
  register_all(well_known, impl.get());
  coap_add_resource(impl->ctx, unknown);
  coap_add_resource(impl->ctx, well_known);

  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    while (!raw->stopping.load(std::memory_order_acquire)) {
      coap_io_process(raw->ctx, 50);  // ms; bounds how long stop() waits
    }
  });
  return std::unique_ptr<CoapServer>(new CoapServer(std::move(impl)));
}

uint16_t CoapServer::port() const {
  return impl_->port;
}

void CoapServer::stop() {
  std::lock_guard lock(impl_->stop_mu);
  impl_->stopping.store(true, std::memory_order_release);
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->ctx != nullptr) {
    coap_free_context(impl_->ctx);  // closes the socket; frees pending answers
    impl_->ctx = nullptr;
  }
}

CoapServer::~CoapServer() {
  stop();
}

}  // namespace trustmesh::edge
