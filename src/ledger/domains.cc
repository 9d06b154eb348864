// Access domains: record encoding, rights rules and the read-side checks; see
// domains.h. Everything here is deterministic and free of clocks.
#include "ledger/domains.h"

#include "ledger/compliance.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/records.h"
#include "ledger/schema.h"
#include "ledger/state_read.h"

namespace trustmesh::ledger {

using cbor::MapEntries;
using cbor::MapReader;
using cbor::Value;

namespace {
Value text(std::string_view s) {
  return Value::text(std::string(s));
}
}  // namespace

uint8_t normalize_rights(uint8_t rights) {
  rights &= 7;
  if (rights & kRightAdminister) rights |= kRightUpdate;
  if (rights & kRightUpdate) rights |= kRightRead;
  return rights;
}

bool has_right(uint8_t held, uint8_t right) {
  return (normalize_rights(held) & right) == right;
}

std::string_view right_name(uint8_t right) {
  switch (right) {
    case kRightRead: return "read";
    case kRightUpdate: return "update";
    case kRightAdminister: return "administer";
  }
  return "unknown";
}

std::string rights_text(uint8_t rights) {
  std::string out;
  for (uint8_t r : {kRightRead, kRightUpdate, kRightAdminister}) {
    if (!(rights & r)) continue;
    if (!out.empty()) out += ",";
    out += right_name(r);
  }
  return out.empty() ? "none" : out;
}

Result<uint8_t> parse_rights(std::string_view text) {
  if (text == "none") return uint8_t{0};
  uint8_t out = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view part = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (part == "read") {
      out |= kRightRead;
    } else if (part == "update") {
      out |= kRightUpdate;
    } else if (part == "administer") {
      out |= kRightAdminister;
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        "rights '" + std::string(text) +
                            "' must be none or a comma-separated list of read, update, administer");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return normalize_rights(out);
}

Status check_domain_id(std::string_view id) {
  bool ok = id.size() >= 2 && id.size() <= 64 && id.front() != '-' && id.back() != '-';
  for (char ch : id) ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-');
  if (!ok)
    return make_error(
        ErrorCode::kInvalidArgument,
        "domain id '" + std::string(id) + "' must be 2..64 of a-z, 0-9 and '-' (not at either end)");
  return Status::Ok();
}

size_t AccessDomain::administrators() const {
  size_t n = 0;
  for (const auto& [a, r] : members) n += (r & kRightAdminister) ? 1 : 0;
  return n;
}

// ---- AccessDomain ----

Value AccessDomain::to_cbor() const {
  cbor::Array list;
  for (const auto& [a, r] : members) list.push_back(Value::array({Value::bytes(a.view()), Value::uint(r)}));
  return Value::map({{text("id"), text(id)},
                     {text("private"), Value::boolean(private_)},
                     {text("members"), Value::array(std::move(list))},
                     {text("devices"), Value::uint(devices)},
                     {text("models"), Value::uint(models)},
                     {text("created_at"), Value::uint(created_at)},
                     {text("updated_at"), Value::uint(updated_at)}});
}

Result<AccessDomain> AccessDomain::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "access domain"));
  AccessDomain d;
  TM_ASSIGN_OR_RETURN(d.id, r.get_text("id"));
  TM_TRY(check_domain_id(d.id));
  TM_ASSIGN_OR_RETURN(d.private_, r.get_bool("private"));
  TM_ASSIGN_OR_RETURN(const Value* members, r.get("members"));
  if (!members->is_array())
    return make_error(ErrorCode::kMalformed, "access domain: members must be an array");
  const cbor::Array* list = &members->array_items();
  if (list->empty() || list->size() > kMaxDomainMembers)
    return make_error(ErrorCode::kMalformed, "access domain: 1.." + std::to_string(kMaxDomainMembers) +
                                                 " members, got " + std::to_string(list->size()));
  for (const Value& m : *list) {
    const cbor::Array* pair = m.is_array() ? &m.array_items() : nullptr;
    if (!pair || pair->size() != 2)
      return make_error(ErrorCode::kMalformed, "access domain: member is [address, rights]");
    TM_ASSIGN_OR_RETURN(Bytes raw, (*pair)[0].as_bytes());
    TM_ASSIGN_OR_RETURN(Address a, address_of(raw, "member"));
    TM_ASSIGN_OR_RETURN(uint64_t rights, (*pair)[1].as_uint());
    if (rights == 0 || rights > 7 || normalize_rights(static_cast<uint8_t>(rights)) != rights)
      return make_error(ErrorCode::kMalformed, "access domain: rights " + std::to_string(rights) +
                                                   " are not normalised (read 1, update 3, administer 7)");
    if (!d.members.empty() && !(d.members.rbegin()->first < a))
      return make_error(ErrorCode::kNonCanonical,
                        "access domain: members must be in address order, once each");
    d.members.emplace(a, static_cast<uint8_t>(rights));
  }
  if (d.administrators() == 0)
    return make_error(ErrorCode::kMalformed, "access domain: no member holds administer");
  TM_ASSIGN_OR_RETURN(uint64_t devices, r.get_uint("devices"));
  TM_ASSIGN_OR_RETURN(uint64_t models, r.get_uint("models"));
  if (devices > UINT32_MAX || models > UINT32_MAX)
    return make_error(ErrorCode::kMalformed, "access domain: subject count out of range");
  d.devices = static_cast<uint32_t>(devices);
  d.models = static_cast<uint32_t>(models);
  TM_ASSIGN_OR_RETURN(d.created_at, r.get_uint("created_at"));
  TM_ASSIGN_OR_RETURN(d.updated_at, r.get_uint("updated_at"));
  TM_TRY(r.finish());
  return d;
}

