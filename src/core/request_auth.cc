// Signed requests: building and checking Authorization: TM-Sig, and which
// Host values a server takes them for; see request_auth.h.
#include "core/request_auth.h"

#include <algorithm>
#include <charconv>

#include "core/hash.h"

namespace trustmesh::auth {

namespace {

Error unauth(std::string why) {
  return make_error(ErrorCode::kUnauthenticated,
                    "Authorization: " + why +
                        " (expected TM-Sig key=<hex public key>, ts=<unix seconds>, sig=<hex signature>; "
                        "see docs/API.md, Access domains)");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "name=value" at the front of s, up to ", " or the end.
Result<std::string_view> field(std::string_view& s, std::string_view name, bool last) {
  if (s.substr(0, name.size() + 1) != std::string(name) + "=")
    return unauth("expected field '" + std::string(name) + "='");
  s.remove_prefix(name.size() + 1);
  size_t end = s.find(',');
  if (last) {
    if (end != std::string_view::npos) return unauth("unexpected text after sig");
    std::string_view v = s;
    s = {};
    return v;
  }
  if (end == std::string_view::npos || s.substr(end, 2) != ", ")
    return unauth("fields must be separated by \", \"");
  std::string_view v = s.substr(0, end);
  s.remove_prefix(end + 2);
  return v;
}

bool lower_hex(std::string_view s) {
  if (s.empty() || s.size() % 2) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool is_loopback(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  return host.substr(0, 4) == "127." && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

}  // namespace

std::string request_auth_text(std::string_view chain_id, std::string_view authority, std::string_view method,
                              std::string_view target, uint64_t ts) {
  std::string t = "trustmesh-request-v2\n";
  t.append(chain_id).append("\n").append(lower(authority)).append("\n");
  t.append(method).append("\n").append(target).append("\n");
  t += std::to_string(ts);
  return t;
}

Result<std::string> sign_request(const KeyPair& key, std::string_view chain_id, std::string_view authority,
                                 std::string_view method, std::string_view target, uint64_t ts) {
  Hash32 digest = sha256(as_bytes(request_auth_text(chain_id, authority, method, target, ts)));
  TM_ASSIGN_OR_RETURN(Bytes sig, key.sign(digest));
  return std::string(kAuthScheme) + " key=" + to_hex(key.public_key().encoded()) +
         ", ts=" + std::to_string(ts) + ", sig=" + to_hex(sig);
}

Result<Address> verify_request(std::string_view header, std::string_view chain_id, std::string_view authority,
                               std::string_view method, std::string_view target, uint64_t now) {
  std::string_view s = header;
  if (s.substr(0, kAuthScheme.size() + 1) != std::string(kAuthScheme) + " ")
    return unauth("unknown scheme (only TM-Sig)");
  s.remove_prefix(kAuthScheme.size() + 1);
  TM_ASSIGN_OR_RETURN(std::string_view key_hex, field(s, "key", false));
  TM_ASSIGN_OR_RETURN(std::string_view ts_text, field(s, "ts", false));
  TM_ASSIGN_OR_RETURN(std::string_view sig_hex, field(s, "sig", true));
  if (!lower_hex(key_hex)) return unauth("key is not lower-case hex");
  if (!lower_hex(sig_hex)) return unauth("sig is not lower-case hex");
  uint64_t ts = 0;
  auto [end, ec] = std::from_chars(ts_text.data(), ts_text.data() + ts_text.size(), ts);
  if (ec != std::errc() || end != ts_text.data() + ts_text.size() || ts_text.empty() ||
      (ts_text.size() > 1 && ts_text[0] == '0'))
    return unauth("ts is not unix seconds in decimal");
  if (ts + kAuthSkewSeconds < now || ts > now + kAuthSkewSeconds)
    return unauth("ts " + std::to_string(ts) + " is more than " + std::to_string(kAuthSkewSeconds) +
                  " s from the server's clock (" + std::to_string(now) +
                  "); check your clock and sign again");
  auto key = PublicKey::from_encoded_cached(*from_hex(key_hex));
  if (!key.ok()) return unauth("key: " + key.error().message);
  Hash32 digest = sha256(as_bytes(request_auth_text(chain_id, authority, method, target, ts)));
  if (!key->verify(digest, *from_hex(sig_hex)))
    return unauth("the signature does not verify for " + std::string(method) + " " + std::string(target) +
                  " at '" + lower(authority) + "' on chain '" + std::string(chain_id) +
                  "' (signed for another request, server, chain or key?)");
  return Address::of(*key);
}

Result<Authority> parse_authority(std::string_view text, uint16_t default_port) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "'" + std::string(text) + "' is not host[:port]: " + why);
  };
  const std::string s = lower(text);
  Authority a;
  std::string_view rest;  // ":port" or ""
  if (s.empty()) return bad("it is empty");
  if (s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string::npos) return bad("'[' without ']'");
    std::string_view inside = std::string_view(s).substr(1, close - 1);
    if (inside.find(':') == std::string_view::npos ||
        inside.find_first_not_of("0123456789abcdef:.") != std::string_view::npos)
      return bad("no IPv6 address between the brackets");
    a.host = s.substr(0, close + 1);
    rest = std::string_view(s).substr(close + 1);
  } else {
    size_t colon = s.find(':');
    a.host = s.substr(0, colon);
    if (colon != std::string::npos) rest = std::string_view(s).substr(colon);
    if (a.host.empty()) return bad("no host (an IPv6 address goes in [brackets])");
    if (a.host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-._~") != std::string::npos)
      return bad("the host may hold only a-z 0-9 - . _ ~ (an IPv6 address goes in [brackets])");
  }
  if (rest.empty()) {
    a.port = default_port;
    return a;
  }
  if (rest[0] != ':') return bad("text after ']' that is not :port");
  std::string_view p = rest.substr(1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (p.empty() || p.size() > 5 || ec != std::errc() || end != p.data() + p.size() || port == 0 ||
      port > 65535)
    return bad("the port must be 1..65535 (an IPv6 address goes in [brackets])");
  a.port = static_cast<uint16_t>(port);
  return a;
}

Result<AuthorityPolicy> AuthorityPolicy::make(const std::vector<std::string>& public_hosts,
                                              std::string_view listen_host, uint16_t listen_port) {
  AuthorityPolicy p;
  auto add = [&](std::string name) {
    if (std::find(p.names_.begin(), p.names_.end(), name) == p.names_.end())
      p.names_.push_back(std::move(name));
  };
  for (const std::string& h : public_hosts) {
    auto a = parse_authority(h);
    if (!a.ok()) return make_error(ErrorCode::kInvalidArgument, "public host " + a.error().message);
    add(a->to_string());
  }
  if (!public_hosts.empty()) return p;
  std::string host = lower(listen_host);
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  const std::string port = ":" + std::to_string(listen_port);
  if (host == "0.0.0.0" || host == "[::]") {
    p.any_host_port_ = listen_port;
    return p;
  }
  add(host + port);
  if (is_loopback(host)) {
    for (const char* alias : {"localhost", "127.0.0.1", "[::1]"}) add(alias + port);
  }
  return p;
}

bool AuthorityPolicy::accepts(std::string_view host_header) const {
  auto a = parse_authority(host_header);
  if (!a.ok()) return false;
  if (any_host_port_) return a->port == *any_host_port_;
  return std::find(names_.begin(), names_.end(), a->to_string()) != names_.end();
}

std::string AuthorityPolicy::describe() const {
  if (any_host_port_) return "any host at port " + std::to_string(*any_host_port_);
  if (names_.empty()) return "no name at all (no address configured)";
  std::string out;
  for (size_t i = 0; i < names_.size(); ++i) {
    if (i) out += i + 1 == names_.size() ? " or " : ", ";
    out += names_[i];
  }
  return out;
}

Status AuthorityPolicy::check(std::string_view host_header, std::string_view remedy) const {
  if (accepts(host_header)) return Status::Ok();
  auto fail = [](const std::string& why) {
    return make_error(ErrorCode::kUnauthenticated,
                      "Authorization: " + why + " (see docs/API.md, Access domains)");
  };
  if (host_header.empty())
    return fail(
        "a signed request must carry a Host header, the host:port it was signed for; this server "
        "takes signed requests as " +
        describe());
  auto a = parse_authority(host_header);
  if (!a.ok()) return fail("the Host header " + a.error().message);
  const std::string seen = lower(host_header), norm = a->to_string();
  constexpr std::string_view kSlot = "{authority}";
  std::string fix(remedy);
  for (size_t at = fix.find(kSlot); at != std::string::npos; at = fix.find(kSlot, at + norm.size()))
    fix.replace(at, kSlot.size(), norm);
  const std::string signed_for = "this request was signed for '" + seen + "' (its Host header" +
                                 (seen == norm ? "" : ", i.e. " + norm) + ")";
  if (any_host_port_)
    return fail(
        signed_for + " but this server takes signed requests only at port " +
        std::to_string(*any_host_port_) +
        " (any host: it listens on a wildcard address): address it at that port (the host:port of the "
        "URL is what is signed), or, if '" +
        norm + "' is a name of this server, " + fix);
  return fail(signed_for + " but this server takes signed requests only as " + describe() +
              ": address it by one of those (the host:port of the URL is what is signed), or, if '" + norm +
              "' is a name of this server, " + fix);
}

}  // namespace trustmesh::auth
