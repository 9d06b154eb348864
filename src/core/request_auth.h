// Who is asking, and of which server: signed HTTP requests (docs/API.md,
// "Access domains"), used by ledger nodes (api/) and, without linking the
// API layer, by edge servers and the CLI.
//
// A request may carry
//   Authorization: TM-Sig key=<hex of PublicKey::encoded()>, ts=<unix seconds>, sig=<hex>
// where sig is the key's signature (core/keys.h; P-256 or Ed25519) over
// SHA-256 of request_auth_text():
//   "trustmesh-request-v2\n" chain_id "\n" authority "\n" METHOD "\n" target "\n" ts
// authority being the Host header as sent (host[:port], lower-cased) and
// target the path with its query exactly as sent. The caller is then
// Address::of(key). No header: anonymous.
//
// A server takes a signed request only when its Host names the server itself
// (AuthorityPolicy): a header signed for one server (say an edge server at a
// gateway) cannot be replayed to another within the time window.
//
// Invariants: these are pure functions (the clock is an argument); a header
// is accepted only if it parses exactly (three fields, in this order, lower
// hex, decimal ts), the key decodes, ts is within kAuthSkewSeconds of `now`
// and the signature verifies for this chain, authority, method and target.
// The authority is compared case-insensitively (both halves lower-case it).
// Every refusal is kUnauthenticated saying why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/keys.h"

namespace trustmesh::auth {

inline constexpr std::string_view kAuthScheme = "TM-Sig";
inline constexpr uint64_t kAuthSkewSeconds = 300;
inline constexpr uint16_t kDefaultHttpPort = 80;

// The text whose SHA-256 is signed (authority lower-cased here).
std::string request_auth_text(std::string_view chain_id, std::string_view authority, std::string_view method,
                              std::string_view target, uint64_t ts);

// The Authorization header value for a request (method e.g. "GET") that is
// sent with `Host: authority`.
Result<std::string> sign_request(const KeyPair& key, std::string_view chain_id, std::string_view authority,
                                 std::string_view method, std::string_view target, uint64_t ts);

// Verifies a header value for a request that came with `Host: authority`;
// the caller's address, or kUnauthenticated with the reason.
Result<Address> verify_request(std::string_view header, std::string_view chain_id, std::string_view authority,
                               std::string_view method, std::string_view target, uint64_t now);

// host[:port] parsed and normalised: host lower-cased (an IPv6 literal keeps
// its brackets), port defaulted. Hosts are registered names or IPv4 of
// a-z 0-9 - . _ ~, or [IPv6]; the port is 1..65535. kInvalidArgument otherwise.
struct Authority {
  std::string host;
  uint16_t port = kDefaultHttpPort;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};
Result<Authority> parse_authority(std::string_view text, uint16_t default_port = kDefaultHttpPort);

// Which Host values a server takes signed requests for. With public hosts
// configured, exactly those (port 80 where none is given). Otherwise derived
// from the listening address: host:port for the listen host at the listening
// port; if that host is loopback also localhost, 127.0.0.1 and [::1] at that
// port; if it is a wildcard (0.0.0.0, ::) any host at that port (a gap that
// configuring public hosts closes).
class AuthorityPolicy {
 public:
  AuthorityPolicy() = default;  // accepts nothing
  // kInvalidArgument naming a public host that is not host[:port].
  static Result<AuthorityPolicy> make(const std::vector<std::string>& public_hosts,
                                      std::string_view listen_host, uint16_t listen_port);

  bool accepts(std::string_view host_header) const;
  // kUnauthenticated unless accepts(host_header): the message names the
  // authority seen (signed for), the ones this server answers to, and ends
  // with `remedy` (how to make this server accept another name; each
  // "{authority}" in it becomes the authority seen, as host:port).
  Status check(std::string_view host_header, std::string_view remedy) const;
  // "127.0.0.1:8080, localhost:8080 or [::1]:8080", or "any host at port 8080".
  std::string describe() const;

  const std::vector<std::string>& names() const { return names_; }
  std::optional<uint16_t> any_host_port() const { return any_host_port_; }

 private:
  std::vector<std::string> names_;         // normalised host:port
  std::optional<uint16_t> any_host_port_;  // wildcard listen address, no public hosts
};

}  // namespace trustmesh::auth