// ---- DomainPlace ----

Value DomainPlace::to_cbor() const {
  return Value::map({{text("domain"), text(domain)}, {text("index"), Value::uint(index)}});
}

Result<DomainPlace> DomainPlace::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "domain place"));
  DomainPlace p;
  TM_ASSIGN_OR_RETURN(p.domain, r.get_text("domain"));
  TM_TRY(check_domain_id(p.domain));
  TM_ASSIGN_OR_RETURN(uint64_t index, r.get_uint("index"));
  if (index >= UINT32_MAX) return make_error(ErrorCode::kMalformed, "domain place: index out of range");
  p.index = static_cast<uint32_t>(index);
  TM_TRY(r.finish());
  return p;
}

std::string device_subject(std::string_view name) {
  return "device:" + std::string(name);
}

Result<std::string> domain_subject(std::string_view subject) {
  TM_ASSIGN_OR_RETURN(Subject sub, parse_subject(subject));
  std::string out;
  if (sub.kind == "device") {
    TM_TRY(check_name(sub.id, kHardMaxNameLen));
    out = device_subject(sub.id);
  } else if (sub.kind == "model") {
    TM_ASSIGN_OR_RETURN(auto ids, parse_model_id(sub.id));
    out = model_subject(ids.first, ids.second);
    if (out != subject)
      return make_error(
          ErrorCode::kInvalidArgument,
          "write the model as " + out + " (decimal, no leading zeros), not " + std::string(subject));
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      "a domain holds devices (device:<name>) and models "
                      "(model:<vid>/<pid>), not " +
                          sub.kind + " subjects");
  }
  if (out.size() > kMaxSubjectLen)
    return make_error(ErrorCode::kInvalidArgument,
                      "subject '" + out + "' is longer than " + std::to_string(kMaxSubjectLen) + " bytes");
  return out;
}

// ---- Reading ----

Result<std::optional<AccessDomain>> read_domain(const StateReader& s, std::string_view id) {
  if (check_domain_id(id).ok() == false) return std::optional<AccessDomain>();
  return optional_record<AccessDomain>(read_cbor(s, schema::domain_key(id), "access domain"),
                                       "access domain");
}

Result<std::optional<DomainPlace>> read_domain_place(const StateReader& s, std::string_view subject) {
  if (subject.size() > kMaxSubjectLen) return std::optional<DomainPlace>();
  return optional_record<DomainPlace>(read_cbor(s, schema::domain_subject_key(subject), "domain place"),
                                      "domain place");
}

Result<std::optional<std::string>> domain_of(const StateReader& s, std::string_view subject) {
  TM_ASSIGN_OR_RETURN(auto place, read_domain_place(s, subject));
  if (!place) return std::optional<std::string>();
  return std::optional<std::string>(std::move(place->domain));
}

Result<uint8_t> rights_of(const StateReader& s, std::string_view id, const Address& who) {
  TM_ASSIGN_OR_RETURN(auto d, read_domain(s, id));
  if (!d) return make_error(ErrorCode::kDomainNotFound, "no access domain '" + std::string(id) + "'");
  return d->rights_of(who);
}

Result<uint32_t> domain_subject_count(const StateReader& s, std::string_view id) {
  TM_ASSIGN_OR_RETURN(uint64_t n,
                      read_cbor_uint(s, schema::domain_member_count_key(id), "domain subject count", 0));
  if (n > UINT32_MAX) return make_error(ErrorCode::kInternal, "corrupt state: domain subject count");
  return static_cast<uint32_t>(n);
}

