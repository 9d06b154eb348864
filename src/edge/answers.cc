// status_answer / status_json / stats_json (answers.h).
#include "edge/answers.h"

#include <nlohmann/json.hpp>

#include "edge/sync.h"
#include "ledger/compliance.h"
#include "ledger/domains.h"
#include "ledger/proof_keys.h"
#include "ledger/records.h"
#include "ledger/schema.h"
#include "light/name_status.h"

namespace trustmesh::edge {

namespace {

uint64_t age_of(uint64_t header_time, uint64_t now) {
  return now > header_time ? now - header_time : 0;
}

}  // namespace

Result<std::optional<ledger::NameRecord>> name_record(const std::optional<Bytes>& value,
                                                      std::string_view name) {
  if (!value) return std::optional<ledger::NameRecord>();
  auto v = cbor::decode(*value);
  if (!v.ok())
    return make_error(ErrorCode::kInternal,
                      "held record of '" + std::string(name) + "': " + v.error().message);
  auto rec = ledger::NameRecord::from_cbor(*v);
  if (!rec.ok()) {
    return make_error(ErrorCode::kInternal,
                      "held record of '" + std::string(name) + "': " + rec.error().message);
  }
  return std::optional<ledger::NameRecord>(std::move(rec).value());
}

Result<light::StatusAnswer> status_answer(const HeldEntry& held, std::string_view name, uint64_t now) {
  TM_ASSIGN_OR_RETURN(auto rec, name_record(held.entry.value, name));
  light::StatusAnswer a;
  a.name = std::string(name);
  a.status = std::string(light::name_status_at(rec, held.entry.height));
  a.height = held.entry.height;
  a.header_time = held.header_time;
  a.header_age_s = age_of(held.header_time, now);
  a.header = held.header.header;
  a.commit = held.header.commit;
  a.value = held.entry.value;
  a.proof = held.entry.proof;
  return a;
}

Result<std::string> status_json(const HeldEntry& held, std::string_view name, uint64_t now) {
  TM_ASSIGN_OR_RETURN(auto rec, name_record(held.entry.value, name));
  nlohmann::ordered_json j;
  j["name"] = name;
  j["status"] = light::name_status_at(rec, held.entry.height);
  if (rec) {
    j["stage"] = ledger::device_stage_name(rec->stage);
    j["expires_at"] = rec->expires_at;
    j["cert_hash"] = to_hex(rec->value.cert_hash);
    j["owner"] = rec->owner.to_string();
  }
  j["height"] = held.entry.height;
  j["header_time"] = held.header_time;
  j["header_age_s"] = age_of(held.header_time, now);
  j["served_by"] = "edge";
  j["proof"] = {{"key", to_hex(held.entry.key)},
                {"value", held.entry.value ? nlohmann::ordered_json(to_hex(*held.entry.value)) : nullptr},
                {"proof", to_hex(held.entry.proof)}};
  j["header_cbor"] = to_hex(held.header.header);
  j["commit_cbor"] = to_hex(held.header.commit);
  return j.dump();
}

Result<store::ProofBundle> claims_bundle(const Replica& r, std::string_view subject) {
  TM_TRY(ledger::parse_subject(subject));
  if (subject.size() > ledger::kMaxSubjectLen)
    return make_error(ErrorCode::kInvalidArgument, "a subject is at most 255 bytes");
  Result<store::ProofBundle> b = r.proof_of(ledger::claims_root(subject));
  if (!b.ok() && b.error().code == ErrorCode::kNotFound) {
    return make_error(ErrorCode::kNotFound,
                      "claims about '" + std::string(subject) +
                          "' are not kept by this edge server (it keeps those about the devices, models and "
                          "orgs of its domain); ask a ledger node");
  }
  return b;
}

std::string stats_json(const Replica& r, uint64_t now, const SyncReport* sync) {
  ReplicaStats st = r.stats();
  nlohmann::ordered_json j;
  j["chain_id"] = r.anchor().chain_id;
  j["tracked"] = st.tracked;
  j["held"] = st.held;
  j["oldest_height"] = st.oldest_height;
  j["newest_height"] = st.newest_height;
  j["newest_header_time"] = st.newest_time;
  j["header_age_s"] = st.newest_time == 0 ? 0 : age_of(st.newest_time, now);
  if (sync != nullptr) j["sync"] = sync_report_json(*sync);
  return j.dump();
}

}  // namespace trustmesh::edge
