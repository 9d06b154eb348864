// Compliance-ledger records: organisations, their certificates, device
// models, firmware/software releases and claims (DESIGN.md source 2).
//
// Invariants (as for every record, records.h): to_cbor() is the only way
// these are written; from_cbor() is strict. Text maps (a model's label, a
// claim's data) hold at most kMaxTextMapEntries entries with keys of at most
// 32 bytes and values of at most 512 bytes; the op handlers enforce the
// limits and the decoders refuse anything beyond them.
//
// Subjects of claims are text: "org:<id>", "model:<vid>/<pid>" (decimal),
// "release:<sha256 hex>", "cert:<sha256 hex>", "device:<name or cert sha256 hex>".
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/cbor.h"

namespace trustmesh::ledger {

inline constexpr size_t kMaxTextMapEntries = 32;
inline constexpr size_t kMaxTextMapKey = 32;
inline constexpr size_t kMaxTextMapValue = 512;
inline constexpr size_t kMaxOrgRoots = 8;

using TextMap = std::map<std::string, std::string>;
cbor::Value text_map_to_cbor(const TextMap& m);
Result<TextMap> text_map_from_cbor(const cbor::Value& v, std::string_view what);
Status check_text_map(const TextMap& m, std::string_view what);

// Kinds of organisation; is_org_kind() says whether a text is one.
// manufacturer standards_body test_lab certification_body regulator
// integrator software_developer network_operator
bool is_org_kind(std::string_view kind);
// Roles that carry power; granted by trustee quorum or a standards body's lab_approval claim.
// standards_body only by the trustees; test_lab and certification_body also by
// a valid lab_approval from an org that holds standards_body.
bool is_power_role(std::string_view role);  // standards_body | test_lab | certification_body

// What each root's key signs in org.register, proving the registrant holds
// it: "trustmesh/org-root/v1" 0x00 chain_id 0x00 org id 0x00 sender address (20 bytes).
Bytes org_root_message(std::string_view chain_id, std::string_view org_id, const Address& sender);

struct Org {
  std::string id;                     // [a-z0-9-], 2..64
  std::string kind;                   // is_org_kind
  std::string name;                   // for people, <= 128 bytes
  Address admin;                      // the account that acts for the org
  std::optional<uint64_t> vendor_id;  // 1..65535, unique, assigned by the trustees
  std::vector<Hash32> roots;          // root (or sub-CA) certificates, in "c:"
  std::string crl_url;                // published revocation distribution point ("" = none)
  TextMap roles;                      // power roles granted by the trustees: role -> "trustees"
  uint32_t cert_count = 0;            // entries in the org's certificate list
  uint64_t registered_at = 0;
  uint64_t updated_at = 0;

  cbor::Value to_cbor() const;
  static Result<Org> from_cbor(const cbor::Value& v);
  bool operator==(const Org&) const = default;
};

// Levels: "external_root" (a public CA root approved by trustees, org ""),
// "root", "intermediate", "model".
struct CertRecord {
  std::string org;
  std::string level;
  std::optional<Hash32> parent;  // the issuer's certificate; none for self-signed
  Bytes der;
  std::optional<uint64_t> vid;  // model certificates
  std::optional<uint64_t> pid;
  bool revoked = false;
  uint64_t revoked_at = 0;    // height
  uint64_t revoked_time = 0;  // block time (seconds) of that height; 0 = the block carried none
  std::string reason;         // revocation reason, e.g. "keyCompromise"
  uint64_t added_at = 0;
  std::string name;  // device certificates: the device name it was certified for ("" = none)

  cbor::Value to_cbor() const;
  static Result<CertRecord> from_cbor(const cbor::Value& v);
  bool operator==(const CertRecord&) const = default;
};

// The newest CRL one of an org's CA certificates signed ("crl:" issuer hash).
struct CrlRecord {
  std::string org;
  Hash32 issuer{};           // the CA certificate (on the ledger) whose key signed it
  Bytes der;                 // the CRL as signed, served at the distribution point
  uint64_t number = 0;       // cRLNumber: strictly increasing per issuer
  uint64_t this_update = 0;  // seconds
  uint64_t next_update = 0;  // seconds; 0 = none
  uint32_t entries = 0;
  uint64_t published_at = 0;  // height

  cbor::Value to_cbor() const;
  static Result<CrlRecord> from_cbor(const cbor::Value& v);
  bool operator==(const CrlRecord&) const = default;
};

struct Model {
  std::string org;
  uint64_t vid = 0;
  uint64_t pid = 0;
  std::string name;
  TextMap label;  // the "food label": security_features, update_policy, support_until, ...
  uint32_t release_count = 0;
  uint64_t created_at = 0;
  uint64_t updated_at = 0;