Result<std::vector<std::string>> domain_subjects(const StateReader& s, std::string_view id, uint32_t max) {
  TM_ASSIGN_OR_RETURN(uint32_t n, domain_subject_count(s, id));
  std::vector<std::string> out;
  for (uint32_t i = 0; i < n && i < max; ++i) {
    TM_ASSIGN_OR_RETURN(auto v, read_cbor(s, schema::domain_member_key(id, i), "domain subject"));
    if (!v)
      return make_error(ErrorCode::kInternal,
                        "corrupt state: domain subject " + std::to_string(i) + " missing");
    auto t = v->as_text();
    if (!t.ok()) return corrupt_state("domain subject", t.error());
    out.push_back(std::move(*t));
  }
  return out;
}

namespace {

Error read_denied(std::string_view what, const AccessDomain& d, const std::optional<Address>& caller) {
  std::string who = caller ? "the caller " + caller->to_string() + " holds no read right there"
                           : "the request is anonymous";
  std::string address = caller ? caller->to_string() : "<your address>";
  return make_error(ErrorCode::kAccessDenied,
                    std::string(what) + " is in private access domain '" + d.id +
                        "'; reading its detail needs the read right in '" + d.id + "' and " + who +
                        ". Sign the request with a member's key (Authorization: TM-Sig, or --key in the "
                        "CLI), or ask an administrator of '" +
                        d.id + "' for `trustmesh domain grant " + d.id + " " + address +
                        " --rights read`. Status and hashes stay public: GET /v1/names/{name}/status.");
}

}  // namespace

Status check_domain_read(const AccessDomain& d, const std::optional<Address>& caller) {
  if (!d.private_) return Status::Ok();
  if (caller && has_right(d.rights_of(*caller), kRightRead)) return Status::Ok();
  return read_denied("this domain's member and subject list", d, caller);
}

Status check_read(const StateReader& s, std::string_view subject, const std::optional<Address>& caller) {
  TM_ASSIGN_OR_RETURN(auto id, domain_of(s, subject));
  if (!id) return Status::Ok();
  TM_ASSIGN_OR_RETURN(auto d, read_domain(s, *id));
  if (!d)
    return make_error(ErrorCode::kInternal, "corrupt state: " + std::string(subject) +
                                                " is placed in missing domain '" + *id + "'");
  if (!d->private_) return Status::Ok();
  if (caller && has_right(d->rights_of(*caller), kRightRead)) return Status::Ok();
  return read_denied(subject, *d, caller);
}

// ---- Writing ----

void put_domain(Overlay& s, const AccessDomain& d) {
  s.put(schema::domain_key(d.id), cbor::encode(d.to_cbor()));
}

namespace {
void count(AccessDomain& d, std::string_view subject, int delta) {
  uint32_t& n = subject.starts_with("device:") ? d.devices : d.models;
  n = static_cast<uint32_t>(static_cast<int64_t>(n) + delta);
}
}  // namespace

Status add_domain_subject(Overlay& s, AccessDomain& d, std::string_view subject) {
  TM_ASSIGN_OR_RETURN(uint32_t n, domain_subject_count(s, d.id));
  if (n >= UINT32_MAX - 1) return make_error(ErrorCode::kTooLarge, "domain '" + d.id + "' is full");
  s.put(schema::domain_member_key(d.id, n), cbor::encode(Value::text(std::string(subject))));
  s.put(schema::domain_member_count_key(d.id), cbor::encode(Value::uint(n + 1)));
  s.put(schema::domain_subject_key(subject), cbor::encode(DomainPlace{d.id, n}.to_cbor()));
  count(d, subject, +1);
  return Status::Ok();
}

Status remove_domain_subject(Overlay& s, AccessDomain& d, std::string_view subject,
                             const DomainPlace& place) {
  TM_ASSERT(place.domain == d.id);
  TM_ASSIGN_OR_RETURN(uint32_t n, domain_subject_count(s, d.id));
  if (place.index >= n)
    return make_error(ErrorCode::kInternal,
                      "corrupt state: " + std::string(subject) + " placed beyond the list of '" + d.id + "'");
  const uint32_t last = n - 1;
  if (place.index != last) {
    TM_ASSIGN_OR_RETURN(auto v, read_cbor(s, schema::domain_member_key(d.id, last), "domain subject"));
    if (!v) return make_error(ErrorCode::kInternal, "corrupt state: last domain subject missing");
    auto moved = v->as_text();
    if (!moved.ok()) return corrupt_state("domain subject", moved.error());
    s.put(schema::domain_member_key(d.id, place.index), cbor::encode(*v));
    s.put(schema::domain_subject_key(*moved), cbor::encode(DomainPlace{d.id, place.index}.to_cbor()));
  }
  s.erase(schema::domain_member_key(d.id, last));
  if (last == 0) {
    s.erase(schema::domain_member_count_key(d.id));
  } else {
    s.put(schema::domain_member_count_key(d.id), cbor::encode(Value::uint(last)));
  }
  s.erase(schema::domain_subject_key(subject));
  count(d, subject, -1);
  return Status::Ok();
}

}  // namespace trustmesh::ledger
