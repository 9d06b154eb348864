// RFC 8949 §8 diagnostic notation for cbor::Value (logs, errors, tests).
//
// Invariants: output is deterministic and independent of map entry order
// (entries are printed in canonical order, as encoded); text is printed with
// JSON escapes, so the result is always printable; recursion is bounded by
// kMaxDepth (asserted).
#include <cstdio>

#include "core/cbor_internal.h"

namespace trustmesh::cbor {
namespace internal {

std::string negative_decimal(uint64_t n) {
  // -1 - n; for n = 2^64-1 the magnitude 2^64 does not fit in uint64_t.
  if (n == UINT64_MAX) return "-18446744073709551616";
  return "-" + std::to_string(n + 1);
}

}  // namespace internal

namespace {

void quote(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<uint8_t>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(ch);  // ASCII or part of a (valid) UTF-8 sequence
        }
    }
  }
  out.push_back('"');
}

// depth: containers enclosing v.
void diag_at(std::string& out, const Value& v, size_t depth) {
  switch (v.type()) {
    case Type::kUint: out += std::to_string(*v.as_uint()); return;
    case Type::kNegInt: out += internal::negative_decimal(v.negative_argument()); return;
    case Type::kBytes: out += "h'" + to_hex(v.bytes_view()) + "'"; return;
    case Type::kText: quote(out, v.text_view()); return;
    case Type::kBool: out += *v.as_bool() ? "true" : "false"; return;
    case Type::kNull: out += "null"; return;
    case Type::kArray: {
      TM_ASSERT(depth < kMaxDepth);
      out.push_back('[');
      bool first = true;
      for (const Value& item : v.array_items()) {
        if (!first) out += ", ";
        first = false;
        diag_at(out, item, depth + 1);
      }
      out.push_back(']');
      return;
    }
    case Type::kMap: {
      TM_ASSERT(depth < kMaxDepth);
      out.push_back('{');
      bool first = true;
      for (const auto& e : internal::sorted_entries(v.map_entries(), depth + 1)) {
        if (!first) out += ", ";
        first = false;
        diag_at(out, *e.key_value, depth + 1);
        out += ": ";
        diag_at(out, *e.value, depth + 1);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string diagnostic(const Value& v) {
  std::string out;
  diag_at(out, v, 0);
  return out;
}

}  // namespace trustmesh::cbor
