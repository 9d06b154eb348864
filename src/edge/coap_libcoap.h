// libcoap glue shared by coap_server.cc and coap_client.cc; the only header
// in trustmesh that includes <coap3/coap.h> (nothing outside src/edge/*.cc
// may include this file).
//
// Invariants: coap_init_once() runs coap_startup() exactly once per process
// (libcoap's globals: clock, PRNG, log level) before any context is made;
// after that every libcoap context is used by one thread only.
#pragma once

#include <coap3/coap.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace trustmesh::edge::detail {

// coap_startup() and the log level: quiet unless TM_COAP_LOG=0..7 is set (a
// debugging aid only: libcoap formats some log lines in static buffers, so
// verbose logging with several contexts on several threads can garble them).
void coap_init_once();

// Resolves host (numeric or name) to a UDP address; passive for a server bind.
Result<coap_address_t> resolve_udp(const std::string& host, uint16_t port, bool passive);

// "GET" -> COAP_REQUEST_CODE_GET ...; nullopt for anything else.
std::optional<coap_pdu_code_t> method_code(std::string_view method);
// COAP_REQUEST_CODE_GET -> "GET"; "" for a code that is no method.
std::string_view method_name(coap_pdu_code_t code);

// The value of an unsigned-integer option (Content-Format, Max-Age, Size1);
// nullopt if absent.
std::optional<uint32_t> uint_option(const coap_pdu_t* pdu, coap_option_num_t number);
// The value of a string option (Uri-Host, ...); "" if absent.
std::string text_option(const coap_pdu_t* pdu, coap_option_num_t number);

// A heap copy of bytes whose ownership passes to libcoap (the large-data
// release callback deletes it).
Bytes* hand_over(Bytes bytes);
void release_bytes(coap_session_t* session, void* app_ptr);

}  // namespace trustmesh::edge::detail
