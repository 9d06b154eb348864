// Claims: typed statements an organisation signs (by sending the tx) about
// an organisation, a model, a release, a certificate or a device.
//
// Rules kept here (the table of types is in compliance.h):
//  * the sender acts for the issuing org; an org makes no claim about itself;
//  * the subject exists on the ledger (a device subject is a registered name
//    or a 64-hex certificate hash), and suits the type;
//  * membership, membership_ended, liaison and lab_approval come from orgs
//    holding standards_body (a role only the trustees grant: calling oneself
//    a standards body gives no power); compliance and certification_failed
//    from an org that holds test_lab or certification_body now (granted by
//    the trustees, or by a valid lab_approval: org_holds_role);
//  * data values are checked where the type gives them meaning;
//  * a claim's expiry lies in the future; withdrawal is by the issuer, once.
#include <algorithm>

#include "ledger/compliance_access.h"
#include "ledger/executor.h"
#include "ledger/ops.h"
#include "ledger/params.h"
#include "ledger/schema.h"

namespace trustmesh::ledger {

namespace {

constexpr size_t kMaxSubjectLen = 200;

Error bad_claim(const std::string& why) {
  return make_error(ErrorCode::kBadClaim, why);
}

bool is_hex64(std::string_view s) {
  auto h = hash32_from_hex(s);
  return h.ok() && to_hex(*h) == s;
}

// "a" or "a-b" with decimal a <= b.
bool is_version_range(std::string_view s) {
  auto num = [](std::string_view t) {
    if (t.empty() || t.size() > 19) return false;
    for (char ch : t)
      if (ch < '0' || ch > '9') return false;
    return true;
  };
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) return num(s);
  std::string_view a = s.substr(0, dash), b = s.substr(dash + 1);
  return num(a) && num(b) && std::stoull(std::string(a)) <= std::stoull(std::string(b));
}

Status check_subject_exists(StateAccess& s, const Subject& sub) {
  ComplianceReader r(s.overlay());
  if (sub.kind == "org") {
    TM_ASSIGN_OR_RETURN(auto o, r.org(sub.id));
    if (!o) return make_error(ErrorCode::kOrgNotFound, "no organisation '" + sub.id + "'");
  } else if (sub.kind == "model") {
    size_t slash = sub.id.find('/');
    uint64_t vid = std::stoull(sub.id.substr(0, slash)), pid = std::stoull(sub.id.substr(slash + 1));
    TM_ASSIGN_OR_RETURN(auto m, r.model(vid, pid));
    if (!m) return make_error(ErrorCode::kModelNotFound, "no model " + sub.id);
  } else if (sub.kind == "release") {
    TM_ASSIGN_OR_RETURN(auto rel, r.release(*hash32_from_hex(sub.id)));
    if (!rel) return make_error(ErrorCode::kReleaseNotFound, "no release " + sub.id);
  } else if (sub.kind == "cert") {
    TM_ASSIGN_OR_RETURN(auto c, r.cert(*hash32_from_hex(sub.id)));
    if (!c) return make_error(ErrorCode::kCertNotFound, "no certificate " + sub.id + " on the ledger");
  } else if (!is_hex64(sub.id)) {  // device: a name
    TM_TRY(check_name(sub.id, kHardMaxNameLen));
    TM_ASSIGN_OR_RETURN(auto n, s.name(sub.id));
    if (!n) return make_error(ErrorCode::kNameNotFound, "no device name '" + sub.id + "'");
  }
  return Status::Ok();
}

Status require_value(const TextMap& data, std::string_view key,
                     std::initializer_list<std::string_view> allowed, std::string_view type) {
  auto it = data.find(std::string(key));
  if (it == data.end() || std::find(allowed.begin(), allowed.end(), it->second) == allowed.end()) {
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return bad_claim("a " + std::string(type) + " claim needs data \"" + std::string(key) + "\": one of " +
                     list);
  }
  return Status::Ok();
}

// The type's subject kinds, issuer kind and data rules.
Status check_type_rules(StateAccess& s, const OpContext& c, const Org& issuer, const Subject& sub,
                        const op::ClaimIssue& o) {
  auto subject_in = [&](std::initializer_list<std::string_view> kinds) -> Status {
    if (std::find(kinds.begin(), kinds.end(), sub.kind) != kinds.end()) return Status::Ok();
    std::string list;
    for (auto k : kinds) list += (list.empty() ? "" : ", ") + std::string(k);
    return bad_claim("a " + o.type + " claim is about: " + list + "; not a " + sub.kind);
  };
  const std::string& t = o.type;
  if (t == "membership" || t == "membership_ended" || t == "liaison" || t == "lab_approval") {
    TM_ASSIGN_OR_RETURN(bool sb, org_holds_role(s.overlay(), issuer, "standards_body", c.block.height));
    if (!sb)
      return make_error(ErrorCode::kMissingRole, "'" + issuer.id +
                                                     "' does not hold standards_body (granted by the "
                                                     "trustees), so it cannot issue " +
                                                     t + " claims");
    TM_TRY(subject_in({"org"}));
    if (t == "lab_approval") {
      auto role = o.data.find("role");
      if (role != o.data.end() && role->second != "test_lab" && role->second != "certification_body")
        return bad_claim("a lab_approval's role is test_lab or certification_body");
    }
  } else if (t == "compliance" || t == "certification_failed") {
    TM_ASSIGN_OR_RETURN(bool lab, org_holds_role(s.overlay(), issuer, "test_lab", c.block.height));
    TM_ASSIGN_OR_RETURN(bool cb, org_holds_role(s.overlay(), issuer, "certification_body", c.block.height));
    if (!lab && !cb)
      return make_error(ErrorCode::kMissingRole,
                        "'" + issuer.id +
                            "' holds neither test_lab nor certification_body, so it cannot issue " + t +
                            " claims");
    TM_TRY(subject_in({"model", "release"}));
    auto report = o.data.find("report_sha256");
    if (report != o.data.end() && !is_hex64(report->second))
      return bad_claim("report_sha256 must be 64 lower-case hex digits");
    auto versions = o.data.find("versions");
    if (versions != o.data.end() && !is_version_range(versions->second))
      return bad_claim("\"versions\" is a version or a range a-b");
  } else if (t == "advisory") {
    TM_TRY(subject_in({"model", "release"}));
    auto aff = o.data.find("affected");
    if (aff != o.data.end() && !is_version_range(aff->second))
      return bad_claim("an advisory's \"affected\" is a version or a range a-b");
  } else if (t == "firmware_vote") {
    TM_TRY(subject_in({"release"}));
    TM_TRY(require_value(o.data, "vote", {"good", "bad"}, t));
  } else if (t == "device_status") {
    TM_TRY(subject_in({"device", "cert"}));
    TM_TRY(require_value(o.data, "status", {"in_use", "stolen", "destroyed", "deprecated_code"}, t));
  } else if (t == "cosign") {
    TM_TRY(subject_in({"device", "model", "release"}));
    TM_TRY(require_value(o.data, "role", {"producer", "integrator", "maintainer", "certification_body"}, t));
  }
  return Status::Ok();  // endorsement, revocation: about anything
}

}  // namespace

