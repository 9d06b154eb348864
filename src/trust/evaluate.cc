// Trust evaluation and admission; see evaluate.h.
#include "trust/evaluate.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/x509.h"
#include "ledger/compliance_access.h"

namespace trustmesh::trust {

namespace {

using ledger::Claim;
using ledger::ComplianceReader;
using ledger::Org;

constexpr size_t kMaxPath = 8;  // certificates above the device

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string ids(const std::vector<uint64_t>& v) {
  std::vector<std::string> s;
  for (uint64_t id : v) s.push_back("#" + std::to_string(id));
  return join(s, ", ");
}

bool in_range(const std::string& range, uint64_t v) {
  size_t dash = range.find('-');
  try {
    if (dash == std::string::npos) return v == std::stoull(range);
    return v >= std::stoull(range.substr(0, dash)) && v <= std::stoull(range.substr(dash + 1));
  } catch (const std::exception&) {
    return false;  // the ledger checked the syntax; a bad range affects nothing
  }
}

class Evaluator {
 public:
  Evaluator(const ledger::StateReader& state, const LedgerNow& now, const Policy& policy)
      : state_(state), r_(state), now_(now), policy_(policy) {}

  Result<Decision> run(const AdmissionRequest& req);

 private:
  // Claims about a subject (cached), all of them; valid() filters.
  Result<const std::vector<Claim>*> about(const std::string& subject) {
    auto it = claims_.find(subject);
    if (it == claims_.end()) {
      TM_ASSIGN_OR_RETURN(std::vector<Claim> list, r_.claims_about(subject));
      it = claims_.emplace(subject, std::move(list)).first;
    }
    return &it->second;
  }
  Result<std::optional<Org>> org(const std::string& id) {
    auto it = orgs_.find(id);
    if (it == orgs_.end()) {
      TM_ASSIGN_OR_RETURN(auto o, r_.org(id));
      it = orgs_.emplace(id, std::move(o)).first;
    }
    return it->second;
  }
  // Organisations are never deleted and the ledger checked the issuer when
  // the claim was made, so validity is the claim's own: not withdrawn, not expired.
  Result<bool> valid(const Claim& c) { return c.valid_at(now_.height); }

  // Distinct trusted issuers of valid claims that revoke or flag `subject`.
  Result<std::vector<uint64_t>> flags(const std::string& subject);
  Result<bool> revoked(const std::string& subject, std::vector<uint64_t>* by);
  // Whether `id` is trusted by this policy: an anchor, or endorsed by a
  // trusted org; with no anchors every registered org is trusted.
  Result<bool> trusted(const std::string& id);
  // Whether `revocation_threshold` orgs revoke org `id` (then nobody trusts it).
  Result<bool> flagged_org(const std::string& id);
  Result<bool> anchor_or_endorsed_by_anchor(const std::string& id);
  bool is_anchor(const std::string& id) const {
    return std::find(policy_.trust_anchors.begin(), policy_.trust_anchors.end(), id) !=
           policy_.trust_anchors.end();
  }

  Status check_chain(const AdmissionRequest& req, Decision& d, Check& chain);
  Status check_not_revoked(Decision& d, const std::optional<ledger::Release>& release);
  Result<Check> rule_member_of(const Rule& rule, const Decision& d);
  Result<Check> rule_compliance(const Rule& rule, const Decision& d,
                                const std::optional<ledger::Release>& rel);
  Result<Check> rule_no_advisory(const Decision& d, const std::optional<ledger::Release>& rel);
  Result<Check> rule_firmware_votes(const Rule& rule, const std::optional<ledger::Release>& rel);
  Result<Check> rule_endorsed(const Decision& d);
  Result<Check> rule_cosigned(const Rule& rule, const Decision& d);

