// JSON views; see json.h.
#include "trust/json.h"

#include "core/x509.h"

namespace trustmesh::trust {

using nlohmann::json;

json org_json(const ledger::Org& o) {
  json j{{"id", o.id},
         {"kind", o.kind},
         {"name", o.name},
         {"admin", o.admin.to_string()},
         {"registered_at", o.registered_at},
         {"updated_at", o.updated_at},
         {"roles", o.roles}};
  if (o.vendor_id) j["vendor_id"] = *o.vendor_id;
  if (!o.crl_url.empty()) j["crl_url"] = o.crl_url;
  json roots = json::array();
  for (const Hash32& h : o.roots) roots.push_back(to_hex(h));
  j["roots"] = roots;
  return j;
}

json cert_json(const Hash32& hash, const ledger::CertRecord& c, bool with_der) {
  json j{{"sha256", to_hex(hash)},
         {"level", c.level},
         {"org", c.org},
         {"added_at", c.added_at},
         {"revoked", c.revoked}};
  auto f = x509::parse_certificate(c.der);
  if (f.ok()) {
    j["subject"] = f->subject;
    j["issuer"] = f->issuer;
    j["not_before"] = f->not_before;
    j["not_after"] = f->not_after;
  }
  if (c.parent) j["parent"] = to_hex(*c.parent);
  if (c.vid) j["vid"] = *c.vid;
  if (c.pid) j["pid"] = *c.pid;
  if (c.revoked) j["revoked_at"] = c.revoked_at;
  if (c.revoked_time) j["revoked_time"] = c.revoked_time;
  if (!c.reason.empty()) j["reason"] = c.reason;
  if (with_der) j["pem"] = x509::to_pem(c.der);
  return j;
}

json model_json(const ledger::Model& m) {
  return json{{"org", m.org},
              {"vid", m.vid},
              {"pid", m.pid},
              {"subject", ledger::model_subject(m.vid, m.pid)},
              {"name", m.name},
              {"label", m.label},
              {"release_count", m.release_count},
              {"created_at", m.created_at},
              {"updated_at", m.updated_at}};
}

json release_json(const ledger::Release& r) {
  json j{{"org", r.org},         {"vid", r.vid},
         {"pid", r.pid},         {"model", ledger::model_subject(r.vid, r.pid)},
         {"version", r.version}, {"version_string", r.version_string},
         {"kind", r.kind},       {"sha256", to_hex(r.sha256)},
         {"size", r.size},       {"published_at", r.published_at}};
  if (!r.url.empty()) j["url"] = r.url;
  if (!r.signature.empty()) j["signature"] = to_hex(r.signature);
  return j;
}

json crl_json(const ledger::CrlRecord& c) {
  json j{{"issuer", to_hex(c.issuer)},     {"number", c.number},
         {"this_update", c.this_update},   {"entries", c.entries},
         {"published_at", c.published_at}, {"url", "/v1/crls/" + to_hex(c.issuer)}};
  if (c.next_update) j["next_update"] = c.next_update;
  return j;
}

json change_json(const ledger::ChangeEntry& e) {
  return json{{"height", e.height},
              {"tx", to_hex(e.tx_hash)},
              {"op", e.op},
              {"detail", e.detail},
              {"digest", to_hex(e.digest)}};
}

json claim_json(const ledger::Claim& c, uint64_t height) {
  json j{{"id", c.id},
         {"issuer", c.issuer},
         {"type", c.type},
         {"subject", c.subject},
         {"data", c.data},
         {"issued_at", c.issued_at},
         {"tx", to_hex(c.tx_hash)},
         {"state", c.withdrawn_at ? "withdrawn" : (c.valid_at(height) ? "valid" : "expired")}};
  if (c.expires_at) j["expires_at"] = c.expires_at;
  if (c.withdrawn_at) j["withdrawn_at"] = c.withdrawn_at;
  return j;
}

json decision_json(const Decision& d) {
  json path = json::array();
  for (const PathEntry& p : d.path)
    path.push_back(
        json{{"sha256", to_hex(p.hash)}, {"subject", p.subject}, {"level", p.level}, {"org", p.org}});
  json checks = json::array();
  json missing = json::array();
  for (const Check& c : d.checks) {
    json cj{{"rule", c.rule}, {"ok", c.ok}, {"detail", c.detail}, {"claims", c.claims}};
    if (!c.ok && !c.missing.empty()) {
      cj["missing"] = c.missing;
      missing.push_back(c.missing);
    }
    checks.push_back(cj);
  }
  json j{{"decision", d.admit ? "admit" : "deny"},
         {"policy", d.policy},
         {"height", d.height},
         {"device", json{{"sha256", to_hex(d.device_hash)}, {"subject", d.device_subject}}},
         {"path", path},
         {"manufacturer", d.manufacturer},
         {"model", d.model},
         {"checks", checks},
         {"missing", missing},
         {"notes", d.notes},
         {"explanation", explain(d)}};
  if (d.firmware_version) j["firmware_version"] = *d.firmware_version;
  return j;
}

}  // namespace trustmesh::trust
