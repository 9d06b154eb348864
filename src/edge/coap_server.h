// CoAP server for edge identity servers: plain CoAP over UDP (RFC 7252) with
// block-wise transfer (RFC 7959), wrapping libcoap so no other code includes it.
//
// Invariants:
//  * One libcoap context per CoapServer, driven by one thread of its own (the
//    "CoAP thread"). The handler is called only on that thread, one request at
//    a time, so it must not block for long (every client waits behind it).
//  * Every request, whatever its path or method, reaches the handler (also
//    /.well-known/core); libcoap answers nothing by itself except protocol
//    matters: ACKs, RSTs for garbage, 2.31 Continue for request blocks and the
//    later blocks of a large answer (served from the answer the handler gave
//    for block 0, without calling it again).
//  * Request payloads are reassembled whole (Block1) before the handler sees
//    them; beyond CoapServerLimits::max_request_payload the client gets 4.13
//    (with Size1 = the limit) and the handler is not called.
//  * A handler that throws yields 5.00 with a CBOR {"error","message"} body;
//    nothing a client sends can crash the server.
//  * At least once: libcoap 4.3 does not remember piggybacked answers, so a
//    client's retransmission of a request (its answer lost, or the handler
//    slower than the 2 s ACK timeout) calls the handler again. Handlers must
//    be idempotent (reads are).
//  * stop() (and the destructor) returns within about 50 ms plus the handler
//    call in progress; afterwards the handler is never called again and the
//    UDP port is closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace trustmesh::edge {

// CoAP response codes: class << 5 | detail ("2.05" is 0x45).
namespace coap_code {
inline constexpr uint8_t make(uint8_t cls, uint8_t detail) {
  return static_cast<uint8_t>(cls << 5 | detail);
}
inline constexpr uint8_t kCreated = make(2, 1);                    // 2.01
inline constexpr uint8_t kDeleted = make(2, 2);                    // 2.02
inline constexpr uint8_t kValid = make(2, 3);                      // 2.03
inline constexpr uint8_t kChanged = make(2, 4);                    // 2.04
inline constexpr uint8_t kContent = make(2, 5);                    // 2.05
inline constexpr uint8_t kBadRequest = make(4, 0);                 // 4.00
inline constexpr uint8_t kUnauthorized = make(4, 1);               // 4.01
inline constexpr uint8_t kBadOption = make(4, 2);                  // 4.02
inline constexpr uint8_t kForbidden = make(4, 3);                  // 4.03
inline constexpr uint8_t kNotFound = make(4, 4);                   // 4.04
inline constexpr uint8_t kMethodNotAllowed = make(4, 5);           // 4.05
inline constexpr uint8_t kNotAcceptable = make(4, 6);              // 4.06
inline constexpr uint8_t kRequestEntityIncomplete = make(4, 8);    // 4.08
inline constexpr uint8_t kConflict = make(4, 9);                   // 4.09
inline constexpr uint8_t kPreconditionFailed = make(4, 12);        // 4.12
inline constexpr uint8_t kRequestEntityTooLarge = make(4, 13);     // 4.13
inline constexpr uint8_t kUnsupportedContentFormat = make(4, 15);  // 4.15
inline constexpr uint8_t kTooManyRequests = make(4, 29);           // 4.29
inline constexpr uint8_t kInternalServerError = make(5, 0);        // 5.00
inline constexpr uint8_t kNotImplemented = make(5, 1);             // 5.01
inline constexpr uint8_t kBadGateway = make(5, 2);                 // 5.02
inline constexpr uint8_t kServiceUnavailable = make(5, 3);         // 5.03
inline constexpr uint8_t kGatewayTimeout = make(5, 4);             // 5.04

inline constexpr uint8_t code_class(uint8_t code) {
  return code >> 5;
}
inline constexpr uint8_t code_detail(uint8_t code) {
  return code & 0x1f;
}
// "2.05", "4.04".
std::string to_string(uint8_t code);
}  // namespace coap_code

// Content-Format numbers (IANA CoRE registry).
namespace coap_format {
inline constexpr uint16_t kTextPlain = 0;
inline constexpr uint16_t kLinkFormat = 40;
inline constexpr uint16_t kOctetStream = 42;
inline constexpr uint16_t kJson = 50;
inline constexpr uint16_t kCbor = 60;
}  // namespace coap_format

// The option that carries a caller's signature on a CoAP request: the same
// "TM-Sig key=…, ts=…, sig=…" text as the HTTP Authorization header
// (core/request_auth.h), signed for the authority in Uri-Host and Uri-Port.
// 65000 is in the experimental range (RFC 7252 §12.2) and elective (even),
// so a server that does not know it ignores it.
inline constexpr uint16_t kCoapOptionAuthorization = 65000;

struct CoapRequest {
  std::string method;  // "GET", "POST", "PUT", "DELETE", "FETCH", "PATCH", "iPATCH"
  // "/" + the Uri-Path options joined with '/', each percent-encoded where a
  // URI needs it (a '/' inside one option is "%2F"): "/v1/status/abc".
  std::string path;
  // The Uri-Query options joined with '&', percent-encoded likewise; "" if none.
  std::string query;
  Bytes payload;              // whole (block-wise requests are reassembled first)
  std::string authorization;  // the kCoapOptionAuthorization value; "" if none
  std::string authority;      // Uri-Host ":" Uri-Port as sent; "" without Uri-Host
  std::optional<uint16_t> content_format;
};

struct CoapReply {
  uint8_t code = coap_code::kContent;
  // Sent only with a non-empty payload.
  std::optional<uint16_t> content_format = coap_format::kCbor;
  Bytes payload;                    // any size: sent block-wise when it does not fit one datagram
  std::optional<uint32_t> max_age;  // seconds; absent = CoAP's default (60)
};

// A diagnostic answer: CBOR map {"error": error, "message": message} (code
// e.g. coap_code::kNotFound, error a stable snake_case word). Text that is not
// valid UTF-8 has the offending bytes replaced by U+FFFD.
CoapReply coap_error(uint8_t code, std::string_view error, std::string_view message);
// The other way: "error: message" from such a payload, or a note that it is not one.
std::string coap_diagnostic(ByteView payload);

// Called on the CoAP thread; see the invariants above.
using CoapHandler = std::function<CoapReply(const CoapRequest&)>;

struct CoapServerLimits {
  size_t max_request_payload = 64 * 1024;  // bytes, after block-wise reassembly
};

class CoapServer {
 public:
  // Binds UDP host:port (port 0 picks a free one, see port()) and starts the
  // CoAP thread. host is a numeric address or a name ("127.0.0.1", "::",
  // "0.0.0.0", "localhost").
  static Result<std::unique_ptr<CoapServer>> start(const std::string& host, uint16_t port,
                                                   CoapHandler handler, CoapServerLimits limits = {});

  uint16_t port() const;
  // Stops the CoAP thread and closes the socket. Idempotent; not to be called
  // from the handler itself.
  void stop();
  ~CoapServer();

  CoapServer(const CoapServer&) = delete;
  CoapServer& operator=(const CoapServer&) = delete;

  struct Impl;  // libcoap state, private to coap_server.cc

 private:
  explicit CoapServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trustmesh::edge