  const ledger::StateReader& state_;
  ComplianceReader r_;
  LedgerNow now_;
  const Policy& policy_;
  std::map<std::string, std::vector<Claim>> claims_;
  std::map<std::string, std::optional<Org>> orgs_;
  std::map<std::string, bool> trusted_;
  std::map<std::string, bool> flagged_orgs_;
};

Result<std::vector<uint64_t>> Evaluator::flags(const std::string& subject) {
  TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about(subject));
  std::vector<uint64_t> out;
  std::set<std::string> seen;
  for (const Claim& c : *list) {
    bool flag =
        c.type == "revocation" || (c.type == "device_status" && c.data.contains("status") &&
                                   (c.data.at("status") == "stolen" || c.data.at("status") == "destroyed"));
    if (!flag || seen.contains(c.issuer)) continue;
    TM_ASSIGN_OR_RETURN(bool ok, valid(c));
    if (!ok) continue;
    TM_ASSIGN_OR_RETURN(bool t, trusted(c.issuer));
    if (!t) continue;
    seen.insert(c.issuer);
    out.push_back(c.id);
  }
  return out;
}

Result<bool> Evaluator::revoked(const std::string& subject, std::vector<uint64_t>* by) {
  TM_ASSIGN_OR_RETURN(std::vector<uint64_t> f, flags(subject));
  if (by) *by = f;
  return f.size() >= policy_.revocation_threshold;
}

// An org is flagged when `revocation_threshold` organisations revoke it. With
// anchors, only the anchors and the orgs an anchor endorses directly count
// (found without asking trust, so this never recurses), and an anchor itself
// is never flagged: a few throw-away orgs cannot switch an ecosystem's
// anchors off. With no anchors every org counts.
Result<bool> Evaluator::flagged_org(const std::string& id) {
  auto fl = flagged_orgs_.find(id);
  if (fl != flagged_orgs_.end()) return fl->second;
  bool flagged = false;
  if (!is_anchor(id)) {
    TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about("org:" + id));
    std::set<std::string> by;
    for (const Claim& c : *list) {
      if (c.type != "revocation" || by.contains(c.issuer)) continue;
      TM_ASSIGN_OR_RETURN(bool ok, valid(c));
      if (!ok) continue;
      TM_ASSIGN_OR_RETURN(bool counts, anchor_or_endorsed_by_anchor(c.issuer));
      if (counts) by.insert(c.issuer);
    }
    flagged = by.size() >= policy_.revocation_threshold;
  }
  flagged_orgs_[id] = flagged;
  return flagged;
}

Result<bool> Evaluator::anchor_or_endorsed_by_anchor(const std::string& id) {
  if (policy_.trust_anchors.empty() || is_anchor(id)) return true;
  TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about("org:" + id));
  for (const Claim& c : *list) {
    if (c.type != "endorsement" || !is_anchor(c.issuer)) continue;
    TM_ASSIGN_OR_RETURN(bool ok, valid(c));
    if (ok) return true;
  }
  return false;
}

// Breadth-first, backwards along valid endorsements, at most
// policy.endorsement_depth hops from `id`: each org is visited once, so
// cycles end the search instead of looping, and the work is bounded by the
// orgs within that many hops, whatever the size of the ledger.
Result<bool> Evaluator::trusted(const std::string& id) {
  auto known = trusted_.find(id);
  if (known != trusted_.end()) return known->second;
  // Not flagged (and, for orgs named by a policy, registered).
  auto usable = [&](const std::string& o) -> Result<bool> {
    TM_ASSIGN_OR_RETURN(auto org_rec, org(o));
    if (!org_rec) return false;
    TM_ASSIGN_OR_RETURN(bool flagged, flagged_org(o));
    return !flagged;
  };
  bool result = false;
  TM_ASSIGN_OR_RETURN(bool ok, usable(id));
  if (ok && (policy_.trust_anchors.empty() || is_anchor(id))) {
    result = true;
  } else if (ok) {
    std::set<std::string> seen{id};
    std::vector<std::string> frontier{id};
    for (uint64_t depth = 0; depth < policy_.endorsement_depth && !frontier.empty() && !result; ++depth) {
      const bool last = depth + 1 == policy_.endorsement_depth;
      std::vector<std::string> next;
      for (const std::string& o : frontier) {
        TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about("org:" + o));
        for (const Claim& c : *list) {
          if (c.type != "endorsement" || seen.contains(c.issuer)) continue;
          TM_ASSIGN_OR_RETURN(bool v, valid(c));
          if (!v) continue;
          seen.insert(c.issuer);
          if (is_anchor(c.issuer)) {
            TM_ASSIGN_OR_RETURN(bool u, usable(c.issuer));
            if (u) {
              result = true;
              break;
            }
            continue;
          }
          // Any other endorser only matters if the walk goes on from it; its
          // flags are checked then.
          if (last) continue;
          TM_ASSIGN_OR_RETURN(bool u, usable(c.issuer));
          if (u) next.push_back(c.issuer);
        }
        if (result) break;
      }
      frontier = std::move(next);
    }
  }
  trusted_[id] = result;
  return result;
}

