// Request target parsing helpers (url.h).
#include "api/url.h"

#include <charconv>

namespace trustmesh::api {

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string shown(std::string_view s) {
  constexpr size_t kMax = 80;
  return s.size() <= kMax ? std::string(s) : std::string(s.substr(0, kMax)) + "...";
}
}  // namespace

Result<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? hex_digit(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return make_error(ErrorCode::kMalformed,
                        "bad percent-escape at offset " + std::to_string(i) + " of the path: expected %XX");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<std::string_view> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    if (k == name) return eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Result<bool> query_flag(std::string_view query, std::string_view name) {
  auto v = query_param(query, name);
  if (!v) return false;
  if (v->empty() || *v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return make_error(ErrorCode::kInvalidArgument, "query parameter '" + std::string(name) +
                                                     "' must be true or false, got '" + shown(*v) + "'");
}

Result<uint64_t> parse_height(std::string_view s) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || s.size() > 20 || ec != std::errc() || ptr != s.data() + s.size()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "height must be a decimal integer (e.g. /v1/blocks/12) or 'latest', got '" + shown(s) + "'");
  }
  return v;
}

Result<Hash32> parse_hash(std::string_view s, std::string_view what) {
  bool hex = s.size() == 64;
  for (char c : s) hex = hex && hex_digit(c) >= 0;
  if (!hex) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + " must be 64 hex characters (a SHA-256 hash), got '" + shown(s) +
                          "' (" + std::to_string(s.size()) + " characters)");
  }
  return hash32_from_hex(s);
}

}  // namespace trustmesh::api
