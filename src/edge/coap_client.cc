// Blocking CoAP client over libcoap (see coap_client.h for the invariants).
//
// libcoap notes: the response handler receives the whole reassembled body
// (COAP_BLOCK_SINGLE_BODY) with the token of our original request (libcoap
// swaps its per-block tokens back), so tokens identify answers; NACKs
// (retransmissions exhausted, ICMP port unreachable, RST) fail the pending
// request. A failed request frees the whole context, which is the one sure
// way to drop libcoap's retransmission queue for it.
#include "edge/coap_client.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "edge/coap_libcoap.h"

namespace trustmesh::edge {

struct CoapClient::Impl {
  std::string host;
  uint16_t port = 0;
  coap_address_t dst{};
  coap_context_t* ctx = nullptr;
  coap_session_t* session = nullptr;

  // The request in flight (request() is not re-entered).
  bool pending = false;
  bool done = false;
  Bytes token;
  std::optional<CoapReply> reply;
  std::optional<Error> failure;

  Status open();
  void close();
  std::string where() const { return host + ":" + std::to_string(port); }
  ~Impl() { close(); }
};

namespace {

CoapClient::Impl* impl_of(coap_session_t* session) {
  return static_cast<CoapClient::Impl*>(coap_get_app_data(coap_session_get_context(session)));
}

coap_response_t on_response(coap_session_t* session, const coap_pdu_t*, const coap_pdu_t* received,
                            const coap_mid_t) {
  CoapClient::Impl* impl = impl_of(session);
  if (impl == nullptr || !impl->pending || impl->done) return COAP_RESPONSE_OK;
  const coap_bin_const_t token = coap_pdu_get_token(received);
  if (token.length != impl->token.size() ||
      (token.length != 0 && std::memcmp(token.s, impl->token.data(), token.length) != 0)) {
    return COAP_RESPONSE_OK;  // a late answer to an abandoned request
  }
  const auto code = static_cast<uint8_t>(coap_pdu_get_code(received));
  if (code == coap_code::make(2, 31)) return COAP_RESPONSE_OK;  // 2.31 Continue: more to come
  CoapReply reply;
  reply.code = code;
  reply.content_format.reset();
  if (auto cf = detail::uint_option(received, COAP_OPTION_CONTENT_FORMAT)) {
    reply.content_format = static_cast<uint16_t>(*cf);
  }
  reply.max_age = detail::uint_option(received, COAP_OPTION_MAXAGE);
  size_t len = 0, offset = 0, total = 0;
  const uint8_t* data = nullptr;
  if (coap_get_data_large(received, &len, &data, &offset, &total)) {
    if (offset != 0 || len != total) {
      impl->failure = make_error(ErrorCode::kMalformed, "coap: incomplete block-wise answer from " +
                                                            impl->where() + " (" + std::to_string(len) +
                                                            " of " + std::to_string(total) + " bytes)");
    } else {
      reply.payload.assign(data, data + len);
    }
  }
  impl->reply = std::move(reply);
  impl->done = true;
  return COAP_RESPONSE_OK;
}

void on_nack(coap_session_t* session, const coap_pdu_t*, const coap_nack_reason_t reason, const coap_mid_t) {
  CoapClient::Impl* impl = impl_of(session);
  if (impl == nullptr || !impl->pending || impl->done) return;
  std::string why;
  switch (reason) {
    case COAP_NACK_TOO_MANY_RETRIES: why = "the server did not answer (retransmissions exhausted)"; break;
    case COAP_NACK_NOT_DELIVERABLE:
    case COAP_NACK_ICMP_ISSUE: why = "the server did not answer (not deliverable: nothing listens?)"; break;
    case COAP_NACK_RST: why = "the server reset the request"; break;
    default: why = "the request failed"; break;
  }
  impl->failure = make_error(ErrorCode::kIo, "coap: " + why + " (" + impl->where() + ")");
  impl->done = true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) {
      return make_error(ErrorCode::kInvalidArgument, "coap: truncated %-escape in '" + std::string(s) + "'");
    }
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) {
      return make_error(ErrorCode::kInvalidArgument, "coap: bad %-escape in '" + std::string(s) + "'");
    }
    out.push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

// Splits s on sep and percent-decodes each part; an empty s gives no parts.
Result<std::vector<std::string>> split_decode(std::string_view s, char sep) {
  std::vector<std::string> parts;
  if (s.empty()) return parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    TM_ASSIGN_OR_RETURN(std::string part,
                        percent_decode(s.substr(start, end == std::string_view::npos ? end : end - start)));
    if (part.size() > 255) {
      return make_error(ErrorCode::kTooLarge, "coap: a Uri-Path or Uri-Query part exceeds 255 bytes");
    }
    parts.push_back(std::move(part));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

Status CoapClient::Impl::open() {
  ctx = coap_new_context(nullptr);
  if (ctx == nullptr) return make_error(ErrorCode::kInternal, "coap: cannot create a context");
  coap_context_set_block_mode(ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
  coap_register_response_handler(ctx, on_response);
  coap_register_nack_handler(ctx, on_nack);
  coap_set_app_data(ctx, this);
  session = coap_new_client_session(ctx, nullptr, &dst, COAP_PROTO_UDP);
  if (session == nullptr) {
    close();
    return make_error(ErrorCode::kIo, "coap: cannot open a UDP session to " + where());
  }
  return Status::Ok();
}

void CoapClient::Impl::close() {
  pending = false;  // NACKs raised while freeing are not for a live request
  if (session != nullptr) coap_session_release(session);
  session = nullptr;
  if (ctx != nullptr) coap_free_context(ctx);
  ctx = nullptr;
}

CoapClient::CoapClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CoapClient::~CoapClient() = default;

Result<std::unique_ptr<CoapClient>> CoapClient::connect(const std::string& host, uint16_t port) {
  if (port == 0) return make_error(ErrorCode::kInvalidArgument, "coap: port 0");
  detail::coap_init_once();
  auto impl = std::make_unique<Impl>();
  impl->host = host;
  impl->port = port;
  TM_ASSIGN_OR_RETURN(impl->dst, detail::resolve_udp(host, port, /*passive=*/false));
  TM_TRY(impl->open());
  return std::unique_ptr<CoapClient>(new CoapClient(std::move(impl)));
}

Result<CoapReply> CoapClient::request(std::string_view method, std::string_view path_and_query,
                                      ByteView payload, std::chrono::milliseconds timeout,
                                      std::optional<uint16_t> content_format,
                                      std::string_view authorization) {
  Impl& s = *impl_;
  const auto code = detail::method_code(method);
  if (!code)
    return make_error(ErrorCode::kInvalidArgument, "coap: unknown method '" + std::string(method) + "'");
  const size_t qmark = path_and_query.find('?');
  std::string_view path = path_and_query.substr(0, qmark);
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view() : path_and_query.substr(qmark + 1);
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  TM_ASSIGN_OR_RETURN(auto segments, split_decode(path, '/'));
  TM_ASSIGN_OR_RETURN(auto queries, split_decode(query, '&'));

  if (s.ctx == nullptr) TM_TRY(s.open());
  coap_pdu_t* pdu = coap_new_pdu(COAP_MESSAGE_CON, *code, s.session);
  if (pdu == nullptr) return make_error(ErrorCode::kInternal, "coap: cannot create a PDU");
  uint8_t token[8];
  size_t token_len = 0;
  coap_session_new_token(s.session, &token_len, token);
  coap_add_token(pdu, token_len, token);

  coap_optlist_t* options = nullptr;
  for (const auto& seg : segments) {
    coap_insert_optlist(&options, coap_new_optlist(COAP_OPTION_URI_PATH, seg.size(),
                                                   reinterpret_cast<const uint8_t*>(seg.data())));
  }
  if (content_format) {
    uint8_t buf[4];
    coap_insert_optlist(&options,
                        coap_new_optlist(COAP_OPTION_CONTENT_FORMAT,
                                         coap_encode_var_safe(buf, sizeof buf, *content_format), buf));
  }
  for (const auto& q : queries) {
    coap_insert_optlist(&options, coap_new_optlist(COAP_OPTION_URI_QUERY, q.size(),
                                                   reinterpret_cast<const uint8_t*>(q.data())));
  }
  if (!authorization.empty()) {
    uint8_t buf[4];
    coap_insert_optlist(&options, coap_new_optlist(COAP_OPTION_URI_HOST, s.host.size(),
                                                   reinterpret_cast<const uint8_t*>(s.host.data())));
    coap_insert_optlist(
        &options, coap_new_optlist(COAP_OPTION_URI_PORT, coap_encode_var_safe(buf, sizeof buf, s.port), buf));
    coap_insert_optlist(&options, coap_new_optlist(kCoapOptionAuthorization, authorization.size(),
                                                   reinterpret_cast<const uint8_t*>(authorization.data())));
  }
  const int options_ok = options == nullptr || coap_add_optlist_pdu(pdu, &options);
  coap_delete_optlist(options);
  if (!options_ok) {
    coap_delete_pdu(pdu);
    return make_error(ErrorCode::kTooLarge, "coap: the options do not fit one datagram");
  }
  if (!payload.empty()) {
    Bytes* body = detail::hand_over(to_bytes(payload));
    if (!coap_add_data_large_request(s.session, pdu, body->size(), body->data(), detail::release_bytes,
                                     body)) {
      coap_delete_pdu(pdu);  // libcoap has released body
      return make_error(ErrorCode::kInternal, "coap: cannot attach the payload");
    }
  }

  s.token.assign(token, token + token_len);
  s.reply.reset();
  s.failure.reset();
  s.done = false;
  s.pending = true;
  if (coap_send(s.session, pdu) == COAP_INVALID_MID) {  // coap_send owns pdu either way
    s.close();
    return make_error(ErrorCode::kIo, "coap: cannot send to " + s.where());
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!s.done) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    // Never 0: COAP_IO_WAIT would block until something arrives.
    const auto wait = static_cast<uint32_t>(std::clamp<int64_t>(left.count(), 1, 100));
    if (coap_io_process(s.ctx, wait) < 0) {
      s.failure = make_error(ErrorCode::kIo, "coap: I/O error talking to " + s.where());
      break;
    }
  }
  s.pending = false;
  if (s.done && !s.failure) return std::move(*s.reply);
  Error err =
      s.failure ? *s.failure
                : make_error(ErrorCode::kIo, "coap: the server did not answer within " +
                                                 std::to_string(timeout.count()) + " ms (" + s.where() + ")");
  s.close();  // drops retransmissions; the next request opens a fresh session
  return err;
}

Result<CoapReply> coap_request(const std::string& host, uint16_t port, std::string_view method,
                               std::string_view path_and_query, ByteView payload,
                               std::chrono::milliseconds timeout, std::string_view authorization) {
  TM_ASSIGN_OR_RETURN(auto client, CoapClient::connect(host, port));
  return client->request(method, path_and_query, payload, timeout, std::nullopt, authorization);
}

std::string CoapClient::authority() const {
  return impl_->host + ":" + std::to_string(impl_->port);
}

}  // namespace trustmesh::edge
