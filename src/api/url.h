// Parsing of the pieces of a request target: percent-decoding of path
// segments, query parameters, and the typed path parameters of the API
// (heights, hashes). Errors are values (kInvalidArgument / kMalformed) whose
// messages say what was expected, ready to be sent as a 400.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace trustmesh::api {

// Decodes %XX escapes (either hex case). '+' is kept as is (paths, not forms).
// kMalformed for a '%' not followed by two hex digits.
Result<std::string> percent_decode(std::string_view s);
// True iff `s` has no '%' (the common case: decoding would copy it unchanged).
inline bool needs_decoding(std::string_view s) {
  return s.find('%') != std::string_view::npos;
}

// The raw value of query parameter `name` ("a=1&b=2"), nullopt if absent
// ("flag" alone gives an empty value).
std::optional<std::string_view> query_param(std::string_view query, std::string_view name);

// A boolean query flag: absent -> false; "true"/"1"/"" -> true; "false"/"0" -> false.
Result<bool> query_flag(std::string_view query, std::string_view name);

// A block height: 1 to 20 decimal digits without sign or spaces, fitting 64 bits.
Result<uint64_t> parse_height(std::string_view s);

// A 32-byte hash: exactly 64 hex characters.
Result<Hash32> parse_hash(std::string_view s, std::string_view what);

}  // namespace trustmesh::api
