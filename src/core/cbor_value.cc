// cbor::Value: construction, typed access and structural equality; see cbor.h.
//
// Invariants: a Value only uses the members its type_ names (u_ for kUint,
// kNegInt and kBool; s_ for kBytes and kText; items_ for kArray; entries_ for
// kMap), the others stay empty, so equality can compare by type. Map equality
// ignores entry order, matching the encoder (which sorts): a == b exactly when
// encode(a) == encode(b) for maps without duplicate keys.
#include <algorithm>
#include <limits>

#include "core/cbor_internal.h"

namespace trustmesh::cbor {
namespace {

Error type_mismatch(std::string_view expected, Type actual) {
  return make_error(ErrorCode::kInvalidArgument,
                    "expected " + std::string(expected) + ", got " + std::string(type_name(actual)));
}

bool equal_at(const Value& a, const Value& b, size_t depth);

bool map_equal_at(const MapEntries& a, const MapEntries& b, size_t depth) {
  if (a.size() != b.size()) return false;
  // Fast path: same key order (always the case for two decoded maps).
  size_t i = 0;
  for (; i < a.size(); ++i) {
    if (!equal_at(a[i].first, b[i].first, depth)) break;
    if (!equal_at(a[i].second, b[i].second, depth)) return false;
  }
  if (i == a.size()) return true;
  // Different order: compare in canonical order.
  const auto sa = internal::sorted_entries(a, depth);
  const auto sb = internal::sorted_entries(b, depth);
  for (size_t j = 0; j < sa.size(); ++j) {
    if (sa[j].key != sb[j].key) return false;
    if (!equal_at(*sa[j].value, *sb[j].value, depth)) return false;
  }
  return true;
}

// depth: containers enclosing a and b.
bool equal_at(const Value& a, const Value& b, size_t depth) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kUint: return *a.as_uint() == *b.as_uint();
    case Type::kNegInt: return a.negative_argument() == b.negative_argument();
    case Type::kBytes: return std::ranges::equal(a.bytes_view(), b.bytes_view());
    case Type::kText: return a.text_view() == b.text_view();
    case Type::kBool: return *a.as_bool() == *b.as_bool();
    case Type::kNull: return true;
    case Type::kArray: {
      TM_ASSERT(depth < kMaxDepth);
      const Array& x = a.array_items();
      const Array& y = b.array_items();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!equal_at(x[i], y[i], depth + 1)) return false;
      }
      return true;
    }
    case Type::kMap:
      TM_ASSERT(depth < kMaxDepth);
      return map_equal_at(a.map_entries(), b.map_entries(), depth + 1);
  }
  return false;
}

}  // namespace

std::string_view type_name(Type t) {
  switch (t) {
    case Type::kUint: return "uint";
    case Type::kNegInt: return "negint";
    case Type::kBytes: return "bytes";
    case Type::kText: return "text";
    case Type::kArray: return "array";
    case Type::kMap: return "map";
    case Type::kBool: return "bool";
    case Type::kNull: return "null";
  }
  return "unknown";
}

Value Value::uint(uint64_t v) {
  Value out;
  out.type_ = Type::kUint;
  out.u_ = v;
  return out;
}

Value Value::negative(uint64_t n) {
  Value out;
  out.type_ = Type::kNegInt;
  out.u_ = n;
  return out;
}

Value Value::integer(int64_t v) {
  if (v >= 0) return uint(static_cast<uint64_t>(v));
  return negative(static_cast<uint64_t>(-1 - v));  // -1 - INT64_MIN == INT64_MAX: no overflow
}

Value Value::bytes(Bytes b) {
  Value out;
  out.type_ = Type::kBytes;
  out.s_.assign(b.begin(), b.end());
  return out;
}

Value Value::text(std::string s) {
#ifndef NDEBUG
  TM_ASSERT(internal::utf8_error_offset(s) == internal::kUtf8Valid);
#endif
  Value out;
  out.type_ = Type::kText;
  out.s_ = std::move(s);
  return out;
}

Value Value::array(Array items) {
  Value out;
  out.type_ = Type::kArray;
  out.items_ = std::move(items);
  return out;
}

Value Value::map(MapEntries entries) {
  Value out;
  out.type_ = Type::kMap;
  out.entries_ = std::move(entries);
  return out;
}

Value Value::boolean(bool b) {
  Value out;
  out.type_ = Type::kBool;
  out.u_ = b ? 1 : 0;
  return out;
}

Result<uint64_t> Value::as_uint() const {
  if (type_ != Type::kUint) return type_mismatch("uint", type_);
  return u_;
}

Result<int64_t> Value::as_int() const {
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (type_ == Type::kUint) {
    if (u_ > kMax) {
      return make_error(ErrorCode::kTooLarge, "integer " + std::to_string(u_) + " does not fit in int64");
    }
    return static_cast<int64_t>(u_);
  }
  if (type_ == Type::kNegInt) {
    if (u_ > kMax) {
      return make_error(ErrorCode::kTooLarge,
                        "integer " + internal::negative_decimal(u_) + " does not fit in int64");
    }
    return -1 - static_cast<int64_t>(u_);
  }
  return type_mismatch("integer", type_);
}

Result<Bytes> Value::as_bytes() const {
  if (type_ != Type::kBytes) return type_mismatch("bytes", type_);
  return Bytes(s_.begin(), s_.end());
}

Result<std::string> Value::as_text() const {
  if (type_ != Type::kText) return type_mismatch("text", type_);
  return s_;
}

Result<bool> Value::as_bool() const {
  if (type_ != Type::kBool) return type_mismatch("bool", type_);
  return u_ != 0;
}

const Array& Value::array_items() const {
  TM_ASSERT(type_ == Type::kArray);
  return items_;
}

const MapEntries& Value::map_entries() const {
  TM_ASSERT(type_ == Type::kMap);
  return entries_;
}

uint64_t Value::negative_argument() const {
  TM_ASSERT(type_ == Type::kNegInt);
  return u_;
}

ByteView Value::bytes_view() const {
  TM_ASSERT(type_ == Type::kBytes);
  return ::trustmesh::as_bytes(std::string_view(s_));  // the member as_bytes() hides it
}

std::string_view Value::text_view() const {
  TM_ASSERT(type_ == Type::kText);
  return s_;
}

const Value* Value::find(std::string_view text_key) const {
  if (type_ != Type::kMap) return nullptr;
  for (const auto& [k, v] : entries_) {
    if (k.type_ == Type::kText && k.s_ == text_key) return &v;
  }
  return nullptr;
}

bool Value::operator==(const Value& o) const {
  return equal_at(*this, o, 0);
}

}  // namespace trustmesh::cbor
