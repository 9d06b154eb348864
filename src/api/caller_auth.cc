// Signed requests: building and checking Authorization: TM-Sig; see caller_auth.h.
#include "api/caller_auth.h"

#include <charconv>

#include "core/hash.h"

namespace trustmesh::api {

namespace {

Error unauth(std::string why) {
  return make_error(ErrorCode::kUnauthenticated,
                    "Authorization: " + why +
                        " (expected TM-Sig key=<hex public key>, ts=<unix seconds>, sig=<hex signature>; "
                        "see docs/API.md, Access domains)");
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

}  // namespace

std::string request_auth_text(std::string_view chain_id, std::string_view method, std::string_view target,
                              uint64_t ts) {
  std::string t = "trustmesh-request-v1\n";
  t.append(chain_id).append("\n").append(method).append("\n").append(target).append("\n");
  t += std::to_string(ts);
  return t;
}

Result<std::string> sign_request(const KeyPair& key, std::string_view chain_id, std::string_view method,
                                 std::string_view target, uint64_t ts) {
  Hash32 digest = sha256(as_bytes(request_auth_text(chain_id, method, target, ts)));
  TM_ASSIGN_OR_RETURN(Bytes sig, key.sign(digest));
  return std::string(kAuthScheme) + " key=" + to_hex(key.public_key().encoded()) +
         ", ts=" + std::to_string(ts) + ", sig=" + to_hex(sig);
}

Result<Address> verify_request(std::string_view header, std::string_view chain_id, std::string_view method,
                               std::string_view target, uint64_t now) {
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
                  " s from the node's clock (" + std::to_string(now) + "); check your clock and sign again");
  auto key = PublicKey::from_encoded_cached(*from_hex(key_hex));
  if (!key.ok()) return unauth("key: " + key.error().message);
  Hash32 digest = sha256(as_bytes(request_auth_text(chain_id, method, target, ts)));
  if (!key->verify(digest, *from_hex(sig_hex)))
    return unauth("the signature does not verify for " + std::string(method) + " " + std::string(target) +
                  " on chain '" + std::string(chain_id) + "' (signed for another request, chain or key?)");
  return Address::of(*key);
}

}  // namespace trustmesh::api
