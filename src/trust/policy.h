// Ecosystem admission policies: what one ecosystem (a home's backyard
// lighting, a commercial building's security system) requires before a
// gateway admits a device. Written by people as JSON files, e.g.
//
//   {"name": "building-security",
//    "trust_anchors": ["csa"],            // orgs this ecosystem trusts; their
//                                         // endorsements extend the trust
//    "revocation_threshold": 3,           // k orgs flagging a subject revoke it
//    "endorsement_depth": 2,              // most endorsement hops from an anchor
//    "rules": [
//      {"rule": "member_of", "org": "csa"},
//      {"rule": "compliance", "labs_approved_by": ["csa"]},
//      {"rule": "no_advisory"},
//      {"rule": "firmware_votes", "min_good": 3, "voters": "trusted"},
//      {"rule": "endorsed"},
//      {"rule": "cosigned", "roles": ["producer", "certification_body"]}]}
//
// Every policy also checks, before its rules, that the device certificate
// chains to a root on the ledger through unrevoked certificates, and that
// neither the device, its certificates, its model nor its manufacturer is
// revoked (de facto, by revocation_threshold organisations, or by the
// manufacturer's own stolen/destroyed status claim).
//
// Invariants: parse_policy refuses unknown keys, unknown rules and
// ill-typed values (kBadPolicy, naming the place), so a typo never silently
// weakens a policy.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.h"

namespace trustmesh::trust {

struct Rule {
  std::string rule;  // member_of | compliance | no_advisory | firmware_votes | endorsed | cosigned
  std::string org;   // member_of
  std::vector<std::string> orgs;   // compliance: labs_approved_by ([] = any lab holding the role)
  uint64_t min_good = 1;           // firmware_votes
  uint64_t max_bad = UINT64_MAX;   // firmware_votes: most bad votes tolerated (default: fewer than good)
  bool trusted_voters = true;      // firmware_votes: "trusted" (default) or "any"
  std::vector<std::string> roles;  // cosigned
};

struct Policy {
  std::string name;
  std::string description;
  std::vector<std::string> trust_anchors;
  uint64_t revocation_threshold = 3;
  uint64_t endorsement_depth = 2;  // an org is trusted if an anchor endorses it within this many hops
  std::vector<Rule> rules;
};

Result<Policy> parse_policy(std::string_view json_text);

}  // namespace trustmesh::trust
