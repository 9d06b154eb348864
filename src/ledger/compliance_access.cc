// Typed compliance-record access; see compliance_access.h.
#include "ledger/compliance_access.h"

#include "core/hash.h"
#include "ledger/records.h"
#include "ledger/schema.h"
#include "ledger/state_read.h"

namespace trustmesh::ledger {

namespace {

// Lists are bounded by what one state can hold, but a reader walking one
// must not run away: these are far above any real org or subject.
constexpr uint32_t kMaxListWalk = 1u << 20;
constexpr size_t kMaxSerial = 32;  // RFC 5280 says 20 octets; some CAs exceed it a little

}  // namespace

Result<Hash32> ComplianceReader::read_hash(const Bytes& key, std::string_view what) const {
  auto raw = s_.get(key);
  if (!raw.ok())
    return make_error(ErrorCode::kIo, "reading " + std::string(what) + ": " + raw.error().message);
  if (!raw.value() || raw.value()->size() != 32)
    return make_error(ErrorCode::kInternal, "corrupt state: " + std::string(what) + " missing");
  Hash32 h;
  std::copy(raw.value()->begin(), raw.value()->end(), h.begin());
  return h;
}

Result<std::optional<Org>> ComplianceReader::org(std::string_view id) const {
  if (id.empty() || id.size() > 64) return std::optional<Org>();
  return optional_record<Org>(read_cbor(s_, schema::org_key(id), "org"), "org");
}

Result<std::optional<std::string>> ComplianceReader::org_by_vendor(uint64_t vid) const {
  if (vid == 0 || vid > 0xffff) return std::optional<std::string>();
  TM_ASSIGN_OR_RETURN(auto v, read_cbor(s_, schema::vendor_key(vid), "vendor id"));
  if (!v) return std::optional<std::string>();
  auto t = v->as_text();
  if (!t.ok()) return make_error(ErrorCode::kInternal, "corrupt state: vendor id entry");
  return std::optional<std::string>(std::move(t).value());
}

Result<std::vector<Hash32>> ComplianceReader::org_certs(const Org& org) const {
  std::vector<Hash32> out;
  for (uint32_t i = 0; i < org.cert_count && i < kMaxListWalk; ++i) {
    TM_ASSIGN_OR_RETURN(Hash32 h, read_hash(schema::org_cert_key(org.id, i), "org certificate list"));
    out.push_back(h);
  }
  return out;
}

Result<std::optional<CertRecord>> ComplianceReader::cert(const Hash32& hash) const {
  return optional_record<CertRecord>(read_cbor(s_, schema::cert_key(hash), "certificate"), "certificate");
}

Result<uint32_t> ComplianceReader::certs_named_count(const Hash32& subject_hash) const {
  TM_ASSIGN_OR_RETURN(uint64_t n,
                      read_cbor_uint(s_, schema::cert_name_count_key(subject_hash), "name index", 0));
  return static_cast<uint32_t>(std::min<uint64_t>(n, kMaxListWalk));
}

Result<std::vector<Hash32>> ComplianceReader::certs_named(const Hash32& subject_hash) const {
  TM_ASSIGN_OR_RETURN(uint32_t n, certs_named_count(subject_hash));
  std::vector<Hash32> out;
  for (uint32_t i = 0; i < n; ++i) {
    TM_ASSIGN_OR_RETURN(Hash32 h, read_hash(schema::cert_name_key(subject_hash, i), "name index"));
    out.push_back(h);
  }
  return out;
}

Result<std::optional<CrlRecord>> ComplianceReader::crl(const Hash32& issuer) const {
  return optional_record<CrlRecord>(read_cbor(s_, schema::crl_key(issuer), "CRL"), "CRL");
}

Result<std::optional<Hash32>> ComplianceReader::cert_by_serial(const Hash32& issuer, ByteView serial) const {
  if (serial.empty() || serial.size() > kMaxSerial) return std::optional<Hash32>();
  const Bytes key = schema::cert_serial_key(issuer, serial);
  auto raw = s_.get(key);
  if (!raw.ok()) return make_error(ErrorCode::kIo, "reading the serial index: " + raw.error().message);
  if (!raw.value()) return std::optional<Hash32>();
  TM_ASSIGN_OR_RETURN(Hash32 h, read_hash(key, "serial index"));
  return std::optional<Hash32>(h);
}

Result<std::vector<Hash32>> ComplianceReader::revoked_children(const Hash32& issuer) const {
  TM_ASSIGN_OR_RETURN(uint64_t n,
                      read_cbor_uint(s_, schema::revoked_child_count_key(issuer), "revoked index", 0));
  std::vector<Hash32> out;
  for (uint32_t i = 0; i < std::min<uint64_t>(n, kMaxListWalk); ++i) {
    TM_ASSIGN_OR_RETURN(Hash32 h, read_hash(schema::revoked_child_key(issuer, i), "revoked index"));
    out.push_back(h);
  }
  return out;
}

Result<std::optional<Model>> ComplianceReader::model(uint64_t vid, uint64_t pid) const {
  if (vid == 0 || vid > 0xffff || pid == 0 || pid > 0xffff) return std::optional<Model>();
  return optional_record<Model>(read_cbor(s_, schema::model_key(vid, pid), "model"), "model");
}

Result<std::vector<Hash32>> ComplianceReader::model_releases(const Model& m) const {
  std::vector<Hash32> out;
  for (uint32_t i = 0; i < m.release_count && i < kMaxListWalk; ++i) {
    TM_ASSIGN_OR_RETURN(Hash32 h,
                        read_hash(schema::model_release_key(m.vid, m.pid, i), "model release list"));
    out.push_back(h);
  }
  return out;
}

Result<std::optional<Release>> ComplianceReader::release(const Hash32& sha256) const {
  return optional_record<Release>(read_cbor(s_, schema::release_key(sha256), "release"), "release");
}

Result<std::optional<Claim>> ComplianceReader::claim(uint64_t id) const {
  return optional_record<Claim>(read_cbor(s_, schema::claim_key(id), "claim"), "claim");
}

Result<uint64_t> ComplianceReader::next_claim_id() const {
  return read_cbor_uint(s_, schema::next_claim_key(), "next claim id", 1);
}

Result<uint32_t> ComplianceReader::subject_claim_count(std::string_view subject) const {
  if (subject.empty() || subject.size() > 255) return 0u;
  TM_ASSIGN_OR_RETURN(uint64_t n,
                      read_cbor_uint(s_, schema::subject_claim_count_key(subject), "claim index", 0));
  return static_cast<uint32_t>(std::min<uint64_t>(n, kMaxListWalk));
}

Result<std::vector<Claim>> ComplianceReader::claims_about(std::string_view subject, uint32_t newest) const {
  TM_ASSIGN_OR_RETURN(uint32_t n, subject_claim_count(subject));
  std::vector<Claim> out;
  const uint32_t first = n > newest ? n - newest : 0;
  out.reserve(n - first);
  for (uint32_t i = first; i < n; ++i) {
    TM_ASSIGN_OR_RETURN(uint64_t id,
                        read_cbor_uint(s_, schema::subject_claim_key(subject, i), "claim index", 0));
    TM_ASSIGN_OR_RETURN(auto c, claim(id));
    if (!c)
      return make_error(ErrorCode::kInternal,
                        "corrupt state: claim " + std::to_string(id) + " is indexed but missing");
    out.push_back(std::move(*c));
  }
  return out;
}

Result<uint32_t> ComplianceReader::change_count(std::string_view subject) const {
  if (subject.empty() || subject.size() > 255) return 0u;
  TM_ASSIGN_OR_RETURN(uint64_t n, read_cbor_uint(s_, schema::change_count_key(subject), "history index", 0));
  return static_cast<uint32_t>(std::min<uint64_t>(n, kMaxListWalk));
}

Result<std::vector<ChangeEntry>> ComplianceReader::changes(std::string_view subject, uint32_t newest) const {
  TM_ASSIGN_OR_RETURN(uint32_t n, change_count(subject));
  std::vector<ChangeEntry> out;
  const uint32_t first = n > newest ? n - newest : 0;
  out.reserve(n - first);
  for (uint32_t i = first; i < n; ++i) {
    TM_ASSIGN_OR_RETURN(
        auto e, optional_record<ChangeEntry>(read_cbor(s_, schema::change_key(subject, i), "change entry"),
                                             "change entry"));
    if (!e)
      return make_error(ErrorCode::kInternal, "corrupt state: change " + std::to_string(i) + " of " +
                                                  std::string(subject) + " is missing");
    out.push_back(std::move(*e));
  }
  return out;
}

Result<bool> org_holds_role(const StateReader& state, const Org& org, std::string_view role,
                            uint64_t height) {
  auto it = org.roles.find(std::string(role));
  if (it != org.roles.end() && it->second == "trustees") return true;
  if (role != "test_lab" && role != "certification_body") return false;
  // Else: a valid lab_approval for this role from an org the trustees made a standards body.
  ComplianceReader r(state);
  TM_ASSIGN_OR_RETURN(std::vector<Claim> about, r.claims_about("org:" + org.id));
  for (const Claim& c : about) {
    if (c.type != "lab_approval" || !c.valid_at(height)) continue;
    auto r_it = c.data.find("role");
    if ((r_it == c.data.end() ? std::string("test_lab") : r_it->second) != role) continue;
    TM_ASSIGN_OR_RETURN(auto body, r.org(c.issuer));
    if (!body) continue;
    auto sb = body->roles.find("standards_body");
    if (sb != body->roles.end() && sb->second == "trustees") return true;
  }
  return false;
}

void put_org(Overlay& s, const Org& org) {
  s.put(schema::org_key(org.id), cbor::encode(org.to_cbor()));
}

void put_vendor(Overlay& s, uint64_t vid, std::string_view org) {
  s.put(schema::vendor_key(vid), cbor::encode(cbor::Value::text(std::string(org))));
}

void put_cert(Overlay& s, const Hash32& hash, const CertRecord& c) {
  s.put(schema::cert_key(hash), cbor::encode(c.to_cbor()));
}

Status index_cert(Overlay& s, Org* org, const Hash32& hash, const Hash32& subject_hash) {
  if (org) {
    if (org->cert_count >= kMaxListWalk)
      return make_error(ErrorCode::kTooLarge, "org '" + org->id + "' has the maximum number of certificates");
    s.put(schema::org_cert_key(org->id, org->cert_count), hash);
    org->cert_count += 1;
  }
  ComplianceReader r(s);
  TM_ASSIGN_OR_RETURN(uint32_t n, r.certs_named_count(subject_hash));
  if (n >= kMaxListWalk)
    return make_error(ErrorCode::kTooLarge, "too many certificates with this subject name");
  s.put(schema::cert_name_key(subject_hash, n), hash);
  s.put(schema::cert_name_count_key(subject_hash), cbor::encode(cbor::Value::uint(n + 1)));
  return Status::Ok();
}

void put_crl(Overlay& s, const CrlRecord& c) {
  s.put(schema::crl_key(c.issuer), cbor::encode(c.to_cbor()));
}

Status index_cert_serial(Overlay& s, const Hash32& parent, ByteView serial, const Hash32& hash) {
  if (serial.empty() || serial.size() > kMaxSerial)
    return make_error(ErrorCode::kBadCertificate, "the certificate's serial number is not 1..32 bytes");
  ComplianceReader r(s);
  TM_ASSIGN_OR_RETURN(auto taken, r.cert_by_serial(parent, serial));
  if (taken)
    return make_error(ErrorCode::kConflict, "its issuer already has a certificate with serial number " +
                                                to_hex(serial) + " on the ledger");
  s.put(schema::cert_serial_key(parent, serial), hash);
  return Status::Ok();
}

Status index_revoked_child(Overlay& s, const Hash32& parent, const Hash32& hash) {
  TM_ASSIGN_OR_RETURN(uint64_t n,
                      read_cbor_uint(s, schema::revoked_child_count_key(parent), "revoked index", 0));
  if (n >= kMaxListWalk) return Status::Ok();  // never blocks a revocation; CRL checks see the first 2^20
  s.put(schema::revoked_child_key(parent, static_cast<uint32_t>(n)), hash);
  s.put(schema::revoked_child_count_key(parent), cbor::encode(cbor::Value::uint(n + 1)));
  return Status::Ok();
}

void put_model(Overlay& s, const Model& m) {
  s.put(schema::model_key(m.vid, m.pid), cbor::encode(m.to_cbor()));
}

void put_release(Overlay& s, const Release& r) {
  s.put(schema::release_key(r.sha256), cbor::encode(r.to_cbor()));
}

void put_model_release(Overlay& s, const Model& m, uint32_t index, const Hash32& sha256) {
  s.put(schema::model_release_key(m.vid, m.pid, index), sha256);
}

void put_claim(Overlay& s, const Claim& c) {
  s.put(schema::claim_key(c.id), cbor::encode(c.to_cbor()));
}

void put_next_claim_id(Overlay& s, uint64_t id) {
  s.put(schema::next_claim_key(), cbor::encode(cbor::Value::uint(id)));
}

Status index_claim(Overlay& s, std::string_view subject, uint64_t id) {
  ComplianceReader r(s);
  TM_ASSIGN_OR_RETURN(uint32_t n, r.subject_claim_count(subject));
  if (n >= kMaxListWalk) return make_error(ErrorCode::kTooLarge, "subject has the maximum number of claims");
  s.put(schema::subject_claim_key(subject, n), cbor::encode(cbor::Value::uint(id)));
  s.put(schema::subject_claim_count_key(subject), cbor::encode(cbor::Value::uint(n + 1)));
  return Status::Ok();
}

Status record_change(Overlay& s, std::string_view subject, uint64_t height, const Hash32& tx_hash,
                     std::string op, std::string detail, const cbor::Value& record) {
  ComplianceReader r(s);
  TM_ASSIGN_OR_RETURN(uint32_t n, r.change_count(subject));
  // Past the cap the history stops growing rather than failing the op: a
  // padded history must never block a revocation or a trustee's decision.
  if (n >= kMaxListWalk) return Status::Ok();
  ChangeEntry e{.height = height,
                .tx_hash = tx_hash,
                .op = std::move(op),
                .detail = std::move(detail),
                .digest = sha256(cbor::encode(record))};
  s.put(schema::change_key(subject, n), cbor::encode(e.to_cbor()));
  s.put(schema::change_count_key(subject), cbor::encode(cbor::Value::uint(n + 1)));
  return Status::Ok();
}

}  // namespace trustmesh::ledger