Status Evaluator::check_chain(const AdmissionRequest& req, Decision& d, Check& chain) {
  chain.rule = "chain";
  auto dev = x509::parse_certificate(req.device_der);
  if (!dev.ok()) return make_error(ErrorCode::kBadCertificate, "device certificate: " + dev.error().message);
  d.device_hash = dev->hash;
  d.device_key_hash = dev->key_hash;
  d.device_subject = dev->subject;
  d.path.push_back(PathEntry{dev->hash, dev->subject, "device", ""});
  auto in_time = [&](const x509::CertFacts& f) {
    return now_.time == 0 || (static_cast<int64_t>(now_.time) >= f.not_before &&
                              static_cast<int64_t>(now_.time) <= f.not_after);
  };
  if (!in_time(*dev)) {
    chain.detail = "the device certificate is not valid at the ledger's time (block " +
                   std::to_string(now_.height) + ")";
    chain.missing = "a device certificate valid now";
    return Status::Ok();
  }
  for (const Bytes& c : req.chain) {
    auto f = x509::parse_certificate(c);
    if (!f.ok()) return make_error(ErrorCode::kBadCertificate, "chain certificate: " + f.error().message);
    TM_ASSIGN_OR_RETURN(auto rec, r_.cert(f->hash));
    if (!rec)
      d.notes.push_back("presented certificate '" + f->subject + "' is not on the ledger; it was not used");
  }
  // The device's issuer: a certificate of some org on the ledger whose key signed it.
  TM_ASSIGN_OR_RETURN(std::vector<Hash32> named, r_.certs_named(dev->issuer_hash));
  std::optional<Hash32> issuer;
  std::optional<ledger::CertRecord> revoked_issuer;
  for (const Hash32& h : named) {
    TM_ASSIGN_OR_RETURN(auto rec, r_.cert(h));
    if (!rec || rec->level == "external_root") continue;
    if (!x509::verify_signed_by(req.device_der, rec->der).ok()) continue;
    if (rec->revoked) {
      revoked_issuer = rec;
      continue;
    }
    issuer = h;
  }
  // A revoked certificate whose key signed the device decides, even if a copy
  // of it (another encoding, the same key) is on the ledger unrevoked.
  if (!issuer || revoked_issuer) {
    if (revoked_issuer) {
      chain.detail = "the device's issuer (a " + revoked_issuer->level + " certificate of '" +
                     revoked_issuer->org + "') was revoked at height " +
                     std::to_string(revoked_issuer->revoked_at) +
                     (revoked_issuer->reason.empty() ? "" : " (" + revoked_issuer->reason + ")");
      chain.missing = "an unrevoked issuer certificate";
    } else {
      chain.detail =
          "no certificate on the ledger issued this device certificate (issuer '" + dev->issuer + "')";
      chain.missing =
          "the issuing model, intermediate or root certificate of '" + dev->issuer + "' on the ledger";
    }
    return Status::Ok();
  }
  // A device certificate recorded on the ledger (cert.add device) may have been
  // revoked there. Found by issuer and serial, not by hash: a re-encoding of
  // the certificate (an ECDSA signature can be rewritten without the key) keeps both.
  TM_ASSIGN_OR_RETURN(auto own_hash, r_.cert_by_serial(*issuer, dev->serial));
  if (own_hash) {
    TM_ASSIGN_OR_RETURN(auto own, r_.cert(*own_hash));
    if (own && own->revoked) {
      chain.detail = "the device certificate was revoked by '" + own->org + "' at height " +
                     std::to_string(own->revoked_at) + (own->reason.empty() ? "" : " (" + own->reason + ")");
      chain.missing = "an unrevoked device certificate";
      return Status::Ok();
    }
  }
  // Up the ledger's own parent links, which were checked when each was added.
  std::optional<Hash32> at = issuer;
  std::optional<uint64_t> model_vid, model_pid;
  while (at) {
    if (d.path.size() > kMaxPath + 1) return make_error(ErrorCode::kInternal, "certificate path too long");
    TM_ASSIGN_OR_RETURN(auto rec, r_.cert(*at));
    if (!rec)
      return make_error(ErrorCode::kInternal, "corrupt state: certificate " + to_hex(*at) + " missing");
    TM_ASSIGN_OR_RETURN(x509::CertFacts f, x509::parse_certificate(rec->der));
    d.path.push_back(PathEntry{*at, f.subject, rec->level, rec->org});
    if (rec->revoked) {
      chain.detail = "'" + f.subject + "' (" + rec->level + " of '" + rec->org +
                     "') on the path was revoked at height " + std::to_string(rec->revoked_at) +
                     (rec->reason.empty() ? "" : " (" + rec->reason + ")");
      chain.missing = "a path of unrevoked certificates";
      return Status::Ok();
    }
    if (!in_time(f)) {
      chain.detail = "'" + f.subject + "' on the path is not valid at the ledger's time";
      chain.missing = "a path of certificates valid now";
      return Status::Ok();
    }
    if (rec->level == "model" && d.model.empty() && rec->vid && rec->pid) {
      d.model = ledger::model_subject(*rec->vid, *rec->pid);
      model_vid = rec->vid;
      model_pid = rec->pid;
    }
    if (rec->level == "root" && d.manufacturer.empty()) d.manufacturer = rec->org;
    at = rec->parent;
  }
  // Vendor and product ids the device certificate names (Matter attributes)
  // must be those of its model, or the manufacturer's vendor id.
  if (dev->vid || dev->pid) {
    std::optional<uint64_t> vid = model_vid;
    if (!vid) {
      TM_ASSIGN_OR_RETURN(auto maker, r_.org(d.manufacturer));
      if (maker) vid = maker->vendor_id;
    }
    auto show = [](const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : std::string("none"); };
    std::string why;
    if (dev->vid && dev->vid != vid)
      why = "vendor id " + std::to_string(*dev->vid) + " but its chain is vendor id " + show(vid);
    else if (dev->pid && dev->pid != model_pid)
      why = "product id " + std::to_string(*dev->pid) + " but its chain's model is product id " +
            show(model_pid);
    if (!why.empty()) {
      chain.detail = "the device certificate names " + why;
      chain.missing = "a device certificate whose vendor and product ids are its chain's";
      return Status::Ok();
    }
  }
  std::vector<std::string> names;
  for (size_t i = 1; i < d.path.size(); ++i)
    names.push_back(d.path[i].level + " '" + d.path[i].subject + "'");
  chain.ok = true;
  chain.detail = "device '" + dev->subject + "' <- " + join(names, " <- ") + " of '" + d.manufacturer + "'";
  return Status::Ok();
}

