// configuration_of / check_configuration_read (access.h).
#include "edge/access.h"

#include "core/cbor.h"
#include "ledger/domains.h"
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
    if (!*raw) continue;
    TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(**raw));
    TM_ASSIGN_OR_RETURN(ledger::NameRecord rec, ledger::NameRecord::from_cbor(v));
    if (rec.value.config_hash && *rec.value.config_hash == sha256) devices.push_back(name);
  }
  return devices;
}

Status check_configuration_read(const Replica& r, const std::vector<std::string>& devices,
                                const std::optional<Address>& caller) {
  ReplicaState state(r);
  for (const std::string& name : devices)
    TM_TRY(ledger::check_read(state, ledger::device_subject(name), caller));
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

Result<BlobCache::Kind> blob_access(const Replica& r, const BlobCache& blobs, const Hash32& sha256,
                                    const std::optional<Address>& caller) {
  TM_ASSIGN_OR_RETURN(std::vector<std::string> devices, configuration_of(r, sha256));
  if (!devices.empty()) {
    TM_TRY(check_configuration_read(r, devices, caller));
    return BlobCache::Kind::kConfiguration;
  }
  if (blobs.store().has(sha256)) {
    TM_ASSIGN_OR_RETURN(bool config, blobs.is_configuration(sha256));
    if (config) {
      return make_error(ErrorCode::kAccessDenied, "blob " + to_hex(sha256) +
                                                      " is a configuration no device of this edge server's "
                                                      "domain names now; ask a ledger node");
    }
  }
  return BlobCache::Kind::kPublic;
}

}  // namespace trustmesh::edge
