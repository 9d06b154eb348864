// Access decisions of an edge server (access.h).
#include "edge/access.h"

#include "core/cbor.h"
#include "edge/answers.h"
#include "ledger/domains.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/records.h"
#include "ledger/schema.h"

namespace trustmesh::edge {

Result<std::vector<std::string>> configuration_of(const Replica& r, const Hash32& sha256) {
  std::vector<std::string> devices;
  for (const std::string& name : r.domain().names) {
    Result<std::optional<Bytes>> raw = r.value(ledger::schema::name_key(name));
    if (!raw.ok()) {
      if (raw.error().code == ErrorCode::kLedgerUnavailable) continue;  // not synced: names nothing yet
      return raw.error();
    }
    TM_ASSIGN_OR_RETURN(std::optional<ledger::NameRecord> rec, name_record(*raw, name));
    if (rec && rec->value.config_hash && *rec->value.config_hash == sha256) devices.push_back(name);
  }
  return devices;
}

namespace {

// The held entry of `key` must be from a block at most `max_age` old: an
// access decision is not made from an old (even genuine) domain record a
// peer pushed. kLedgerUnavailable otherwise.
Status fresh(const Replica& r, const Bytes& key, const AccessClock& clock, std::string_view what) {
  TM_ASSIGN_OR_RETURN(std::optional<HeldEntry> held, r.lookup(key));
  if (!held) {
    return make_error(ErrorCode::kLedgerUnavailable,
                      "this edge server has not verified " + std::string(what) + " yet");
  }
  if (clock.now > held->header_time + clock.max_age_s) {
    return make_error(ErrorCode::kLedgerUnavailable,
                      "this edge server's proof of " + std::string(what) + " is from block " +
                          std::to_string(held->entry.height) + ", " +
                          std::to_string(clock.now - held->header_time) +
                          " s old: older than its --access-max-age; access is decided again once it syncs");
  }
  return Status::Ok();
}

// `caller` may read device `name`'s detail: by its domain as the replica
// proves it, from records no older than the clock's bound.
Status check_device_read(const Replica& r, const std::string& name, const std::optional<Address>& caller,
                         const AccessClock& clock) {
  const std::string subject = ledger::device_subject(name);
  ReplicaState state(r);
  // A name too long for a subject key can be in no domain (ledger/domains.h): public.
  if (subject.size() > ledger::kMaxSubjectLen) return ledger::check_read(state, subject, caller);
  TM_TRY(fresh(r, ledger::schema::domain_subject_key(subject), clock, "the access domain of " + subject));
  TM_ASSIGN_OR_RETURN(std::optional<std::string> domain, ledger::domain_of(state, subject));
  if (domain) TM_TRY(fresh(r, ledger::schema::domain_key(*domain), clock, "domain '" + *domain + "'"));
  return ledger::check_read(state, subject, caller);
}

}  // namespace

Status check_configuration_read(const Replica& r, const std::vector<std::string>& devices,
                                const std::optional<Address>& caller, const AccessClock& clock) {
  for (const std::string& name : devices) TM_TRY(check_device_read(r, name, caller, clock));
  return Status::Ok();
}

Status check_configuration_subjects(const Replica& r, const BlobCache& blobs, const Hash32& sha256,
                                    const std::optional<Address>& caller, const AccessClock& clock) {
  TM_ASSIGN_OR_RETURN(std::vector<std::string> subjects, blobs.configuration_subjects(sha256));
  if (subjects.empty()) {
    return make_error(ErrorCode::kAccessDenied,
                      "blob " + to_hex(sha256) +
                          " is a configuration kept without the devices it configures; "
                          "ask a ledger node");
  }
  for (const std::string& s : subjects) {
    // "device:<name>@<registered_at>", as the node names it.
    const size_t at = s.rfind('@');
    constexpr std::string_view kDevice = "device:";
    if (!s.starts_with(kDevice) || at == std::string::npos || at + 1 == s.size() ||
        s.find_first_not_of("0123456789", at + 1) != std::string::npos || at + 1 + 19 < s.size()) {
      return make_error(ErrorCode::kAccessDenied, "blob " + to_hex(sha256) + " names a subject '" + s +
                                                      "' this edge server cannot check; ask a ledger node");
    }
    const std::string name = s.substr(kDevice.size(), at - kDevice.size());
    const uint64_t registered_at = std::stoull(s.substr(at + 1));
    const Bytes key = ledger::schema::name_key(name);
    if (ledger::check_name(name, ledger::kHardMaxNameLen).ok() == false || !r.tracks(key)) {
      return make_error(ErrorCode::kAccessDenied,
                        "blob " + to_hex(sha256) + " also configures device " + name +
                            ", which is not in this edge server's domain; ask a ledger node");
    }
    TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, r.value(key));
    TM_ASSIGN_OR_RETURN(std::optional<ledger::NameRecord> rec, name_record(raw, name));
    if (!rec || rec->registered_at != registered_at) {
      return make_error(ErrorCode::kAccessDenied, "blob " + to_hex(sha256) +
                                                      " configured an earlier registration of " + name +
                                                      "; it is served to no one");
    }
    TM_TRY(check_device_read(r, name, caller, clock));
  }
  return Status::Ok();
}

Result<std::optional<Address>> caller_of(const auth::AuthorityPolicy& policy, std::string_view chain_id,
                                         std::string_view header, std::string_view authority,
                                         std::string_view method, std::string_view target, uint64_t now,
                                         std::string_view remedy) {
  if (header.empty()) return std::optional<Address>();
  TM_TRY(policy.check(authority, remedy));
  TM_ASSIGN_OR_RETURN(Address a, auth::verify_request(header, chain_id, authority, method, target, now));
  return std::optional<Address>(a);
}

Result<BlobCache::Kind> authorize_blob(const Replica& r, const BlobCache& blobs, const Hash32& sha256,
                                       const std::optional<Address>& caller, const AccessClock& clock,
                                       uint64_t max_bytes) {
  // Before anything is fetched: the caller must read the domain's devices
  // whose record names it.
  TM_ASSIGN_OR_RETURN(std::vector<std::string> devices, configuration_of(r, sha256));
  bool config = !devices.empty();
  if (config) TM_TRY(check_configuration_read(r, devices, caller, clock));
  if (!config && blobs.store().has(sha256)) {
    TM_ASSIGN_OR_RETURN(config, blobs.is_configuration(sha256));
  }
  const BlobCache::Kind kind = config ? BlobCache::Kind::kConfiguration : BlobCache::Kind::kPublic;
  TM_TRY(blobs.fetch(sha256, kind, max_bytes));
  // Then by every device the node says it configures (fail closed).
  if (config) TM_TRY(check_configuration_subjects(r, blobs, sha256, caller, clock));
  return kind;
}

}  // namespace trustmesh::edge
