// A minimal streaming JSON writer that appends to a caller-owned std::string,
// so a connection can reuse one buffer for every answer (no DOM, no per-field
// allocations). Used for every API answer; nlohmann is only used to PARSE
// request bodies.
//
// Invariants: keys are written verbatim (callers pass plain ASCII literals);
// string values are escaped into valid JSON (control characters as \u00XX,
// invalid UTF-8 replaced by U+FFFD), so any byte string yields valid JSON.
// Commas are inserted automatically; nesting is bounded by kMaxDepth (asserted).
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace trustmesh::api {

// Appends lowercase hex of `data` to `out` (no allocation beyond growing out).
inline void append_hex(std::string& out, ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  size_t at = out.size();
  out.resize(at + 2 * data.size());
  char* p = out.data() + at;
  for (uint8_t b : data) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0xf];
  }
}

inline void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Appends `s` as the body of a JSON string (without the quotes).
void append_json_escaped(std::string& out, std::string_view s);

class JsonWriter {
 public:
  static constexpr int kMaxDepth = 64;

  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() {
    open('{');
    return *this;
  }
  JsonWriter& end_object() {
    close('}');
    return *this;
  }
  JsonWriter& begin_array() {
    open('[');
    return *this;
  }
  JsonWriter& end_array() {
    close(']');
    return *this;
  }
  // An object key; the next call writes its value.
  JsonWriter& key(std::string_view k) {
    separate();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    after_key_ = true;
    return *this;
  }
  JsonWriter& str(std::string_view s) {
    separate();
    out_ += '"';
    append_json_escaped(out_, s);
    out_ += '"';
    return *this;
  }
  JsonWriter& uint(uint64_t v) {
    separate();
    append_uint(out_, v);
    return *this;
  }
  JsonWriter& boolean(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonWriter& null() {
    separate();
    out_ += "null";
    return *this;
  }
  JsonWriter& hex(ByteView data) {
    separate();
    out_ += '"';
    append_hex(out_, data);
    out_ += '"';
    return *this;
  }
  // A value that is already valid JSON text.
  JsonWriter& raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
  }

  // key + value shorthands.
  JsonWriter& field(std::string_view k, std::string_view v) { return key(k).str(v); }
  JsonWriter& field(std::string_view k, const char* v) { return key(k).str(v); }
  JsonWriter& field(std::string_view k, uint64_t v) { return key(k).uint(v); }
  JsonWriter& field_hex(std::string_view k, ByteView v) { return key(k).hex(v); }

 private:
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0) {
      uint64_t bit = uint64_t{1} << (depth_ - 1);
      if (has_items_ & bit) out_ += ',';
      has_items_ |= bit;
    }
  }
  void open(char c) {
    separate();
    TM_ASSERT(depth_ < kMaxDepth);
    out_ += c;
    ++depth_;
    has_items_ &= ~(uint64_t{1} << (depth_ - 1));
  }
  void close(char c) {
    TM_ASSERT(depth_ > 0 && !after_key_);
    --depth_;
    out_ += c;
  }

  std::string& out_;
  uint64_t has_items_ = 0;  // bit d-1: the container at depth d has an item
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace trustmesh::api
