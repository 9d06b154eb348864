// Organisations and their certificate hierarchies, models and releases.
//
// Rules kept here:
//  * org.register: a fresh id ([a-z0-9-], 2..64), a known kind; vendor ids
//    come later, assigned by the trustees to a registered org (gov.propose
//    vendor_ids), one each, never moved; every root is a CA certificate that is either
//    self-signed or signed by a public CA root the trustees put on the ledger (a sub-CA), and comes with its
//    key's signature over org_root_message (so nobody can register someone else's root); the sender becomes
//    the org's admin. The kind is what the org says it is; power comes only from roles.
//  * cert.add: an intermediate or model certificate of the sender's org must
//    be a CA certificate signed by an unrevoked root or intermediate of the
//    same org that is on the ledger (vendor-managed: no trustee vote); a model
//    certificate names a registered model of the org's vendor id. A device
//    certificate (what a CA service issued) is a non-CA certificate signed by
//    an unrevoked root, intermediate or model certificate of the org; it is
//    indexed by issuer and serial (OCSP, CRLs), not in the org's list.
//    Serial numbers are unique per issuer.
//  * Vendor and product ids named in certificates (Matter attributes) match
//    the org's vendor id and the model; pathLenConstraint of every CA above a
//    new CA certificate holds, and CA chains are at most 7 deep.
//  * crl.publish: a v2 CRL signed by an unrevoked CA certificate of the
//    sender's org, cRLNumber above the last one that CA published, listing
//    every certificate of that CA revoked on the ledger and none that is not
//    (device serials the ledger does not hold may be listed too).
//  * cert.revoke: by the admin of the certificate's org; final. Trust
//    evaluation refuses every chain through a revoked certificate.
//  * model.register: vendor id = the org's; the same org may re-register to
//    update name and label; a model is never taken over by another org.
//  * release.publish: by the model's org; versions strictly increase; one
//    release per image hash.
//  * Certificates valid at the block time (when the block carries one).
#include <algorithm>

#include "core/x509.h"
#include "core/x509_crl.h"
#include "ledger/compliance_access.h"
#include "ledger/ops.h"