Status Evaluator::check_not_revoked(Decision& d, const std::optional<ledger::Release>& release) {
  Check c{.rule = "not_revoked"};
  std::vector<std::pair<std::string, std::string>> subjects = {
      {"device:" + to_hex(d.device_hash), "the device"},
      {"device:" + to_hex(d.device_key_hash), "the device's key"}};
  for (size_t i = 1; i < d.path.size(); ++i)
    subjects.emplace_back("cert:" + to_hex(d.path[i].hash), "certificate '" + d.path[i].subject + "'");
  if (!d.model.empty()) subjects.emplace_back(d.model, "the model");
  if (!d.manufacturer.empty())
    subjects.emplace_back("org:" + d.manufacturer, "the manufacturer '" + d.manufacturer + "'");
  if (release) subjects.emplace_back("release:" + to_hex(release->sha256), "the firmware");
  std::vector<std::string> problems;
  for (const auto& [subject, what] : subjects) {
    std::vector<uint64_t> by;
    TM_ASSIGN_OR_RETURN(bool rev, revoked(subject, &by));
    if (rev) {
      problems.push_back(what + " is revoked de facto by " + std::to_string(by.size()) + " organisations (" +
                         ids(by) + "; threshold " + std::to_string(policy_.revocation_threshold) + ")");
      c.claims.insert(c.claims.end(), by.begin(), by.end());
      continue;
    }
    // The manufacturer's own word that a device is stolen or destroyed is enough.
    if (subject.rfind("device:", 0) == 0 && !d.manufacturer.empty()) {
      TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about(subject));
      for (const Claim& cl : *list) {
        if (cl.type != "device_status" || cl.issuer != d.manufacturer) continue;
        TM_ASSIGN_OR_RETURN(bool ok, valid(cl));
        const std::string st = cl.data.contains("status") ? cl.data.at("status") : "";
        if (ok && (st == "stolen" || st == "destroyed")) {
          problems.push_back("the manufacturer reports the device " + st + " (claim #" +
                             std::to_string(cl.id) + ")");
          c.claims.push_back(cl.id);
        }
      }
    }
  }
  c.ok = problems.empty();
  c.detail = c.ok ? "no revocation of the device, its certificates, model, manufacturer or firmware"
                  : join(problems, "; ");
  if (!c.ok) c.missing = "withdrawal of the revoking claims";
  d.checks.push_back(std::move(c));
  return Status::Ok();
}

