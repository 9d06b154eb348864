// Policy files; see policy.h.
#include "trust/policy.h"

#include <nlohmann/json.hpp>
#include <set>

namespace trustmesh::trust {

namespace {

using nlohmann::json;

Error bad(const std::string& where, const std::string& why) {
  return make_error(ErrorCode::kBadPolicy, "policy " + where + ": " + why);
}

Status only_keys(const json& j, const std::string& where, std::initializer_list<const char*> keys) {
  std::set<std::string> allowed(keys.begin(), keys.end());
  for (const auto& [k, v] : j.items()) {
    if (!allowed.contains(k)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return bad(where, "unknown key \"" + k + "\" (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> strings(const json& j, const std::string& where) {
  if (!j.is_array()) return bad(where, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& s : j) {
    if (!s.is_string()) return bad(where, "must be an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

Result<uint64_t> number(const json& j, const std::string& where) {
  if (!j.is_number_unsigned()) return bad(where, "must be a non-negative integer");
  return j.get<uint64_t>();
}

Result<Rule> parse_rule(const json& j, size_t index) {
  const std::string where = "rules[" + std::to_string(index) + "]";
  if (!j.is_object() || !j.contains("rule") || !j["rule"].is_string())
    return bad(where, "must be an object with a \"rule\" name");
  Rule r;
  r.rule = j["rule"].get<std::string>();
  if (r.rule == "member_of") {
    TM_TRY(only_keys(j, where, {"rule", "org"}));
    if (!j.contains("org") || !j["org"].is_string()) return bad(where, "member_of needs \"org\"");
    r.org = j["org"].get<std::string>();
  } else if (r.rule == "compliance") {
    TM_TRY(only_keys(j, where, {"rule", "labs_approved_by"}));
    if (j.contains("labs_approved_by")) {
      TM_ASSIGN_OR_RETURN(r.orgs, strings(j["labs_approved_by"], where + ".labs_approved_by"));
    }
  } else if (r.rule == "no_advisory" || r.rule == "endorsed") {
    TM_TRY(only_keys(j, where, {"rule"}));
  } else if (r.rule == "firmware_votes") {
    TM_TRY(only_keys(j, where, {"rule", "min_good", "max_bad", "voters"}));
    if (j.contains("min_good")) {
      TM_ASSIGN_OR_RETURN(r.min_good, number(j["min_good"], where + ".min_good"));
    }
    if (j.contains("max_bad")) {
      TM_ASSIGN_OR_RETURN(r.max_bad, number(j["max_bad"], where + ".max_bad"));
    }
    if (j.contains("voters")) {
      if (j["voters"] != "trusted" && j["voters"] != "any")
        return bad(where, "voters is \"trusted\" or \"any\"");
      r.trusted_voters = j["voters"] == "trusted";
    }
  } else if (r.rule == "cosigned") {
    TM_TRY(only_keys(j, where, {"rule", "roles"}));
    if (!j.contains("roles")) return bad(where, "cosigned needs \"roles\"");
    TM_ASSIGN_OR_RETURN(r.roles, strings(j["roles"], where + ".roles"));
    if (r.roles.empty()) return bad(where, "cosigned needs at least one role");
    for (const std::string& role : r.roles) {
      if (role != "producer" && role != "integrator" && role != "maintainer" && role != "certification_body")
        return bad(where, "unknown role \"" + role +
                              "\" (known: producer, integrator, maintainer, certification_body)");
    }
  } else {
    return bad(where,
               "unknown rule \"" + r.rule +
                   "\" (known: member_of, compliance, no_advisory, firmware_votes, endorsed, cosigned)");
  }
  return r;
}

}  // namespace

Result<Policy> parse_policy(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::kBadPolicy, "policy is not valid JSON");
  if (!j.is_object()) return bad("", "must be a JSON object");
  TM_TRY(only_keys(
      j, "", {"name", "description", "trust_anchors", "revocation_threshold", "endorsement_depth", "rules"}));
  Policy p;
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty())
    return bad("", "needs a \"name\"");
  p.name = j["name"].get<std::string>();
  if (j.contains("description")) {
    if (!j["description"].is_string()) return bad("description", "must be a string");
    p.description = j["description"].get<std::string>();
  }
  if (j.contains("trust_anchors")) {
    TM_ASSIGN_OR_RETURN(p.trust_anchors, strings(j["trust_anchors"], "trust_anchors"));
  }
  if (j.contains("revocation_threshold")) {
    TM_ASSIGN_OR_RETURN(p.revocation_threshold, number(j["revocation_threshold"], "revocation_threshold"));
    if (p.revocation_threshold == 0) return bad("revocation_threshold", "must be at least 1");
  }
  if (j.contains("endorsement_depth")) {
    TM_ASSIGN_OR_RETURN(p.endorsement_depth, number(j["endorsement_depth"], "endorsement_depth"));
    if (p.endorsement_depth > 16) return bad("endorsement_depth", "must be at most 16");
  }
  if (j.contains("rules")) {
    if (!j["rules"].is_array()) return bad("rules", "must be an array");
    for (size_t i = 0; i < j["rules"].size(); ++i) {
      TM_ASSIGN_OR_RETURN(Rule r, parse_rule(j["rules"][i], i));
      p.rules.push_back(std::move(r));
    }
  }
  return p;
}

}  // namespace trustmesh::trust
