// Strict deterministic CBOR decoder; see cbor.h for what it accepts.
//
// Invariants:
//  * Total: any input yields a Value or an Error; no read past the end (every
//    read is preceded by a check against the remaining length).
//  * decode(b) succeeds only if encode(decode(b)) == b: every non-shortest
//    head, indefinite length, unsorted or duplicate key is refused.
//  * Bounded: recursion depth <= min(limits.max_depth, kMaxDepth); a container
//    is only allocated after its declared count passed two checks, one against
//    the remaining input (every item takes at least one byte) and one against
//    the max_items budget, so memory stays proportional to the input size.
//  * Errors name what is wrong and the byte offset where the item starts.
#include <algorithm>

#include "core/cbor_internal.h"

namespace trustmesh::cbor {
namespace {

std::string at(size_t offset) {
  return " at offset " + std::to_string(offset);
}

Error err(ErrorCode code, std::string message) {
  return make_error(code, std::move(message));
}

// An item's initial byte and argument. For ai 31 (indefinite length / break)
// arg is 0 and the caller decides.
struct Head {
  uint8_t major;
  uint8_t ai;
  uint64_t arg;
  size_t offset;  // of the initial byte
  size_t size;    // initial byte plus argument bytes
};

// The smallest argument that needs ai 24..27, i.e. for which that width is the
// shortest form.
uint64_t min_for_ai(uint8_t ai) {
  switch (ai) {
    case 24: return 24;
    case 25: return 0x100;
    case 26: return 0x10000;
    default: return 0x100000000;
  }
}

std::string head_subject(const Head& h) {
  const std::string n = std::to_string(h.arg);
  switch (h.major) {
    case 0: return "integer " + n;
    case 1: return "integer " + internal::negative_decimal(h.arg);
    case 2: return "byte string length " + n;
    case 3: return "text string length " + n;
    case 4: return "array length " + n;
    default: return "map length " + n;
  }
}

std::string_view major_name(uint8_t major) {
  switch (major) {
    case 0: return "unsigned integer";
    case 1: return "negative integer";
    case 2: return "byte string";
    case 3: return "text string";
    case 4: return "array";
    case 5: return "map";
    case 6: return "tag";
    default: return "simple value";
  }
}

class Decoder {
 public:
  Decoder(ByteView in, const DecodeLimits& limits)
      : in_(in), max_depth_(std::min(limits.max_depth, kMaxDepth)), max_items_(limits.max_items) {}

  Result<Value> top() {
    if (max_items_ < 1) return err(ErrorCode::kTooLarge, "too large: max_items is 0");
    committed_ = 1;
    TM_ASSIGN_OR_RETURN(Value v, item(0));
    if (pos_ != in_.size()) {
      return err(ErrorCode::kMalformed, "trailing bytes: " + std::to_string(in_.size() - pos_) +
                                            " bytes after the data item ending" + at(pos_));
    }
    return v;
  }

 private:
  size_t remaining() const { return in_.size() - pos_; }

  Result<Head> head() {
    Head h{0, 0, 0, pos_, 1};
    if (pos_ >= in_.size()) {
      return err(ErrorCode::kMalformed, "truncated: input ends where a data item was expected" + at(pos_));
    }
    const uint8_t b = in_[pos_++];
    h.major = b >> 5;
    h.ai = b & 0x1f;
    if (h.ai < 24) {
      h.arg = h.ai;
    } else if (h.ai <= 27) {
      const size_t n = size_t{1} << (h.ai - 24);
      if (remaining() < n) {
        return err(ErrorCode::kMalformed, "truncated: " + std::string(major_name(h.major)) + " head" +
                                              at(h.offset) + " needs " + std::to_string(n) +
                                              " argument bytes, only " + std::to_string(remaining()) +
                                              " remain");
      }
      for (size_t i = 0; i < n; ++i) h.arg = (h.arg << 8) | in_[pos_++];
      h.size += n;
    } else if (h.ai <= 30) {
      return err(ErrorCode::kMalformed, "malformed: reserved additional information " + std::to_string(h.ai) +
                                            " in initial byte 0x" + to_hex(ByteView(&in_[h.offset], 1)) +
                                            at(h.offset));
    }
    return h;
  }

  // depth: containers enclosing the item about to be read.
  Result<Value> item(size_t depth) {
    TM_ASSIGN_OR_RETURN(Head h, head());
    if (h.major <= 5) {
      if (h.ai == 31) {
        if (h.major <= 1) {
          return err(ErrorCode::kMalformed,
                     std::string("malformed: additional information 31 is invalid for ") +
                         (h.major == 0 ? "an " : "a ") + std::string(major_name(h.major)) + at(h.offset));
        }
        return err(ErrorCode::kNonCanonical,
                   "non-canonical: indefinite-length " + std::string(major_name(h.major)) + at(h.offset));
      }
      if (h.ai >= 24 && h.arg < min_for_ai(h.ai)) {
        return err(ErrorCode::kNonCanonical, "non-canonical: " + head_subject(h) + " encoded in " +
                                                 std::to_string(h.size) + " bytes" + at(h.offset));
      }
    }
    switch (h.major) {
      case 0: return Value::uint(h.arg);
      case 1: return Value::negative(h.arg);
      case 2:
      case 3: return text_or_bytes(h);
      case 4:
      case 5: return container(h, depth);
      case 6:
        if (h.ai == 31) {
          return err(ErrorCode::kMalformed,
                     "malformed: additional information 31 is invalid for a tag" + at(h.offset));
        }
        return err(ErrorCode::kUnsupported, "unsupported: tag " + std::to_string(h.arg) + at(h.offset));
      default: return simple(h);
    }
  }

