// cbor::MapReader: strict field-by-field reading of text-keyed records.
//
// Invariants: a MapReader only exists for a map whose keys are all text; it
// borrows that map (the Value must outlive it); every error is kMalformed and
// starts with "record '<name>': "; finish() succeeds only if every key of the
// map was consumed by a getter.
#include <algorithm>

#include "core/cbor_internal.h"

namespace trustmesh::cbor {
namespace {

// Field names come from input: keep them printable in messages.
std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<uint8_t>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x" + to_hex(ByteView(&c, 1));
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

}  // namespace

Result<MapReader> MapReader::of(const Value& v, std::string_view record_name) {
  const std::string prefix = "record '" + std::string(record_name) + "': ";
  if (!v.is_map()) {
    return make_error(ErrorCode::kMalformed,
                      prefix + "expected map, got " + std::string(type_name(v.type())));
  }
  for (const auto& entry : v.map_entries()) {
    if (!entry.first.is_text()) return make_error(ErrorCode::kMalformed, prefix + "map key must be text");
  }
  return MapReader(&v, std::string(record_name));
}

bool MapReader::has(std::string_view key) const {
  return v_->find(key) != nullptr;
}

Result<const Value*> MapReader::take(std::string_view key) {
  const Value* found = v_->find(key);
  if (found == nullptr) {
    return make_error(ErrorCode::kMalformed,
                      "record '" + record_ + "': missing field '" + printable(key) + "'");
  }
  if (std::find(consumed_.begin(), consumed_.end(), key) == consumed_.end()) consumed_.emplace_back(key);
  return found;
}

namespace {

Error wrong_type(const std::string& record, std::string_view key, Type want, Type got) {
  return make_error(ErrorCode::kMalformed, "record '" + record + "': field '" + printable(key) +
                                               "' must be " + std::string(type_name(want)) + ", got " +
                                               std::string(type_name(got)));
}

}  // namespace

Result<uint64_t> MapReader::get_uint(std::string_view key) {
  TM_ASSIGN_OR_RETURN(const Value* v, take(key));
  if (!v->is_uint()) return wrong_type(record_, key, Type::kUint, v->type());
  return v->as_uint();
}

Result<Bytes> MapReader::get_bytes(std::string_view key) {
  TM_ASSIGN_OR_RETURN(const Value* v, take(key));
  if (!v->is_bytes()) return wrong_type(record_, key, Type::kBytes, v->type());
  return v->as_bytes();
}

Result<std::string> MapReader::get_text(std::string_view key) {
  TM_ASSIGN_OR_RETURN(const Value* v, take(key));
  if (!v->is_text()) return wrong_type(record_, key, Type::kText, v->type());
  return v->as_text();
}

Result<bool> MapReader::get_bool(std::string_view key) {
  TM_ASSIGN_OR_RETURN(const Value* v, take(key));
  if (!v->is_bool()) return wrong_type(record_, key, Type::kBool, v->type());
  return v->as_bool();
}

Result<const Value*> MapReader::get(std::string_view key) {
  return take(key);
}

Status MapReader::finish() const {
  for (const auto& entry : v_->map_entries()) {
    std::string_view name = entry.first.text_view();  // of() checked every key is text
    if (std::find(consumed_.begin(), consumed_.end(), name) == consumed_.end()) {
      return make_error(ErrorCode::kMalformed,
                        "record '" + record_ + "': unknown field '" + printable(name) + "'");
    }
  }
  return Status::Ok();
}

}  // namespace trustmesh::cbor
