// JSON views of compliance records and admission decisions, for the HTTP API
// and the command line (docs/API.md describes each shape).
#pragma once

#include <nlohmann/json.hpp>

#include "ledger/compliance.h"
#include "trust/evaluate.h"

namespace trustmesh::trust {

nlohmann::json org_json(const ledger::Org& o);
nlohmann::json cert_json(const Hash32& hash, const ledger::CertRecord& c, bool with_der);
nlohmann::json model_json(const ledger::Model& m);
nlohmann::json release_json(const ledger::Release& r);
nlohmann::json change_json(const ledger::ChangeEntry& e);
nlohmann::json crl_json(const ledger::CrlRecord& c);  // facts and its URL, not the DER
// `height` decides the "state": valid | expired | withdrawn.
nlohmann::json claim_json(const ledger::Claim& c, uint64_t height);
nlohmann::json decision_json(const Decision& d);

}  // namespace trustmesh::trust
