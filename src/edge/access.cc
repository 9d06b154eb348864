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

}  // namespace trustmesh::edge