namespace trustmesh::ledger {

namespace {

Error bad_cert(const std::string& why) {
  return make_error(ErrorCode::kBadCertificate, why);
}

Status check_org_id(std::string_view id) {
  bool ok = id.size() >= 2 && id.size() <= 64 && id.front() != '-' && id.back() != '-';
  for (char ch : id) ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-');
  if (!ok)
    return make_error(
        ErrorCode::kInvalidArgument,
        "org id '" + std::string(id) + "' must be 2..64 of a-z, 0-9 and '-' (not at either end)");
  return Status::Ok();
}

Status check_text(std::string_view what, std::string_view v, size_t min, size_t max) {
  if (v.size() < min || v.size() > max)
    return make_error(ErrorCode::kInvalidArgument, std::string(what) + " must be " + std::to_string(min) +
                                                       ".." + std::to_string(max) + " bytes");
  return Status::Ok();
}

Status check_id16(std::string_view what, uint64_t v) {
  if (v == 0 || v > 0xffff)
    return make_error(ErrorCode::kInvalidArgument, std::string(what) + " must be 1..65535");
  return Status::Ok();
}

// The certificate parses, is a CA (or, with `leaf`, is not) and is valid at the block time.
Result<x509::CertFacts> ca_facts(ByteView der, const BlockContext& block, bool leaf = false) {
  auto f = x509::parse_certificate(der);
  if (!f.ok()) return bad_cert(f.error().message);
  if (!f->is_ca && !leaf)
    return bad_cert("certificate '" + f->subject + "' is not a CA certificate (basicConstraints cA)");
  if (f->is_ca && leaf) return bad_cert("device certificate '" + f->subject + "' is a CA certificate");
  if (block.time != 0 &&
      (static_cast<int64_t>(block.time) < f->not_before || static_cast<int64_t>(block.time) > f->not_after))
    return bad_cert("certificate '" + f->subject + "' is not valid at the block time");
  return f;
}

// No certificate on the ledger has the same subject name and key as `f`: a
// CA's name and key say which certificates and CRLs it signed, so two ledger
// records of one CA would let a CRL or revocation cover only one of them.
Status check_new_name_and_key(const ComplianceReader& r, const x509::CertFacts& f) {
  TM_ASSIGN_OR_RETURN(std::vector<Hash32> named, r.certs_named(f.subject_hash));
  for (const Hash32& h : named) {
    TM_ASSIGN_OR_RETURN(auto rec, r.cert(h));
    if (!rec) continue;
    auto other = x509::parse_certificate(rec->der);
    if (other.ok() && other->key_hash == f.key_hash)
      return make_error(ErrorCode::kConflict, "a certificate with the subject '" + f.subject +
                                                  "' and the same key is already on the ledger (" +
                                                  to_hex(h) + ")");
  }
  return Status::Ok();
}

// An unrevoked certificate on the ledger, named like der's issuer, of one of
// `levels` (and of `org` unless it is null) whose key signed der.
Result<std::optional<Hash32>> find_issuer(const ComplianceReader& r, ByteView der, const x509::CertFacts& f,
                                          const std::string* org,
                                          std::initializer_list<std::string_view> levels) {
  TM_ASSIGN_OR_RETURN(std::vector<Hash32> named, r.certs_named(f.issuer_hash));
  for (const Hash32& h : named) {
    TM_ASSIGN_OR_RETURN(auto c, r.cert(h));
    if (!c || c->revoked) continue;
    if (org && c->org != *org) continue;
    if (std::find(levels.begin(), levels.end(), c->level) == levels.end()) continue;
    if (x509::verify_signed_by(der, c->der).ok()) return std::optional<Hash32>(h);
  }
  return std::optional<Hash32>();
}

// The vendor and product ids a certificate names (Matter attributes, x509.h)
// must be the org's and, on a model certificate, the model's.
Status check_named_ids(const x509::CertFacts& f, const Org& org, std::string_view level,
                       std::optional<uint64_t> pid) {
  if (f.vid && f.vid != org.vendor_id)
    return bad_cert("certificate '" + f.subject + "' names vendor id " + std::to_string(*f.vid) + " but '" +
                    org.id + "' holds " +
                    (org.vendor_id ? "vendor id " + std::to_string(*org.vendor_id) : std::string("none")));
  if (f.pid && level != "model" && level != "device")
    return bad_cert("certificate '" + f.subject +
                    "' names a product id; only model and device certificates do");
  if (f.pid && pid && *f.pid != *pid)
    return bad_cert("certificate '" + f.subject + "' names product id " + std::to_string(*f.pid) +
                    ", not the model's " + std::to_string(*pid));
  return Status::Ok();
}

// How far a CRL's thisUpdate may be ahead of the block time (clocks differ).
constexpr int64_t kCrlClockSkew = 600;

// A new certificate under `parent`: every CA above it allows that many CA
// certificates below itself (pathLenConstraint; a leaf does not count), and
// the chain stays within kMaxCaDepth so that walking it is bounded.
constexpr int64_t kMaxCaDepth = 7;
Status check_path_len(const ComplianceReader& r, const Hash32& parent, bool leaf = false) {
  std::optional<Hash32> at = parent;
  for (int64_t d = leaf ? 0 : 1; at; ++d) {
    if (d > kMaxCaDepth)
      return bad_cert("the certificate would be more than " + std::to_string(kMaxCaDepth) +
                      " CA certificates deep");
    TM_ASSIGN_OR_RETURN(auto above, r.cert(*at));
    if (!above) return make_error(ErrorCode::kInternal, "corrupt state: a parent certificate is missing");
    auto f = x509::parse_certificate(above->der);
    if (!f.ok()) return make_error(ErrorCode::kInternal, "corrupt state: " + f.error().message);
    if (f->path_len >= 0 && f->path_len < d)
      return bad_cert("'" + f->subject + "' allows " + std::to_string(f->path_len) +
                      " CA certificate(s) below it (pathLenConstraint)");
    at = above->parent;
  }
  return Status::Ok();
}

// Appends to the history of an org or a model (ChangeEntry) with the record as it now is.
Status log_org(StateAccess& s, const OpContext& c, const Org& org, std::string op, std::string detail) {
  return record_change(s.overlay(), "org:" + org.id, c.block.height, c.tx_hash, std::move(op),
                       std::move(detail), org.to_cbor());
}
Status log_model(StateAccess& s, const OpContext& c, const Model& m, std::string op, std::string detail) {
  return record_change(s.overlay(), model_subject(m.vid, m.pid), c.block.height, c.tx_hash, std::move(op),
                       std::move(detail), m.to_cbor());
}

}  // namespace

Result<Org> load_admin_org(StateAccess& s, const OpContext& c, std::string_view id) {
  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(auto org, r.org(id));
  if (!org) return make_error(ErrorCode::kOrgNotFound, "no organisation '" + std::string(id) + "'");
  if (org->admin != c.sender)
    return make_error(ErrorCode::kNotOrgAdmin,
                      c.sender.to_string() + " does not act for '" + std::string(id) + "'");
  return std::move(*org);
}

Status apply_org_register(StateAccess& s, OpContext& c, const op::OrgRegister& o) {
  TM_TRY(check_org_id(o.id));
  if (!is_org_kind(o.kind))
    return make_error(
        ErrorCode::kInvalidArgument,
        "kind '" + o.kind +
            "' is not one of manufacturer, standards_body, test_lab, certification_body, regulator, "
            "integrator, software_developer, network_operator");
  TM_TRY(check_text("name", o.name, 1, 128));
  TM_TRY(check_text("crl_url", o.crl_url, 0, 256));
  if (o.roots.empty() || o.roots.size() > kMaxOrgRoots)
    return make_error(ErrorCode::kInvalidArgument, "an organisation registers 1..8 root certificates");
  if (o.root_sigs.size() != o.roots.size())
    return make_error(ErrorCode::kInvalidArgument, "each root needs its key's signature (root_sigs)");
  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(auto existing, r.org(o.id));
  if (existing) return make_error(ErrorCode::kOrgExists, "organisation '" + o.id + "' is already registered");
  Org org;
  org.id = o.id;
  org.kind = o.kind;
  org.name = o.name;
  org.admin = c.sender;
  org.crl_url = o.crl_url;
  org.registered_at = org.updated_at = c.block.height;
  const Bytes pop = org_root_message(c.block.chain_id, o.id, c.sender);
  for (size_t i = 0; i < o.roots.size(); ++i) {
    const Bytes& der = o.roots[i];
    TM_ASSIGN_OR_RETURN(x509::CertFacts f, ca_facts(der, c.block));
    if (!x509::verify_by_cert_key(der, pop, o.root_sigs[i]).ok())
      return make_error(ErrorCode::kBadSignature,
                        "root '" + f.subject +
                            "': the signature in root_sigs is not by its key over this "
                            "org id, chain and sender; only the holder of a root's key "
                            "may register it");
    TM_ASSIGN_OR_RETURN(auto known, r.cert(f.hash));
    if (known)
      return make_error(ErrorCode::kConflict, "certificate '" + f.subject + "' is already on the ledger");
    TM_TRY(check_new_name_and_key(r, f));
    // A root may name a vendor id (as Matter roots do); it is checked when
    // the trustees assign one. It names no product.
    if (f.pid)
      return bad_cert("root '" + f.subject + "' names a product id; only model and device certificates do");
    if (f.vid) {
      TM_ASSIGN_OR_RETURN(auto holder, r.org_by_vendor(*f.vid));
      if (holder && *holder != o.id)
        return bad_cert("root '" + f.subject + "' names vendor id " + std::to_string(*f.vid) + ", held by '" +
                        *holder + "'");
    }
    CertRecord rec{.org = o.id, .level = "root", .der = der, .added_at = c.block.height};
    if (!(f.self_issued() && x509::verify_signed_by(der, der).ok())) {
      // A sub-CA of a public CA: its issuer must be a CA root the trustees approved.
      TM_ASSIGN_OR_RETURN(auto parent, find_issuer(r, der, f, nullptr, {"external_root"}));
      if (!parent)
        return bad_cert("root '" + f.subject +
                        "' is neither self-signed nor signed by a CA root on the ledger (issuer '" +
                        f.issuer + "')");
      TM_TRY(check_path_len(r, *parent));
      TM_TRY(index_cert_serial(s.overlay(), *parent, f.serial, f.hash));
      rec.parent = *parent;
    }
    if (std::find(org.roots.begin(), org.roots.end(), f.hash) != org.roots.end())
      return make_error(ErrorCode::kInvalidArgument, "the same root is listed twice");
    org.roots.push_back(f.hash);
    put_cert(s.overlay(), f.hash, rec);
    TM_TRY(index_cert(s.overlay(), &org, f.hash, f.subject_hash));
  }
  put_org(s.overlay(), org);
  return log_org(s, c, org, "org.register", org.kind + ", " + std::to_string(org.roots.size()) + " root(s)");
}

Status apply_cert_add(StateAccess& s, OpContext& c, const op::CertAdd& o) {
  TM_ASSIGN_OR_RETURN(Org org, load_admin_org(s, c, o.org));
  ComplianceReader r(s.overlay());
  if (o.level != "intermediate" && o.level != "model" && o.level != "device")
    return make_error(ErrorCode::kInvalidArgument, "level must be intermediate, model or device");
  const bool device = o.level == "device";
  if (o.level == "model") {
    if (!o.vid || !o.pid)
      return make_error(ErrorCode::kInvalidArgument, "a model certificate needs vid and pid");
    if (org.vendor_id != o.vid)
      return make_error(ErrorCode::kMissingRole,
                        "'" + org.id + "' does not hold vendor id " + std::to_string(*o.vid));
    TM_ASSIGN_OR_RETURN(auto model, r.model(*o.vid, *o.pid));
    if (!model) return make_error(ErrorCode::kModelNotFound, "no model " + model_subject(*o.vid, *o.pid));
  } else if (o.vid || o.pid) {
    return make_error(ErrorCode::kInvalidArgument, "vid and pid belong on model certificates only");
  }
  if (o.name && !device)
    return make_error(ErrorCode::kInvalidArgument, "a device name belongs on device certificates only");
  TM_ASSIGN_OR_RETURN(x509::CertFacts f, ca_facts(o.der, c.block, device));
  TM_TRY(check_named_ids(f, org, o.level, o.pid));
  if (o.name && f.cn != *o.name)
    return bad_cert("a certificate certified for '" + *o.name + "' must have it as its commonName, not '" +
                    f.cn + "'");
  TM_ASSIGN_OR_RETURN(auto known, r.cert(f.hash));
  if (known)
    return make_error(ErrorCode::kConflict, "certificate '" + f.subject + "' is already on the ledger");
  if (!device) TM_TRY(check_new_name_and_key(r, f));
  TM_ASSIGN_OR_RETURN(auto parent, device
                                       ? find_issuer(r, o.der, f, &org.id, {"root", "intermediate", "model"})
                                       : find_issuer(r, o.der, f, &org.id, {"root", "intermediate"}));
  if (!parent)
    return bad_cert("certificate '" + f.subject + "' is not signed by an unrevoked " +
                    (device ? "root, intermediate or model certificate" : "root or intermediate") + " of '" +
                    org.id + "' on the ledger (issuer '" + f.issuer + "')");
  TM_TRY(check_path_len(r, *parent, device));
  if (device && f.pid) {  // a device's product is its model's
    TM_ASSIGN_OR_RETURN(auto above, r.cert(*parent));
    if (!above || above->level != "model" || above->pid != f.pid)
      return bad_cert("device certificate '" + f.subject + "' names product id " + std::to_string(*f.pid) +
                      (above && above->level == "model" && above->pid
                           ? " but its model certificate is product " + std::to_string(*above->pid)
                           : " but is not issued by a model certificate"));
  }
  TM_TRY(index_cert_serial(s.overlay(), *parent, f.serial, f.hash));
  CertRecord rec{.org = org.id,
                 .level = o.level,
                 .parent = *parent,
                 .der = o.der,
                 .vid = o.vid,
                 .pid = o.pid,
                 .added_at = c.block.height,
                 .name = o.name.value_or("")};
  put_cert(s.overlay(), f.hash, rec);
  // Device certificates issue nothing: they stay out of the org's list and the
  // issuer-name index (an org may record many), found by hash and serial.
  if (device) return o.name ? certify_name(s, c, *o.name, f.hash) : Status::Ok();
  TM_TRY(index_cert(s.overlay(), &org, f.hash, f.subject_hash));
  org.updated_at = c.block.height;
  put_org(s.overlay(), org);
  return log_org(s, c, org, "cert.add", o.level + " " + to_hex(f.hash));
}

Status apply_cert_revoke(StateAccess& s, OpContext& c, const op::CertRevoke& o) {
  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(auto cert, r.cert(o.cert));
  if (!cert)
    return make_error(ErrorCode::kCertNotFound, "no certificate " + to_hex(o.cert) + " on the ledger");
  if (cert->org.empty())
    return make_error(ErrorCode::kNotOrgAdmin,
                      "a public CA root is removed by trustee proposal, not revoked");
  TM_TRY(load_admin_org(s, c, cert->org));
  if (cert->revoked)
    return make_error(ErrorCode::kCertRevoked, "certificate " + to_hex(o.cert) + " is already revoked");
  if (!x509::is_final_revocation_reason(o.reason))
    return make_error(
        ErrorCode::kInvalidArgument,
        "reason '" + o.reason +
            "' is not one of unspecified, keyCompromise, cACompromise, affiliationChanged, "
            "superseded, cessationOfOperation, privilegeWithdrawn, aACompromise (revocation is final)");
  return revoke_cert_record(s, c, o.cert, std::move(*cert), o.reason);
}

Status revoke_cert_record(StateAccess& s, OpContext& c, const Hash32& hash, CertRecord cert,
                          std::string_view reason) {
  if (cert.revoked || cert.org.empty())
    return make_error(ErrorCode::kInternal, "revoke_cert_record: " + to_hex(hash) + " is not revocable");
  TM_ASSIGN_OR_RETURN(auto org, ComplianceReader(s.overlay()).org(cert.org));
  if (!org) return make_error(ErrorCode::kInternal, "certificate of an unknown org '" + cert.org + "'");
  cert.revoked = true;
  cert.revoked_at = c.block.height;
  cert.revoked_time = c.block.time;
  cert.reason = std::string(reason);
  put_cert(s.overlay(), hash, cert);
  if (cert.parent) TM_TRY(index_revoked_child(s.overlay(), *cert.parent, hash));
  org->updated_at = c.block.height;
  put_org(s.overlay(), *org);
  return log_org(s, c, *org, "cert.revoke",
                 cert.level + " " + to_hex(hash) + (reason.empty() ? "" : " (" + std::string(reason) + ")"));
}

Status apply_crl_publish(StateAccess& s, OpContext& c, const op::CrlPublish& o) {
  TM_ASSIGN_OR_RETURN(Org org, load_admin_org(s, c, o.org));
  auto parsed = x509::parse_crl(o.der);
  if (!parsed.ok()) return make_error(ErrorCode::kBadCrl, parsed.error().message);
  const x509::CrlFacts& f = *parsed;
  ComplianceReader r(s.overlay());
  std::optional<Hash32> issuer;
  TM_ASSIGN_OR_RETURN(std::vector<Hash32> named, r.certs_named(f.issuer_hash));
  for (const Hash32& h : named) {
    TM_ASSIGN_OR_RETURN(auto rec, r.cert(h));
    if (!rec || rec->revoked || rec->org != org.id || rec->level == "external_root") continue;
    if (x509::verify_crl_signed_by(o.der, rec->der).ok()) {
      issuer = h;
      break;
    }
  }
  if (!issuer)
    return make_error(ErrorCode::kBadCrl, "no unrevoked CA certificate of '" + org.id +
                                              "' on the ledger signed this CRL (issuer '" + f.issuer + "')");
  if (f.next_update != 0 && f.next_update <= f.this_update)
    return make_error(ErrorCode::kBadCrl, "nextUpdate is not after thisUpdate");
  if (c.block.time != 0 && f.this_update > static_cast<int64_t>(c.block.time) + kCrlClockSkew)
    return make_error(ErrorCode::kBadCrl, "thisUpdate is after the block time");
  TM_ASSIGN_OR_RETURN(auto previous, r.crl(*issuer));
  if (previous &&
      (f.number <= previous->number || f.this_update < static_cast<int64_t>(previous->this_update)))
    return make_error(ErrorCode::kBadCrl, "cRLNumber " + std::to_string(f.number) +
                                              " (or thisUpdate) is not above the published CRL's " +
                                              std::to_string(previous->number));
  // The CRL says what the ledger says about the certificates this CA issued on it:
  // every one revoked there is listed, and none listed is unrevoked there.
  TM_ASSIGN_OR_RETURN(std::vector<Hash32> revoked, r.revoked_children(*issuer));
  for (const Hash32& h : revoked) {
    TM_ASSIGN_OR_RETURN(auto rec, r.cert(h));
    if (!rec)
      return make_error(ErrorCode::kInternal, "corrupt state: revoked certificate " + to_hex(h) + " missing");
    auto child = x509::parse_certificate(rec->der);
    if (!child.ok()) return make_error(ErrorCode::kInternal, "corrupt state: " + child.error().message);
    if (!std::binary_search(f.serials.begin(), f.serials.end(), child->serial))
      return make_error(ErrorCode::kBadCrl, "the CRL leaves out '" + child->subject +
                                                "', revoked on the ledger at height " +
                                                std::to_string(rec->revoked_at));
  }
  for (const Bytes& serial : f.serials) {
    TM_ASSIGN_OR_RETURN(auto h, r.cert_by_serial(*issuer, serial));
    if (!h) continue;  // not on the ledger (e.g. a device certificate issued elsewhere)
    TM_ASSIGN_OR_RETURN(auto rec, r.cert(*h));
    if (rec && !rec->revoked)
      return make_error(ErrorCode::kBadCrl,
                        "the CRL lists serial " + to_hex(serial) + " (certificate " + to_hex(*h) +
                            "), which is not revoked on the ledger; revoke it there first "
                            "(trustmesh cert revoke)");
  }
  CrlRecord rec{.org = org.id,
                .issuer = *issuer,
                .der = o.der,
                .number = f.number,
                .this_update = static_cast<uint64_t>(std::max<int64_t>(f.this_update, 0)),
                .next_update = static_cast<uint64_t>(std::max<int64_t>(f.next_update, 0)),
                .entries = static_cast<uint32_t>(f.serials.size()),
                .published_at = c.block.height};
  put_crl(s.overlay(), rec);
  org.updated_at = c.block.height;
  put_org(s.overlay(), org);
  return log_org(s, c, org, "crl.publish",
                 "number " + std::to_string(f.number) + " by " + to_hex(*issuer) + ", " +
                     std::to_string(f.serials.size()) + " entries");
}

Status apply_model_register(StateAccess& s, OpContext& c, const op::ModelRegister& o) {
  TM_ASSIGN_OR_RETURN(Org org, load_admin_org(s, c, o.org));
  TM_TRY(check_id16("vid", o.vid));
  TM_TRY(check_id16("pid", o.pid));
  TM_TRY(check_text("name", o.name, 1, 128));
  TM_TRY(check_text_map(o.label, "label"));
  if (org.vendor_id != o.vid)
    return make_error(ErrorCode::kMissingRole,
                      "'" + org.id + "' does not hold vendor id " + std::to_string(o.vid));
  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(auto existing, r.model(o.vid, o.pid));
  Model m = existing.value_or(Model{.org = org.id, .vid = o.vid, .pid = o.pid, .created_at = c.block.height});
  if (m.org != org.id)
    return make_error(ErrorCode::kConflict, model_subject(o.vid, o.pid) + " belongs to '" + m.org + "'");
  m.name = o.name;
  m.label = o.label;
  m.updated_at = c.block.height;
  put_model(s.overlay(), m);
  return log_model(s, c, m, existing ? "model.update" : "model.register",
                   "'" + m.name + "', " + std::to_string(m.label.size()) + " label field(s)");
}

Status apply_release_publish(StateAccess& s, OpContext& c, const op::ReleasePublish& o) {
  TM_ASSIGN_OR_RETURN(Org org, load_admin_org(s, c, o.org));
  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(auto model, r.model(o.vid, o.pid));
  if (!model) return make_error(ErrorCode::kModelNotFound, "no model " + model_subject(o.vid, o.pid));
  if (model->org != org.id)
    return make_error(ErrorCode::kNotOrgAdmin,
                      model_subject(o.vid, o.pid) + " belongs to '" + model->org + "'");
  if (o.kind != "firmware" && o.kind != "software" && o.kind != "code")
    return make_error(ErrorCode::kInvalidArgument, "kind must be firmware, software or code");
  TM_TRY(check_text("version_string", o.version_string, 1, 64));
  TM_TRY(check_text("url", o.url, 0, 512));
  if (o.size == 0) return make_error(ErrorCode::kInvalidArgument, "size must be at least 1 byte");
  if (o.signature.size() > 512) return make_error(ErrorCode::kValueTooLarge, "signature is over 512 bytes");
  TM_ASSIGN_OR_RETURN(auto same, r.release(o.sha256));
  if (same)
    return make_error(ErrorCode::kReleaseExists, "a release with image hash " + to_hex(o.sha256) + " exists");
  if (model->release_count > 0) {
    TM_ASSIGN_OR_RETURN(std::vector<Hash32> all, r.model_releases(*model));
    TM_ASSIGN_OR_RETURN(auto last, r.release(all.back()));
    if (last && o.version <= last->version)
      return make_error(ErrorCode::kReleaseExists, "version " + std::to_string(o.version) +
                                                       " is not above the latest release's " +
                                                       std::to_string(last->version));
  }
  if (model->release_count == UINT32_MAX) return make_error(ErrorCode::kTooLarge, "too many releases");
  Release rel{.org = org.id,
              .vid = o.vid,
              .pid = o.pid,
              .version = o.version,
              .version_string = o.version_string,
              .kind = o.kind,
              .sha256 = o.sha256,
              .size = o.size,
              .url = o.url,
              .signature = o.signature,
              .published_at = c.block.height};
  put_release(s.overlay(), rel);
  put_model_release(s.overlay(), *model, model->release_count, o.sha256);
  model->release_count += 1;
  model->updated_at = c.block.height;
  put_model(s.overlay(), *model);
  return log_model(
      s, c, *model, "release.publish",
      o.kind + " " + std::to_string(o.version) + " (" + o.version_string + ") " + to_hex(o.sha256));
}

Status check_role_grants(StateAccess& s, const std::vector<RoleGrant>& grants) {
  ComplianceReader r(s.overlay());
  for (const RoleGrant& g : grants) {
    if (!is_power_role(g.role))
      return make_error(ErrorCode::kBadParams,
                        "role '" + g.role + "' is not standards_body, test_lab or certification_body");
    TM_ASSIGN_OR_RETURN(auto org, r.org(g.org));
    if (!org) return make_error(ErrorCode::kOrgNotFound, "no organisation '" + g.org + "'");
  }
  return Status::Ok();
}

Status apply_role_grants(StateAccess& s, const OpContext& c, const std::vector<RoleGrant>& grants) {
  TM_TRY(check_role_grants(s, grants));
  ComplianceReader r(s.overlay());
  for (const RoleGrant& g : grants) {
    TM_ASSIGN_OR_RETURN(auto org, r.org(g.org));
    if (g.revoke) {
      org->roles.erase(g.role);
    } else {
      org->roles[g.role] = "trustees";
    }
    org->updated_at = c.block.height;
    put_org(s.overlay(), *org);
    TM_TRY(log_org(s, c, *org, g.revoke ? "role.revoke" : "role.grant", g.role + " by the trustees"));
  }
  return Status::Ok();
}

Status check_ca_roots(StateAccess& s, const std::vector<Bytes>& roots) {
  ComplianceReader r(s.overlay());
  for (size_t i = 0; i < roots.size(); ++i) {
    const Bytes& der = roots[i];
    if (std::find(roots.begin(), roots.begin() + static_cast<long>(i), der) !=
        roots.begin() + static_cast<long>(i))
      return make_error(ErrorCode::kBadParams, "a CA root is listed twice");
    auto f = x509::parse_certificate(der);
    if (!f.ok()) return make_error(ErrorCode::kBadParams, "CA root: " + f.error().message);
    if (!f->is_ca || !f->self_issued() || !x509::verify_signed_by(der, der).ok())
      return make_error(ErrorCode::kBadParams,
                        "CA root '" + f->subject + "' is not a self-signed CA certificate");
    TM_ASSIGN_OR_RETURN(auto known, r.cert(f->hash));
    if (known)
      return make_error(ErrorCode::kBadParams, "CA root '" + f->subject + "' is already on the ledger");
  }
  return Status::Ok();
}

Status add_ca_roots(StateAccess& s, const OpContext& c, const std::vector<Bytes>& roots) {
  TM_TRY(check_ca_roots(s, roots));
  for (const Bytes& der : roots) {
    auto f = x509::parse_certificate(der);
    put_cert(s.overlay(), f->hash,
             CertRecord{.level = "external_root", .der = der, .added_at = c.block.height});
    TM_TRY(index_cert(s.overlay(), nullptr, f->hash, f->subject_hash));
  }
  return Status::Ok();
}

Status check_vendor_grants(StateAccess& s, const std::vector<VendorGrant>& grants) {
  ComplianceReader r(s.overlay());
  for (size_t i = 0; i < grants.size(); ++i) {
    const VendorGrant& g = grants[i];
    auto vid_ok = check_id16("vendor id", g.vid);
    if (!vid_ok.ok()) return make_error(ErrorCode::kBadParams, vid_ok.error().message);
    for (size_t j = 0; j < i; ++j)
      if (grants[j].vid == g.vid || grants[j].org == g.org)
        return make_error(ErrorCode::kBadParams, "a vendor id or org is listed twice");
    // Only a registered org (whose admin key the trustees can see) gets one,
    // so nobody can take an id string that a vendor id waits for.
    TM_ASSIGN_OR_RETURN(auto org, r.org(g.org));
    if (!org)
      return make_error(
          ErrorCode::kOrgNotFound,
          "no organisation '" + g.org + "': it registers first, then the trustees assign its vendor id");
    if (org->vendor_id)
      return make_error(ErrorCode::kBadParams,
                        "'" + g.org + "' already holds vendor id " + std::to_string(*org->vendor_id));
    TM_ASSIGN_OR_RETURN(auto holder, r.org_by_vendor(g.vid));
    if (holder)
      return make_error(ErrorCode::kBadParams,
                        "vendor id " + std::to_string(g.vid) + " is held by '" + *holder + "'");
    // Certificates that already name a vendor id must name this one.
    TM_ASSIGN_OR_RETURN(std::vector<Hash32> certs, r.org_certs(*org));
    for (const Hash32& h : certs) {
      TM_ASSIGN_OR_RETURN(auto rec, r.cert(h));
      if (!rec) continue;
      auto f = x509::parse_certificate(rec->der);
      if (f.ok() && f->vid && *f->vid != g.vid)
        return make_error(ErrorCode::kBadParams, "'" + g.org + "' has certificate '" + f->subject +
                                                     "' naming vendor id " + std::to_string(*f->vid));
    }
  }
  return Status::Ok();
}

Status assign_vendor_ids(StateAccess& s, const OpContext& c, const std::vector<VendorGrant>& grants) {
  TM_TRY(check_vendor_grants(s, grants));
  ComplianceReader r(s.overlay());
  for (const VendorGrant& g : grants) {
    put_vendor(s.overlay(), g.vid, g.org);
    TM_ASSIGN_OR_RETURN(auto org, r.org(g.org));
    org->vendor_id = g.vid;
    org->updated_at = c.block.height;
    put_org(s.overlay(), *org);
    TM_TRY(log_org(s, c, *org, "vendor.assign", "vendor id " + std::to_string(g.vid) + " by the trustees"));
  }
  return Status::Ok();
}

}  // namespace trustmesh::ledger