Result<Check> Evaluator::rule_member_of(const Rule& rule, const Decision& d) {
  Check c{.rule = "member_of " + rule.org};
  TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about("org:" + d.manufacturer));
  std::optional<uint64_t> member;
  for (const Claim& cl : *list) {  // in id order: a later "membership_ended" wins
    if (cl.issuer != rule.org || (cl.type != "membership" && cl.type != "membership_ended")) continue;
    TM_ASSIGN_OR_RETURN(bool ok, valid(cl));
    if (!ok) continue;
    if (cl.type == "membership")
      member = cl.id;
    else
      member.reset();
  }
  c.ok = member.has_value();
  if (c.ok) {
    c.claims = {*member};
    c.detail =
        "'" + d.manufacturer + "' is a member of '" + rule.org + "' (claim #" + std::to_string(*member) + ")";
  } else {
    c.detail = "'" + d.manufacturer + "' holds no valid membership claim from '" + rule.org + "'";
    c.missing = "a membership claim by '" + rule.org + "' about org:" + d.manufacturer;
  }
  return c;
}

Result<Check> Evaluator::rule_compliance(const Rule& rule, const Decision& d,
                                         const std::optional<ledger::Release>& rel) {
  Check c{.rule = "compliance"};
  const std::string approvers =
      rule.orgs.empty() ? "any standards body or the trustees" : join(rule.orgs, ", ");
  if (d.model.empty()) {
    c.detail = "the device certificate is not issued by a model certificate, so its model is unknown";
    c.missing = "a model certificate on the path";
    return c;
  }
  std::vector<std::string> subjects = {d.model};
  if (rel) subjects.push_back("release:" + to_hex(rel->sha256));
  std::vector<std::string> passed_over;
  for (const std::string& subject : subjects) {
    TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about(subject));
    for (const Claim& cl : *list) {
      if (cl.type != "compliance") continue;
      TM_ASSIGN_OR_RETURN(bool ok, valid(cl));
      if (!ok) {
        passed_over.push_back("#" + std::to_string(cl.id) + " is " +
                              (cl.withdrawn_at ? "withdrawn" : "expired"));
        continue;
      }
      if (cl.data.contains("versions") && (!rel || !in_range(cl.data.at("versions"), rel->version))) {
        passed_over.push_back("#" + std::to_string(cl.id) + " covers versions " + cl.data.at("versions") +
                              (rel ? ", not " + std::to_string(rel->version) : "; the firmware is unknown"));
        continue;
      }
      TM_ASSIGN_OR_RETURN(auto lab, org(cl.issuer));
      TM_ASSIGN_OR_RETURN(bool tl, ledger::org_holds_role(state_, *lab, "test_lab", now_.height));
      TM_ASSIGN_OR_RETURN(bool cb, ledger::org_holds_role(state_, *lab, "certification_body", now_.height));
      if (!tl && !cb) {
        passed_over.push_back("#" + std::to_string(cl.id) + " is from '" + cl.issuer +
                              "', which no longer holds a lab role");
        continue;
      }
      std::optional<uint64_t> approval;
      if (!rule.orgs.empty()) {
        TM_ASSIGN_OR_RETURN(const std::vector<Claim>* about_lab, about("org:" + cl.issuer));
        for (const Claim& a : *about_lab) {
          if (a.type != "lab_approval" ||
              std::find(rule.orgs.begin(), rule.orgs.end(), a.issuer) == rule.orgs.end())
            continue;
          TM_ASSIGN_OR_RETURN(bool aok, valid(a));
          if (aok) approval = a.id;
        }
        if (!approval) {
          passed_over.push_back("#" + std::to_string(cl.id) + " is from '" + cl.issuer +
                                "', not approved by " + approvers);
          continue;
        }
      }
      // A later failure from any lab that holds a lab role now undoes it.
      bool failed_later = false;
      for (const Claim& f : *list) {
        if (f.type != "certification_failed" || f.id < cl.id) continue;
        TM_ASSIGN_OR_RETURN(bool fok, valid(f));
        if (fok && f.issuer != cl.issuer) {
          TM_ASSIGN_OR_RETURN(auto flab, org(f.issuer));
          TM_ASSIGN_OR_RETURN(bool ftl, ledger::org_holds_role(state_, *flab, "test_lab", now_.height));
          TM_ASSIGN_OR_RETURN(bool fcb,
                              ledger::org_holds_role(state_, *flab, "certification_body", now_.height));
          fok = ftl || fcb;
        }
        if (fok) {
          failed_later = true;
          passed_over.push_back("#" + std::to_string(cl.id) + " was followed by certification_failed #" +
                                std::to_string(f.id));
        }
      }
      if (failed_later) continue;
      c.ok = true;
      c.claims = {cl.id};
      if (approval) c.claims.push_back(*approval);
      c.detail = subject + " is certified by '" + cl.issuer + "' (claim #" + std::to_string(cl.id) + ")" +
                 (approval ? ", a lab approved by claim #" + std::to_string(*approval) : "");
      return c;
    }
  }
  c.detail = "no valid compliance claim about " + d.model + " from a lab approved by " + approvers;
  if (!passed_over.empty()) c.detail += " (" + join(passed_over, "; ") + ")";
  c.missing = "a compliance claim about " + d.model + " by a test lab approved by " + approvers;
  return c;
}