  cbor::Value to_cbor() const;
  static Result<Model> from_cbor(const cbor::Value& v);
  bool operator==(const Model&) const = default;
};

struct Release {
  std::string org;
  uint64_t vid = 0;
  uint64_t pid = 0;
  uint64_t version = 0;        // increasing number (Matter's softwareVersion)
  std::string version_string;  // for people
  std::string kind;            // "firmware" | "software" | "code"
  Hash32 sha256{};             // of the image: a code identity with no key of its own
  uint64_t size = 0;
  std::string url;  // where to fetch it
  Bytes signature;  // optional detached signature over the image (may be empty)
  uint64_t published_at = 0;

  cbor::Value to_cbor() const;
  static Result<Release> from_cbor(const cbor::Value& v);
  bool operator==(const Release&) const = default;
};

struct Claim {
  uint64_t id = 0;
  std::string issuer;  // org id
  std::string type;
  std::string subject;
  TextMap data;
  uint64_t issued_at = 0;
  uint64_t expires_at = 0;    // first height at which it no longer holds (0 = never)
  uint64_t withdrawn_at = 0;  // 0 = not withdrawn
  Hash32 tx_hash{};

  bool valid_at(uint64_t height) const {
    return withdrawn_at == 0 && (expires_at == 0 || height < expires_at);
  }
  cbor::Value to_cbor() const;
  static Result<Claim> from_cbor(const cbor::Value& v);
  bool operator==(const Claim&) const = default;
};

// One change to an organisation or a model, kept in order under its subject
// ("org:<id>", "model:<vid>/<pid>") so a record's history can be shown and
// proved: what the op was, what it changed, and the digest of the record
// after it (so an old copy someone shows can be matched to its place).
//   ops: org.register, cert.add, cert.revoke, role.grant, role.revoke,
//        vendor.assign, crl.publish, model.register, model.update, release.publish
struct ChangeEntry {
  uint64_t height = 0;
  Hash32 tx_hash{};
  std::string op;
  std::string detail;  // for people: a certificate hash and level, a role, a version (<= 200 bytes)
  Hash32 digest{};     // SHA-256 of the record's CBOR encoding after the change

  cbor::Value to_cbor() const;
  static Result<ChangeEntry> from_cbor(const cbor::Value& v);
  bool operator==(const ChangeEntry&) const = default;
};

// The claim types the ledger knows and who may issue them:
//   membership, membership_ended, liaison, lab_approval   holders of standards_body; about an org
//   compliance, certification_failed                      holders of test_lab/certification_body; about a
//   model advisory                                              any org; about a model or release
//   ("affected": "a-b") firmware_vote                                         any org; about a release
//   ("vote": good|bad) device_status                                         any org; about a device or cert
//   ("status": in_use|stolen|destroyed|deprecated_code) endorsement, revocation any org; about anything
//   cosign                                                any org; about a device, model or release ("role":
//   producer|integrator|maintainer|certification_body)
bool is_claim_type(std::string_view type);

// Optional fields of these records and of the ops that carry them: absent
// means empty / none; present but empty is kNonCanonical (one encoding only).
Result<std::string> read_opt_text(cbor::MapReader& r, std::string_view key);
Result<std::optional<uint64_t>> read_opt_uint(cbor::MapReader& r, std::string_view key);
Result<TextMap> read_opt_text_map(cbor::MapReader& r, std::string_view key);
Result<Bytes> read_opt_bytes(cbor::MapReader& r, std::string_view key);

// The fields a Release and a release.publish op share (T has them all).
template <typename T>
Status read_release_fields(cbor::MapReader& r, T& x) {
  TM_ASSIGN_OR_RETURN(x.org, r.get_text("org"));
  TM_ASSIGN_OR_RETURN(x.vid, r.get_uint("vid"));
  TM_ASSIGN_OR_RETURN(x.pid, r.get_uint("pid"));
  TM_ASSIGN_OR_RETURN(x.version, r.get_uint("version"));
  TM_ASSIGN_OR_RETURN(x.version_string, r.get_text("version_string"));
  TM_ASSIGN_OR_RETURN(x.kind, r.get_text("kind"));
  TM_ASSIGN_OR_RETURN(Bytes h, r.get_bytes("sha256"));
  if (h.size() != 32) return make_error(ErrorCode::kMalformed, "sha256 must be 32 bytes");
  std::copy(h.begin(), h.end(), x.sha256.begin());
  TM_ASSIGN_OR_RETURN(x.size, r.get_uint("size"));
  TM_ASSIGN_OR_RETURN(x.url, read_opt_text(r, "url"));
  TM_ASSIGN_OR_RETURN(x.signature, read_opt_bytes(r, "signature"));
  return Status::Ok();
}

// Subject syntax (see the file comment). kInvalidArgument says what is wrong.
struct Subject {
  std::string kind;  // org | model | release | cert | device
  std::string id;    // the part after "kind:"
};
Result<Subject> parse_subject(std::string_view s);
std::string model_subject(uint64_t vid, uint64_t pid);
// "<vid>/<pid>" in decimal, each 0..65535 (kInvalidArgument otherwise).
Result<std::pair<uint64_t, uint64_t>> parse_model_id(std::string_view s);

}  // namespace trustmesh::ledger