  Result<Value> text_or_bytes(const Head& h) {
    const bool text = h.major == 3;
    if (h.arg > remaining()) {
      return err(ErrorCode::kMalformed, "truncated: " + std::string(major_name(h.major)) + " of length " +
                                            std::to_string(h.arg) + at(h.offset) + ", only " +
                                            std::to_string(remaining()) + " bytes remain");
    }
    const auto len = static_cast<size_t>(h.arg);
    ByteView payload = in_.subspan(pos_, len);
    pos_ += len;
    if (!text) return Value::bytes(payload);
    std::string s(payload.begin(), payload.end());
    const size_t bad = internal::utf8_error_offset(s);
    if (bad != internal::kUtf8Valid) {
      const size_t off = h.offset + h.size + bad;
      return err(ErrorCode::kMalformed, "malformed: invalid UTF-8 in text string" + at(h.offset) +
                                            " (byte 0x" + to_hex(ByteView(&in_[off], 1)) + at(off) + ")");
    }
    return Value::text(std::move(s));
  }

  Result<Value> container(const Head& h, size_t depth) {
    const bool is_map = h.major == 5;
    const std::string what = is_map ? "map" : "array";
    if (depth + 1 > max_depth_) {
      return err(ErrorCode::kTooLarge, "too large: " + what + at(h.offset) + " nests deeper than " +
                                           std::to_string(max_depth_) + " levels");
    }
    // Each item takes at least one byte; a map entry is two items.
    const uint64_t per = is_map ? 2 : 1;
    if (h.arg > remaining() / per) {
      return err(ErrorCode::kMalformed, "truncated: " + what + " of " + std::to_string(h.arg) +
                                            (is_map ? " entries" : " items") + at(h.offset) + ", only " +
                                            std::to_string(remaining()) + " bytes remain");
    }
    if (h.arg > (max_items_ - committed_) / per) {
      return err(ErrorCode::kTooLarge, "too large: " + what + " of " + std::to_string(h.arg) +
                                           (is_map ? " entries" : " items") + at(h.offset) +
                                           " exceeds the limit of " + std::to_string(max_items_) +
                                           " data items in total");
    }
    committed_ += h.arg * per;
    const auto n = static_cast<size_t>(h.arg);
    if (!is_map) {
      Array items;
      items.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        TM_ASSIGN_OR_RETURN(Value v, item(depth + 1));
        items.push_back(std::move(v));
      }
      return Value::array(std::move(items));
    }
    MapEntries entries;
    entries.reserve(n);
    ByteView prev_key;
    for (size_t i = 0; i < n; ++i) {
      const size_t key_start = pos_;
      TM_ASSIGN_OR_RETURN(Value k, item(depth + 1));
      // The key decoded, so its bytes are its canonical encoding.
      ByteView key = in_.subspan(key_start, pos_ - key_start);
      if (i > 0) {
        if (std::ranges::equal(key, prev_key)) {
          return err(ErrorCode::kNonCanonical, "non-canonical: duplicate map key" + at(key_start));
        }
        if (std::ranges::lexicographical_compare(key, prev_key)) {
          return err(
              ErrorCode::kNonCanonical,
              "non-canonical: map key" + at(key_start) +
                  " sorts before the previous key (keys must be in bytewise order of their encodings)");
        }
      }
      prev_key = key;
      TM_ASSIGN_OR_RETURN(Value v, item(depth + 1));
      entries.emplace_back(std::move(k), std::move(v));
    }
    return Value::map(std::move(entries));
  }

  Result<Value> simple(const Head& h) {
    switch (h.ai) {
      case 20: return Value::boolean(false);
      case 21: return Value::boolean(true);
      case 22: return Value::null();
      case 23: return err(ErrorCode::kUnsupported, "unsupported: undefined" + at(h.offset));
      case 24:
        if (h.arg < 32) {  // RFC 8949 §3.3: not well-formed
          return err(ErrorCode::kMalformed,
                     "malformed: simple value " + std::to_string(h.arg) + " in two-byte form" + at(h.offset));
        }
        return err(ErrorCode::kUnsupported,
                   "unsupported: simple value " + std::to_string(h.arg) + at(h.offset));
      case 25: return err(ErrorCode::kUnsupported, "unsupported: half-precision float" + at(h.offset));
      case 26: return err(ErrorCode::kUnsupported, "unsupported: single-precision float" + at(h.offset));
      case 27: return err(ErrorCode::kUnsupported, "unsupported: double-precision float" + at(h.offset));
      case 31: return err(ErrorCode::kMalformed, "malformed: unexpected break byte 0xff" + at(h.offset));
      default:
        return err(ErrorCode::kUnsupported,
                   "unsupported: simple value " + std::to_string(h.arg) + at(h.offset));
    }
  }

  ByteView in_;
  size_t pos_ = 0;
  size_t max_depth_;
  size_t max_items_;
  size_t committed_ = 0;  // items decoded or promised by an open container's count
};

}  // namespace

Result<Value> decode(ByteView data, const DecodeLimits& limits) {
  return Decoder(data, limits).top();
}

}  // namespace trustmesh::cbor
