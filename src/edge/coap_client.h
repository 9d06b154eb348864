// Blocking CoAP client (plain UDP) for devices, tests and benchmarks; the
// counterpart of CoapServer, wrapping libcoap likewise.
//
// Invariants:
//  * A CoapClient owns one libcoap context and one session to one server; it
//    is used by one thread at a time (not thread-safe) and runs libcoap only
//    inside request(), on the caller's thread.
//  * One request at a time, confirmable (CON), with a fresh token; an answer
//    whose token is not the current request's (a late answer to an earlier,
//    timed-out request) is ignored.
//  * Answers are reassembled whole (Block2) and request payloads sent
//    block-wise (Block1) when they do not fit one datagram.
//  * Any CoAP answer, 4.xx and 5.xx included, is a CoapReply; only transport
//    failures are errors (kIo: no answer within the timeout, port unreachable;
//    kInvalidArgument: bad method, host or path). After a transport failure the
//    next request starts on a fresh context and session.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "edge/coap_server.h"

namespace trustmesh::edge {

using namespace std::chrono_literals;

class CoapClient {
 public:
  // Resolves host and prepares a session (UDP: nothing is sent yet).
  static Result<std::unique_ptr<CoapClient>> connect(const std::string& host, uint16_t port);

  // method: "GET", "POST", "PUT", "DELETE", "FETCH", "PATCH", "iPATCH".
  // path_and_query: "/v1/status/abc?proof=1&x=%2F" (segments and query parts
  // are percent-decoded into the Uri-Path and Uri-Query options).
  // authorization: a caller's signature (kCoapOptionAuthorization) for
  // authority() and this method and path_and_query; sent with Uri-Host and
  // Uri-Port naming authority(), as it was signed for.
  Result<CoapReply> request(std::string_view method, std::string_view path_and_query, ByteView payload = {},
                            std::chrono::milliseconds timeout = 5s,
                            std::optional<uint16_t> content_format = std::nullopt,
                            std::string_view authorization = {});
  // "host:port" as this client addresses the server.
  std::string authority() const;

  ~CoapClient();
  CoapClient(const CoapClient&) = delete;
  CoapClient& operator=(const CoapClient&) = delete;

  struct Impl;  // libcoap state, private to coap_client.cc

 private:
  explicit CoapClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One request on a short-lived CoapClient.
Result<CoapReply> coap_request(const std::string& host, uint16_t port, std::string_view method,
                               std::string_view path_and_query, ByteView payload = {},
                               std::chrono::milliseconds timeout = 5s, std::string_view authorization = {});

}  // namespace trustmesh::edge
