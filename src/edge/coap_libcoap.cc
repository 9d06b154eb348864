// libcoap glue shared by the CoAP server and client (see coap_libcoap.h).
#include "edge/coap_libcoap.h"

#include <netdb.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace trustmesh::edge::detail {

void coap_init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    coap_startup();
    int level = LOG_EMERG;  // libcoap logs to stderr; our callers report errors as values
    if (const char* env = std::getenv("TM_COAP_LOG"); env && *env >= '0' && *env <= '7') {
      level = *env - '0';
    }
    coap_set_log_level(static_cast<coap_log_t>(level));
  });
}

Result<coap_address_t> resolve_udp(const std::string& host, uint16_t port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_protocol = IPPROTO_UDP;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      "coap: cannot resolve '" + host + "': " + gai_strerror(rc));
  }
  coap_address_t addr;
  coap_address_init(&addr);
  bool found = false;
  for (addrinfo* ai = res; ai != nullptr && !found; ai = ai->ai_next) {
    if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) && ai->ai_addrlen <= sizeof(addr.addr)) {
      addr.size = ai->ai_addrlen;
      std::memcpy(&addr.addr, ai->ai_addr, ai->ai_addrlen);
      found = true;
    }
  }
  freeaddrinfo(res);
  if (!found) return make_error(ErrorCode::kInvalidArgument, "coap: no IPv4/IPv6 address for '" + host + "'");
  return addr;
}

namespace {
struct MethodEntry {
  std::string_view name;
  coap_pdu_code_t code;
};
constexpr MethodEntry kMethods[] = {
    {"GET", COAP_REQUEST_CODE_GET},       {"POST", COAP_REQUEST_CODE_POST},
    {"PUT", COAP_REQUEST_CODE_PUT},       {"DELETE", COAP_REQUEST_CODE_DELETE},
    {"FETCH", COAP_REQUEST_CODE_FETCH},   {"PATCH", COAP_REQUEST_CODE_PATCH},
    {"iPATCH", COAP_REQUEST_CODE_IPATCH},
};
}  // namespace

std::optional<coap_pdu_code_t> method_code(std::string_view method) {
  for (const auto& m : kMethods) {
    if (m.name == method) return m.code;
  }
  return std::nullopt;
}

std::string_view method_name(coap_pdu_code_t code) {
  for (const auto& m : kMethods) {
    if (m.code == code) return m.name;
  }
  return {};
}

std::optional<uint32_t> uint_option(const coap_pdu_t* pdu, coap_option_num_t number) {
  coap_opt_iterator_t it;
  coap_opt_t* opt = coap_check_option(pdu, number, &it);
  if (opt == nullptr) return std::nullopt;
  return coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
}

std::string text_option(const coap_pdu_t* pdu, coap_option_num_t number) {
  coap_opt_iterator_t it;
  coap_opt_t* opt = coap_check_option(pdu, number, &it);
  if (opt == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(coap_opt_value(opt)), coap_opt_length(opt));
}

Bytes* hand_over(Bytes bytes) {
  return new Bytes(std::move(bytes));
}

void release_bytes(coap_session_t*, void* app_ptr) {
  delete static_cast<Bytes*>(app_ptr);
}

}  // namespace trustmesh::edge::detail
