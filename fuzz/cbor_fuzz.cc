// libFuzzer target for the deterministic CBOR decoder (core/cbor.h).
//
// Properties checked on every input (abort on violation):
//  * decode never crashes, and a failure carries a decoder error code and a
//    non-empty message;
//  * on success encode(decode(b)) == b, decoding that again gives an equal
//    Value, and diagnostic() works;
//  * decoding with tighter limits either fails with kTooLarge or agrees;
//  * MapReader over the result: of() succeeds exactly for maps with text
//    keys, every key is readable, and finish() succeeds once all are read.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/cbor.h"

namespace {

using trustmesh::Bytes;
using trustmesh::ByteView;
using trustmesh::ErrorCode;
namespace cbor = trustmesh::cbor;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "cbor_fuzz: property violated: %s\n", what);
    std::abort();
  }
}

bool is_decode_error(ErrorCode c) {
  return c == ErrorCode::kMalformed || c == ErrorCode::kNonCanonical || c == ErrorCode::kTooLarge ||
         c == ErrorCode::kUnsupported;
}

void check_map_reader(const cbor::Value& v) {
  auto reader = cbor::MapReader::of(v, "fuzz");
  bool text_keyed = v.is_map();
  if (text_keyed) {
    for (const auto& entry : v.map_entries()) text_keyed = text_keyed && entry.first.is_text();
  }
  check(reader.ok() == text_keyed, "MapReader::of accepts exactly text-keyed maps");
  if (!reader.ok()) {
    check(reader.error().code == ErrorCode::kMalformed, "MapReader::of error is kMalformed");
    return;
  }
  check(!reader->get_uint("\xff-not-a-key").ok(), "missing field is an error");
  size_t read = 0;
  for (const auto& [key, value] : v.map_entries()) {
    std::string_view name = key.text_view();
    check(reader->has(name), "has() sees every key");
    // finish() is O(n^2): only spot-check it on the first few keys.
    if (read++ < 4) check(!reader->finish().ok(), "finish() fails while a key is unread");
    switch (value.type()) {
      case cbor::Type::kUint: check(reader->get_uint(name).ok(), "get_uint"); break;
      case cbor::Type::kBytes: check(reader->get_bytes(name).ok(), "get_bytes"); break;
      case cbor::Type::kText: check(reader->get_text(name).ok(), "get_text"); break;
      case cbor::Type::kBool: check(reader->get_bool(name).ok(), "get_bool"); break;
      default: {
        auto wrong = reader->get_uint(name);
        check(!wrong.ok() && wrong.error().code == ErrorCode::kMalformed, "get_uint on a non-uint fails");
        check(reader->get(name).ok() && **reader->get(name) == value, "get returns the value");
      }
    }
  }
  check(reader->finish().ok(), "finish() succeeds after every key was read");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  auto decoded = cbor::decode(in);
  if (!decoded.ok()) {
    check(is_decode_error(decoded.error().code), "decode error code is a decoder code");
    check(!decoded.error().message.empty(), "decode error has a message");
    return 0;
  }
  const cbor::Value& v = *decoded;
  const Bytes again = cbor::encode(v);
  check(again.size() == size && std::equal(again.begin(), again.end(), data), "encode(decode(b)) == b");
  auto twice = cbor::decode(again);
  check(twice.ok() && *twice == v, "decode(encode(v)) == v");
  check(!cbor::diagnostic(v).empty(), "diagnostic is non-empty");

  auto tight = cbor::decode(in, {.max_depth = 3, .max_items = 64});
  check(tight.ok() ? *tight == v : tight.error().code == ErrorCode::kTooLarge,
        "tighter limits only add kTooLarge");

  check_map_reader(v);
  return 0;
}
