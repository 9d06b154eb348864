// Deterministic CBOR (RFC 8949 §4.2.1, "core deterministic encoding").
//
// Everything trustmesh signs or hashes is encoded with this codec. It handles
// the subset a ledger needs: unsigned and negative integers, byte strings,
// UTF-8 text strings, arrays, maps, false/true/null. Floats, tags, undefined,
// other simple values and indefinite lengths are refused (kUnsupported or
// kNonCanonical), so there is exactly one encoding of every Value.
//
// Encoder invariants: integers and lengths use the shortest form; map entries
// are emitted sorted bytewise by the encoding of their keys; duplicate keys are
// a programming error (asserted).
//
// Decoder guarantees: decode(b) succeeds only if encode(decode(b)) == b. It
// rejects, each with its own message: truncated input, trailing bytes,
// non-shortest integers/lengths, indefinite lengths, unsorted or duplicate map
// keys, invalid UTF-8 in text, floats/tags/unsupported simple values, nesting
// deeper than limits.max_depth, more than limits.max_items items in total, and
// declared lengths larger than the remaining input (so a 5-byte input cannot
// make it allocate gigabytes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/bytes.h"

namespace trustmesh::cbor {

enum class Type : uint8_t { kUint, kNegInt, kBytes, kText, kArray, kMap, kBool, kNull };

class Value;
using Array = std::vector<Value>;
using MapEntries = std::vector<std::pair<Value, Value>>;

class Value {
 public:
  Value() : type_(Type::kNull) {}  // null

  static Value uint(uint64_t v);
  // The CBOR negative integer -1 - n (major type 1 with argument n).
  static Value negative(uint64_t n);
  static Value integer(int64_t v);  // picks kUint or kNegInt
  static Value bytes(Bytes b);
  static Value bytes(ByteView b) { return bytes(Bytes(b.begin(), b.end())); }
  static Value text(std::string s);  // caller guarantees valid UTF-8 (asserted in debug)
  static Value array(Array items);
  static Value map(MapEntries entries);  // any order; the encoder sorts
  static Value boolean(bool b);
  static Value null() { return Value(); }

  Type type() const { return type_; }
  bool is_uint() const { return type_ == Type::kUint; }
  bool is_bytes() const { return type_ == Type::kBytes; }
  bool is_text() const { return type_ == Type::kText; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_map() const { return type_ == Type::kMap; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_negative() const { return type_ == Type::kNegInt; }
  bool is_bool() const { return type_ == Type::kBool; }

  // Typed access: kInvalidArgument with the expected and actual type on mismatch.
  Result<uint64_t> as_uint() const;
  Result<int64_t> as_int() const;  // kTooLarge if it does not fit
  Result<Bytes> as_bytes() const;
  Result<std::string> as_text() const;
  Result<bool> as_bool() const;
  const Array& array_items() const;       // asserts is_array()
  const MapEntries& map_entries() const;  // asserts is_map(); in canonical order after decode
  // Copy-free views (assert the type): the argument n of a kNegInt (value -1 - n),
  // the payload of a kBytes, the payload of a kText.
  uint64_t negative_argument() const;
  ByteView bytes_view() const;
  std::string_view text_view() const;

  // Map lookup by text key; nullptr if absent or not a map.
  const Value* find(std::string_view text_key) const;

  bool operator==(const Value& o) const;

 private:
  Type type_;
  uint64_t u_ = 0;            // kUint value, kNegInt argument, kBool 0/1
  std::string s_;             // kBytes / kText payload
  std::vector<Value> items_;  // kArray
  MapEntries entries_;        // kMap
};

std::string_view type_name(Type t);

// Hard nesting bound. The codec recurses once per nesting level, so every
// entry point is bounded by it: decode caps limits.max_depth at kMaxDepth, and
// encode / operator== / diagnostic assert on a Value nested deeper (only code,
// never input, can build one).
inline constexpr size_t kMaxDepth = 256;

struct DecodeLimits {
  // Most containers open at once (a scalar alone has depth 0, [[1]] has 2).
  size_t max_depth = 16;
  // Most data items in total, counting containers, keys and values ([1, 2] is 3).
  size_t max_items = 100000;
};

Bytes encode(const Value& v);
void encode_to(Bytes& out, const Value& v);
Result<Value> decode(ByteView data, const DecodeLimits& limits = {});

// RFC 8949 §8 diagnostic notation, e.g. {"a": 1, "b": h'00ff'}.
std::string diagnostic(const Value& v);

// Strict reader for records encoded as maps with text keys. Each getter
// consumes its key; finish() fails if the map held a key that was never asked
// for ("unknown field"). Errors name the record and the field.
class MapReader {
 public:
  static Result<MapReader> of(const Value& v, std::string_view record_name);

  bool has(std::string_view key) const;
  Result<uint64_t> get_uint(std::string_view key);
  Result<Bytes> get_bytes(std::string_view key);
  Result<std::string> get_text(std::string_view key);
  Result<bool> get_bool(std::string_view key);
  Result<const Value*> get(std::string_view key);  // any type
  Status finish() const;

 private:
  MapReader(const Value* v, std::string record) : v_(v), record_(std::move(record)) {}
  Result<const Value*> take(std::string_view key);
  const Value* v_;
  std::string record_;
  std::vector<std::string> consumed_;
};

}  // namespace trustmesh::cbor
