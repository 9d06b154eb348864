// Access domains (issue 9): a domain groups devices and models (a building, a
// plant, a vendor's fleet) and says who may read, update or administer them.
// This file holds the record, the rights rules and the read-side helpers the
// API and edge layers call; the op rules are in ops_domains.cc.
//
// Invariants:
//  * AccessDomain::to_cbor() is the only way a domain is written and
//    from_cbor() is strict (records.h): members are listed in address order,
//    each with normalised rights (administer implies update implies read,
//    never 0), at most kMaxDomainMembers of them, and at least one member
//    holds administer.
//  * A subject ("device:<name>", "model:<vid>/<pid>" in canonical decimal) is
//    in at most one domain: "ds:" subject names it and its index in that
//    domain's list, and the list entry at that index names the subject back.
//  * What the chain must prove (name status, hashes, records under the state
//    root) stays public whatever the domain says: privacy is enforced by the
//    API that serves the detail (check_read), not by hiding state.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/cbor.h"
#include "ledger/state.h"

namespace trustmesh::ledger {

// Rights bitmask.
inline constexpr uint8_t kRightRead = 1;
inline constexpr uint8_t kRightUpdate = 2;
inline constexpr uint8_t kRightAdminister = 4;
inline constexpr size_t kMaxDomainMembers = 256;
inline constexpr size_t kMaxSubjectLen = 255;  // state keys carry it with a one-byte length

// administer adds update, update adds read: 4 -> 7, 2 -> 3, 5 -> 7.
uint8_t normalize_rights(uint8_t rights);
bool has_right(uint8_t held, uint8_t right);
std::string_view right_name(uint8_t right);  // "read" | "update" | "administer" (one bit)
// "read,update,administer", "read" or "none".
std::string rights_text(uint8_t rights);
// "read", "update", "administer" (each implying the lower ones), comma-separated
// lists of them, or "none" -> normalised bitmask. kInvalidArgument otherwise.
Result<uint8_t> parse_rights(std::string_view text);

// 2..64 of a-z 0-9 '-', not starting or ending with '-' (the org id rule).
Status check_domain_id(std::string_view id);

struct AccessDomain {
  std::string id;
  bool private_ = false;
  std::map<Address, uint8_t> members;  // address -> normalised rights
  uint32_t devices = 0;                // subjects "device:..." in the domain
  uint32_t models = 0;                 // subjects "model:..." in the domain
  uint64_t created_at = 0;
  uint64_t updated_at = 0;

  uint8_t rights_of(const Address& a) const {
    auto it = members.find(a);
    return it == members.end() ? 0 : it->second;
  }
  size_t administrators() const;

  cbor::Value to_cbor() const;
  static Result<AccessDomain> from_cbor(const cbor::Value& v);
  bool operator==(const AccessDomain&) const = default;
};

// Where a subject sits: its domain and its index in the domain's list.
struct DomainPlace {
  std::string domain;
  uint32_t index = 0;

  cbor::Value to_cbor() const;
  static Result<DomainPlace> from_cbor(const cbor::Value& v);
  bool operator==(const DomainPlace&) const = default;
};

std::string device_subject(std::string_view name);  // "device:<name>"

// Canonical domain subject from user text: "device:<name>" (a valid name) or
// "model:<vid>/<pid>" (decimal, no leading zeros). kInvalidArgument otherwise.
Result<std::string> domain_subject(std::string_view subject);

// ---- Reading (any StateReader: an op's overlay, a node view, a proven reader) ----
// Error line of access.h: kIo storage, kInternal corrupt entry, absence is nullopt.

Result<std::optional<AccessDomain>> read_domain(const StateReader& s, std::string_view id);
Result<std::optional<DomainPlace>> read_domain_place(const StateReader& s, std::string_view subject);
// The domain `subject` is in (nullopt: none).
Result<std::optional<std::string>> domain_of(const StateReader& s, std::string_view subject);
// The rights `who` holds in domain `id` (0: not a member); kDomainNotFound if there is no such domain.
Result<uint8_t> rights_of(const StateReader& s, std::string_view id, const Address& who);
Result<uint32_t> domain_subject_count(const StateReader& s, std::string_view id);
// The domain's subjects in list order (the first `max` of them).
Result<std::vector<std::string>> domain_subjects(const StateReader& s, std::string_view id,
                                                 uint32_t max = UINT32_MAX);

// May `caller` (nullopt: an anonymous request) read the detail of `subject`
// (configurations, certificates, internal names)? Ok for a subject in no
// domain or in a public one, and for a caller holding read in its private
// domain; otherwise kAccessDenied, saying which domain, which right, and how
// to get it. Storage faults are kIo/kInternal as above.
Status check_read(const StateReader& s, std::string_view subject, const std::optional<Address>& caller);
// The same for a private domain's own detail (its members and subjects).
Status check_domain_read(const AccessDomain& d, const std::optional<Address>& caller);

// ---- Writing (used by ops_domains.cc; each keeps the indexes in step) ----

void put_domain(Overlay& s, const AccessDomain& d);
// Appends `subject` to domain d's list and points "ds:" at it; counts it in d.
Status add_domain_subject(Overlay& s, AccessDomain& d, std::string_view subject);
// Takes `subject` (at `place`) out of domain d's list, moving the last entry
// into its index; uncounts it in d.
Status remove_domain_subject(Overlay& s, AccessDomain& d, std::string_view subject, const DomainPlace& place);

}  // namespace trustmesh::ledger
