// The compliance ledger's read endpoints (docs/API.md, "Organisations,
// models and claims"): GET /v1/orgs/{id}, /v1/vendors/{vid},
// /v1/models/{vid}/{pid}, /v1/releases/{sha256}, /v1/claims/{id} and
// /v1/claims?subject=S. Each reads one snapshot; claims come with their state
// (valid, expired, withdrawn) at that height, so history is never hidden.
#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/url.h"
#include "core/x509.h"
#include "core/x509_crl.h"
#include "ledger/compliance_access.h"
#include "node/node.h"
#include "trust/json.h"

namespace trustmesh::api {

namespace {

using nlohmann::json;

// The most claims listed per subject in one answer (newest kept).
constexpr uint32_t kMaxClaimsListed = 1000;

Result<uint64_t> parse_id16(std::string_view s, std::string_view what) {
  auto v = parse_height(s);
  if (!v.ok() || *v == 0 || *v > 0xffff)
    return make_error(ErrorCode::kInvalidArgument, std::string(what) + " must be a decimal number 1..65535");
  return v;
}

Result<json> claims_json(const ledger::ComplianceReader& r, const std::string& subject, uint64_t height) {
  TM_ASSIGN_OR_RETURN(std::vector<ledger::Claim> list, r.claims_about(subject, kMaxClaimsListed));
  json out = json::array();
  for (const ledger::Claim& c : list) out.push_back(trust::claim_json(c, height));
  return out;
}

// The most recent changes listed for an org or model (ChangeEntry); older
// ones are counted in history_count.
constexpr uint32_t kMaxChangesListed = 200;

Status add_history(const ledger::ComplianceReader& r, const std::string& subject, json& j) {
  TM_ASSIGN_OR_RETURN(uint32_t n, r.change_count(subject));
  TM_ASSIGN_OR_RETURN(std::vector<ledger::ChangeEntry> list, r.changes(subject, kMaxChangesListed));
  json out = json::array();
  for (const ledger::ChangeEntry& e : list) out.push_back(trust::change_json(e));
  j["history"] = out;
  j["history_count"] = n;
  return Status::Ok();
}

void answer(Response& res, const Result<json>& j) {
  if (!j.ok()) return write_error(res, j.error());
  res.body = j->dump();
}

// Whether a CA's published CRL (`crl`, if any) misses one of its ledger
// revocations (`revoked`, oldest first): the newest was revoked after the CRL
// or in its block (>=: in that block it may come after the publication).
Result<bool> crl_stale(const ledger::ComplianceReader& r, const std::vector<Hash32>& revoked,
                       const std::optional<ledger::CrlRecord>& crl) {
  if (revoked.empty()) return false;
  if (!crl) return true;
  TM_ASSIGN_OR_RETURN(auto last, r.cert(revoked.back()));
  return last && last->revoked_at >= crl->published_at;
}

Result<json> org_answer(const std::shared_ptr<const store::ReadView>& view, std::string_view id) {
  node::ViewReader vr(view);
  ledger::ComplianceReader r(vr);
  TM_ASSIGN_OR_RETURN(auto org, r.org(id));
  if (!org) return make_error(ErrorCode::kOrgNotFound, "no organisation '" + std::string(id) + "'");
  json j = trust::org_json(*org);
  TM_ASSIGN_OR_RETURN(std::vector<Hash32> certs, r.org_certs(*org));
  json list = json::array(), revoked = json::array();
  for (const Hash32& h : certs) {
    TM_ASSIGN_OR_RETURN(auto c, r.cert(h));
    if (!c) return make_error(ErrorCode::kInternal, "corrupt state: certificate " + to_hex(h) + " missing");
    list.push_back(trust::cert_json(h, *c, /*with_der=*/true));
    if (c->revoked)
      revoked.push_back(json{{"sha256", to_hex(h)},
                             {"revoked_at", c->revoked_at},
                             {"revoked_time", c->revoked_time},
                             {"reason", c->reason}});
  }
  j["certificates"] = list;
  j["revoked_certificates"] = revoked;  // what a CRL for this org lists
  json crls = json::array();            // the signed CRLs its CAs published
  for (const Hash32& h : certs) {
    TM_ASSIGN_OR_RETURN(auto crl, r.crl(h));
    if (!crl) continue;
    json c = trust::crl_json(*crl);
    TM_ASSIGN_OR_RETURN(std::vector<Hash32> revoked, r.revoked_children(h));
    TM_ASSIGN_OR_RETURN(c["stale"], crl_stale(r, revoked, crl));
    crls.push_back(std::move(c));
  }
  j["crls"] = crls;
  TM_ASSIGN_OR_RETURN(j["claims"], claims_json(r, "org:" + org->id, view->height()));
  TM_TRY(add_history(r, "org:" + org->id, j));
  j["height"] = view->height();
  return j;
}

Result<json> model_answer(const std::shared_ptr<const store::ReadView>& view, std::string_view vid_s,
                          std::string_view pid_s) {
  TM_ASSIGN_OR_RETURN(uint64_t vid, parse_id16(vid_s, "vendor id"));
  TM_ASSIGN_OR_RETURN(uint64_t pid, parse_id16(pid_s, "product id"));
  node::ViewReader vr(view);
  ledger::ComplianceReader r(vr);
  TM_ASSIGN_OR_RETURN(auto m, r.model(vid, pid));
  if (!m) return make_error(ErrorCode::kModelNotFound, "no model " + ledger::model_subject(vid, pid));
  json j = trust::model_json(*m);
  TM_ASSIGN_OR_RETURN(std::vector<Hash32> rels, r.model_releases(*m));
  json list = json::array();
  for (const Hash32& h : rels) {
    TM_ASSIGN_OR_RETURN(auto rel, r.release(h));
    if (rel) list.push_back(trust::release_json(*rel));
  }
  j["releases"] = list;
  TM_ASSIGN_OR_RETURN(j["claims"], claims_json(r, ledger::model_subject(vid, pid), view->height()));
  TM_TRY(add_history(r, ledger::model_subject(vid, pid), j));
  j["height"] = view->height();
  return j;
}

}  // namespace

void handle_org(const Context& ctx, std::string_view id, Response& res) {
  auto view = ctx.node.view();
  answer(res, org_answer(view, id));
}

void handle_vendor(const Context& ctx, std::string_view vid_s, Response& res) {
  auto view = ctx.node.view();
  auto vid = parse_id16(vid_s, "vendor id");
  if (!vid.ok()) return write_error(res, vid.error());
  node::ViewReader vr(view);
  auto org = ledger::ComplianceReader(vr).org_by_vendor(*vid);
  if (!org.ok()) return write_error(res, org.error());
  if (!*org)
    return write_error(
        res, make_error(ErrorCode::kOrgNotFound, "no organisation holds vendor id " + std::to_string(*vid)));
  answer(res, org_answer(view, **org));  // vendor ids go only to registered orgs
}

void handle_model(const Context& ctx, std::string_view vid, std::string_view pid, Response& res) {
  auto view = ctx.node.view();
  answer(res, model_answer(view, vid, pid));
}

void handle_model_version(const Context& ctx, std::string_view vid_s, std::string_view pid_s,
                          std::string_view version_s, Response& res) {
  auto view = ctx.node.view();
  auto answer_of = [&]() -> Result<json> {
    TM_ASSIGN_OR_RETURN(uint64_t vid, parse_id16(vid_s, "vendor id"));
    TM_ASSIGN_OR_RETURN(uint64_t pid, parse_id16(pid_s, "product id"));
    auto version = parse_height(version_s);
    if (!version.ok()) return make_error(ErrorCode::kInvalidArgument, "a version is a decimal number");
    node::ViewReader vr(view);
    ledger::ComplianceReader r(vr);
    TM_ASSIGN_OR_RETURN(auto m, r.model(vid, pid));
    if (!m) return make_error(ErrorCode::kModelNotFound, "no model " + ledger::model_subject(vid, pid));
    TM_ASSIGN_OR_RETURN(std::vector<Hash32> rels, r.model_releases(*m));
    for (const Hash32& h : rels) {
      TM_ASSIGN_OR_RETURN(auto rel, r.release(h));
      if (!rel || rel->version != *version) continue;
      json j = trust::release_json(*rel);
      TM_ASSIGN_OR_RETURN(j["claims"], claims_json(r, "release:" + to_hex(h), view->height()));
      TM_ASSIGN_OR_RETURN(j["model_claims"], claims_json(r, ledger::model_subject(vid, pid), view->height()));
      j["height"] = view->height();
      return j;
    }
    return make_error(ErrorCode::kReleaseNotFound,
                      ledger::model_subject(vid, pid) + " has no version " + std::to_string(*version));
  };
  answer(res, answer_of());
}

void handle_crl(const Context& ctx, std::string_view issuer, std::string_view query, Response& res) {
  auto h = parse_hash(issuer, "issuer certificate hash");
  if (!h.ok()) return write_error(res, h.error());
  const auto format = query_param(query, "format").value_or("der");
  if (format != "der" && format != "pem")
    return write_error(res, make_error(ErrorCode::kInvalidArgument, "format must be der or pem"));
  auto view = ctx.node.view();
  node::ViewReader vr(view);
  auto crl = ledger::ComplianceReader(vr).crl(*h);
  if (!crl.ok()) return write_error(res, crl.error());
  if (!*crl)
    return write_error(
        res, make_error(ErrorCode::kNotFound,
                        "certificate " + to_hex(*h) + " has published no CRL (trustmesh crl publish)"));
  if (format == "pem") {
    res.content_type = kPemType;
    res.body = x509::crl_to_pem((*crl)->der);
  } else {
    res.content_type = kCrlType;
    res.body.assign((*crl)->der.begin(), (*crl)->der.end());
  }
}

void handle_crl_entries(const Context& ctx, std::string_view issuer, Response& res) {
  auto h = parse_hash(issuer, "issuer certificate hash");
  if (!h.ok()) return write_error(res, h.error());
  auto view = ctx.node.view();
  node::ViewReader vr(view);
  ledger::ComplianceReader r(vr);
  answer(res, [&]() -> Result<json> {
    TM_ASSIGN_OR_RETURN(auto ca, r.cert(*h));
    if (!ca) return make_error(ErrorCode::kCertNotFound, "no certificate " + to_hex(*h) + " on the ledger");
    TM_ASSIGN_OR_RETURN(auto crl, r.crl(*h));
    TM_ASSIGN_OR_RETURN(std::vector<Hash32> revoked, r.revoked_children(*h));
    json entries = json::array();
    for (const Hash32& c : revoked) {
      TM_ASSIGN_OR_RETURN(auto rec, r.cert(c));
      if (!rec)
        return make_error(ErrorCode::kInternal, "corrupt state: certificate " + to_hex(c) + " missing");
      TM_ASSIGN_OR_RETURN(x509::CertFacts f, x509::parse_certificate(rec->der));
      entries.push_back(json{{"sha256", to_hex(c)},
                             {"serial", to_hex(f.serial)},
                             {"level", rec->level},
                             {"revoked_at", rec->revoked_at},
                             {"revoked_time", rec->revoked_time},
                             {"reason", rec->reason}});
    }
    TM_ASSIGN_OR_RETURN(bool stale, crl_stale(r, revoked, crl));
    return json{{"issuer", to_hex(*h)},
                {"org", ca->org},
                {"revoked", ca->revoked},
                {"next_number", crl ? crl->number + 1 : 1},
                {"published", crl ? trust::crl_json(*crl) : json(nullptr)},
                {"stale", stale},
                {"entries", entries},
                {"height", view->height()}};
  }());
}

void handle_release(const Context& ctx, std::string_view sha, Response& res) {
  auto h = parse_hash(sha, "release hash");
  if (!h.ok()) return write_error(res, h.error());
  auto view = ctx.node.view();
  node::ViewReader vr(view);
  ledger::ComplianceReader r(vr);
  auto rel = r.release(*h);
  if (!rel.ok()) return write_error(res, rel.error());
  if (!*rel) return write_error(res, make_error(ErrorCode::kReleaseNotFound, "no release " + to_hex(*h)));
  json j = trust::release_json(**rel);
  auto claims = claims_json(r, "release:" + to_hex(*h), view->height());
  if (!claims.ok()) return write_error(res, claims.error());
  j["claims"] = *claims;
  j["height"] = view->height();
  res.body = j.dump();
}

void handle_claim(const Context& ctx, std::string_view id_s, Response& res) {
  auto id = parse_height(id_s);
  if (!id.ok())
    return write_error(res, make_error(ErrorCode::kInvalidArgument, "a claim id is a decimal number"));
  auto view = ctx.node.view();
  node::ViewReader vr(view);
  auto c = ledger::ComplianceReader(vr).claim(*id);
  if (!c.ok()) return write_error(res, c.error());
  if (!*c) return write_error(res, make_error(ErrorCode::kClaimNotFound, "no claim " + std::to_string(*id)));
  res.body = trust::claim_json(**c, view->height()).dump();
}

void handle_claims(const Context& ctx, std::string_view query, Response& res) {
  auto subject = query_param(query, "subject");
  if (!subject || subject->empty())
    return write_error(res, make_error(ErrorCode::kInvalidArgument,
                                       "give ?subject=, e.g. ?subject=org:acme or ?subject=model:4660/1"));
  std::string s(*subject);
  if (needs_decoding(s)) {
    auto d = percent_decode(s);
    if (!d.ok()) return write_error(res, d.error());
    s = *d;
  }
  auto parsed = ledger::parse_subject(s);
  if (!parsed.ok()) return write_error(res, parsed.error());
  auto view = ctx.node.view();
  node::ViewReader vr(view);
  auto list = claims_json(ledger::ComplianceReader(vr), s, view->height());
  if (!list.ok()) return write_error(res, list.error());
  res.body = json{{"subject", s}, {"height", view->height()}, {"claims", *list}}.dump();
}

}  // namespace trustmesh::api