Result<Check> Evaluator::rule_no_advisory(const Decision& d, const std::optional<ledger::Release>& rel) {
  Check c{.rule = "no_advisory"};
  if (d.model.empty()) {
    c.detail = "the model is unknown, so advisories cannot be ruled out";
    c.missing = "a model certificate on the path";
    return c;
  }
  std::vector<std::string> subjects = {d.model};
  if (rel) subjects.push_back("release:" + to_hex(rel->sha256));
  std::vector<std::string> hits;
  for (const std::string& subject : subjects) {
    TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about(subject));
    for (const Claim& cl : *list) {
      if (cl.type != "advisory") continue;
      TM_ASSIGN_OR_RETURN(bool ok, valid(cl));
      if (!ok) continue;
      bool affects = true;
      if (subject == d.model) {
        if (!rel) {
          affects = true;
        } else if (cl.data.contains("affected")) {
          affects = in_range(cl.data.at("affected"), rel->version);
        } else {
          affects = rel->published_at <= cl.issued_at;  // releases after the advisory are the fixes
        }
      }
      if (!affects) continue;
      // Trust is asked last: it is the expensive part.
      if (cl.issuer != d.manufacturer) {
        TM_ASSIGN_OR_RETURN(bool t, trusted(cl.issuer));
        if (!t) continue;
      }
      {
        c.claims.push_back(cl.id);
        hits.push_back("#" + std::to_string(cl.id) + " by '" + cl.issuer + "'" +
                       (cl.data.contains("id") ? " (" + cl.data.at("id") + ")" : ""));
      }
    }
  }
  c.ok = hits.empty();
  if (c.ok) {
    c.detail =
        rel ? "no advisory affects firmware version " + rel->version_string : "no advisory about " + d.model;
  } else {
    c.detail = std::string(rel ? "firmware " + rel->version_string + " is affected by "
                               : "advisories about the model: ") +
               join(hits, ", ") + (rel ? "" : "; pass the firmware hash to check whether it is affected");
    c.missing = rel ? "a fixed release, installed" : "the device's firmware hash";
  }
  return c;
}

