// One-call check of a node's answer to GET /v1/names/{name}/status?prove=true
// (docs/API.md, HTTP API): verifies the header by its commit against the
// trust anchor, the name's record by its proof against the header's state
// root, the freshness bound, and then cross-checks the answer's plain fields
// (name, status, height, owner, cert_hash, expires_at and, when present,
// config_hash, registered_at, updated_at) against the verified record, so a
// node lying only in the plain fields is caught too.
//
// Invariants: nothing in the result comes from the node's plain fields; every
// plain field the answer carries and this file knows either agrees with the
// verified record or the answer is refused. Unknown fields are ignored
// (forward compatibility); the fields the contract requires must be present.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "light/name_status.h"

namespace trustmesh::light {

// `name` is the name the caller asked for. kMalformed for a missing or
// mistyped field; kInvalidArgument for a field that disagrees with what was
// verified; otherwise the errors of verify_header and verify_name_status.
Result<VerifiedNameStatus> verify_status_json(const TrustAnchor& anchor, std::string_view name,
                                              const nlohmann::json& body, const Freshness& fresh);

// Same, from the response body text (parsed without exceptions).
Result<VerifiedNameStatus> verify_status_body(const TrustAnchor& anchor, std::string_view name,
                                              std::string_view body, const Freshness& fresh);

}  // namespace trustmesh::light