Status apply_claim_issue(StateAccess& s, OpContext& c, const op::ClaimIssue& o) {
  TM_ASSIGN_OR_RETURN(Org issuer, load_admin_org(s, c, o.issuer));
  if (!is_claim_type(o.type)) return bad_claim("unknown claim type '" + o.type + "'");
  if (o.subject.size() > kMaxSubjectLen) return bad_claim("subject is over 200 bytes");
  auto sub = parse_subject(o.subject);
  if (!sub.ok()) return bad_claim(sub.error().message);
  if (sub->kind == "org" && sub->id == issuer.id)
    return bad_claim("an organisation makes no claims about itself");
  TM_TRY(check_text_map(o.data, "data"));
  if (o.expires_at != 0 && o.expires_at <= c.block.height)
    return bad_claim("expires_at " + std::to_string(o.expires_at) + " is not after this block (" +
                     std::to_string(c.block.height) + ")");
  TM_TRY(check_subject_exists(s, *sub));
  TM_TRY(check_type_rules(s, c, issuer, *sub, o));

  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(uint64_t id, r.next_claim_id());
  Claim claim{.id = id,
              .issuer = issuer.id,
              .type = o.type,
              .subject = o.subject,
              .data = o.data,
              .issued_at = c.block.height,
              .expires_at = o.expires_at,
              .tx_hash = c.tx_hash};
  put_claim(s.overlay(), claim);
  put_next_claim_id(s.overlay(), id + 1);
  TM_TRY(index_claim(s.overlay(), o.subject, id));
  return Status::Ok();
}

Status apply_claim_withdraw(StateAccess& s, OpContext& c, const op::ClaimWithdraw& o) {
  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(auto claim, r.claim(o.id));
  if (!claim) return make_error(ErrorCode::kClaimNotFound, "no claim " + std::to_string(o.id));
  TM_TRY(load_admin_org(s, c, claim->issuer));
  if (claim->withdrawn_at != 0)
    return make_error(
        ErrorCode::kClaimWithdrawn,
        "claim " + std::to_string(o.id) + " was withdrawn at height " + std::to_string(claim->withdrawn_at));
  claim->withdrawn_at = c.block.height;
  put_claim(s.overlay(), *claim);
  return Status::Ok();
}

}  // namespace trustmesh::ledger