Result<Check> Evaluator::rule_firmware_votes(const Rule& rule, const std::optional<ledger::Release>& rel) {
  Check c{.rule = "firmware_votes"};
  if (!rel) {
    c.detail = "the firmware is unknown: no firmware hash was given, or it is not a release of this model";
    c.missing = "the device's firmware hash, of a release on the ledger";
    return c;
  }
  TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about("release:" + to_hex(rel->sha256)));
  std::set<std::string> voted;
  std::vector<uint64_t> good, bad;
  for (auto it = list->rbegin(); it != list->rend(); ++it) {  // newest vote of each org counts
    const Claim& cl = *it;
    if (cl.type != "firmware_vote" || voted.contains(cl.issuer)) continue;
    TM_ASSIGN_OR_RETURN(bool ok, valid(cl));
    if (!ok) continue;
    if (rule.trusted_voters) {
      TM_ASSIGN_OR_RETURN(bool t, trusted(cl.issuer));
      if (!t) continue;
    }
    voted.insert(cl.issuer);
    (cl.data.at("vote") == "good" ? good : bad).push_back(cl.id);
  }
  std::sort(good.begin(), good.end());
  std::sort(bad.begin(), bad.end());
  bool bad_ok = rule.max_bad == UINT64_MAX ? bad.size() < good.size() : bad.size() <= rule.max_bad;
  c.ok = good.size() >= rule.min_good && bad_ok;
  c.claims = good;
  c.claims.insert(c.claims.end(), bad.begin(), bad.end());
  c.detail = "firmware " + rel->version_string + " has " + std::to_string(good.size()) + " good and " +
             std::to_string(bad.size()) + " bad votes from " + (rule.trusted_voters ? "trusted" : "any") +
             " organisations; the policy needs " + std::to_string(rule.min_good) + " good";
  if (!c.ok)
    c.missing = std::to_string(rule.min_good > good.size() ? rule.min_good - good.size() : 0) +
                " more good votes from " + (rule.trusted_voters ? "trusted " : "") + "organisations";
  return c;
}

Result<Check> Evaluator::rule_endorsed(const Decision& d) {
  Check c{.rule = "endorsed"};
  TM_ASSIGN_OR_RETURN(bool t, trusted(d.manufacturer));
  c.ok = t;
  c.detail = "'" + d.manufacturer + "' is " + (t ? "" : "not ") + "trusted from the anchors (" +
             join(policy_.trust_anchors, ", ") + ") through endorsements";
  if (!t) c.missing = "an endorsement of org:" + d.manufacturer + " by a trusted organisation";
  return c;
}

// A co-signature counts when its issuer is trusted by the policy and suits
// the role: "producer" is the manufacturer, "certification_body" holds that
// role now; each role needs its own organisation.
Result<Check> Evaluator::rule_cosigned(const Rule& rule, const Decision& d) {
  Check c{.rule = "cosigned"};
  std::map<std::string, std::vector<const Claim*>> by_role;
  for (const std::string& subject :
       {"device:" + to_hex(d.device_hash), "device:" + to_hex(d.device_key_hash), d.model}) {
    if (subject.empty()) continue;
    TM_ASSIGN_OR_RETURN(const std::vector<Claim>* list, about(subject));
    for (const Claim& cl : *list) {
      if (cl.type != "cosign" || !cl.data.contains("role")) continue;
      TM_ASSIGN_OR_RETURN(bool ok, valid(cl));
      if (!ok) continue;
      const std::string& role = cl.data.at("role");
      if (role == "producer" && cl.issuer != d.manufacturer) continue;
      if (role == "certification_body") {
        TM_ASSIGN_OR_RETURN(auto o, org(cl.issuer));
        TM_ASSIGN_OR_RETURN(bool cb, ledger::org_holds_role(state_, *o, "certification_body", now_.height));
        if (!cb) continue;
      }
      if (cl.issuer != d.manufacturer) {
        TM_ASSIGN_OR_RETURN(bool t, trusted(cl.issuer));
        if (!t) continue;
      }
      by_role[role].push_back(&cl);
    }
  }
  std::set<std::string> used;  // one organisation per role
  std::vector<std::string> have, lack;
  for (const std::string& role : rule.roles) {
    const Claim* pick = nullptr;
    for (const Claim* cl : by_role[role]) {
      if (!used.contains(cl->issuer)) {
        pick = cl;
        break;
      }
    }
    if (!pick) {
      lack.push_back(role);
      continue;
    }
    used.insert(pick->issuer);
    have.push_back(role + " by '" + pick->issuer + "' (#" + std::to_string(pick->id) + ")");
    c.claims.push_back(pick->id);
  }
  c.ok = lack.empty();
  c.detail = "co-signed as " + (have.empty() ? std::string("nobody") : join(have, ", ")) +
             (lack.empty() ? "" : "; no usable co-signature as " + join(lack, ", "));
  if (!c.ok)
    c.missing = "cosign claims with role " + join(lack, ", ") + " from trusted organisations, one each";
  return c;
}

Result<Decision> Evaluator::run(const AdmissionRequest& req) {
  Decision d;
  d.policy = policy_.name;
  d.height = now_.height;
  Check chain;
  TM_TRY(check_chain(req, d, chain));
  d.checks.push_back(chain);
  if (!chain.ok) return d;
  for (const std::string& a : policy_.trust_anchors) {
    TM_ASSIGN_OR_RETURN(auto o, org(a));
    if (!o) d.notes.push_back("trust anchor '" + a + "' is not an organisation on the ledger");
  }

  std::optional<ledger::Release> release;
  if (req.firmware) {
    TM_ASSIGN_OR_RETURN(auto rel, r_.release(*req.firmware));
    if (!rel) {
      d.notes.push_back("firmware " + to_hex(*req.firmware) + " is not a release on the ledger");
    } else if (ledger::model_subject(rel->vid, rel->pid) != d.model) {
      d.notes.push_back("firmware " + to_hex(*req.firmware) + " is a release of " +
                        ledger::model_subject(rel->vid, rel->pid) + ", not of this device's model");
    } else {
      release = rel;
      d.firmware_version = rel->version;
    }
  }
  TM_TRY(check_not_revoked(d, release));
  for (const Rule& rule : policy_.rules) {
    Result<Check> c = make_error(ErrorCode::kInternal, "unhandled rule");
    if (rule.rule == "member_of") c = rule_member_of(rule, d);
    if (rule.rule == "compliance") c = rule_compliance(rule, d, release);
    if (rule.rule == "no_advisory") c = rule_no_advisory(d, release);
    if (rule.rule == "firmware_votes") c = rule_firmware_votes(rule, release);
    if (rule.rule == "endorsed") c = rule_endorsed(d);
    if (rule.rule == "cosigned") c = rule_cosigned(rule, d);
    if (!c.ok()) return c.error();
    d.checks.push_back(std::move(c).value());
  }
  d.admit = std::all_of(d.checks.begin(), d.checks.end(), [](const Check& c) { return c.ok; });
  return d;
}

}  // namespace

Result<Decision> evaluate_admission(const ledger::StateReader& state, const LedgerNow& now,
                                    const Policy& policy, const AdmissionRequest& req) {
  Evaluator e(state, now, policy);
  return e.run(req);
}

std::string explain(const Decision& d) {
  std::string out = std::string(d.admit ? "ADMIT" : "DENY") + " by policy '" + d.policy + "' at height " +
                    std::to_string(d.height) + "\n";
  for (const Check& c : d.checks) {
    out += std::string(c.ok ? "  ok    " : "  FAIL  ") + c.rule + ": " + c.detail + "\n";
    if (!c.ok && !c.missing.empty()) out += "        missing: " + c.missing + "\n";
  }
  for (const std::string& n : d.notes) out += "  note  " + n + "\n";
  return out;
}

}  // namespace trustmesh::trust
