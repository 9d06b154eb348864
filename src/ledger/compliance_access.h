// Typed reads and writes of compliance-ledger records (compliance.h) over
// any StateReader: the op handlers read through an Overlay, the trust layer
// through a node snapshot or a light client's proof-checked reader, with the
// same code and therefore the same answers.
//
// Error line as in access.h: kIo for a storage fault, kInternal for a stored
// entry that does not decode; absence is std::nullopt or an empty list.
#pragma once

#include <optional>
#include <vector>

#include "ledger/compliance.h"
#include "ledger/state.h"

namespace trustmesh::ledger {

class ComplianceReader {
 public:
  explicit ComplianceReader(const StateReader& s) : s_(s) {}

  Result<std::optional<Org>> org(std::string_view id) const;
  Result<std::optional<std::string>> org_by_vendor(uint64_t vid) const;
  Result<std::vector<Hash32>> org_certs(const Org& org) const;  // in the order added
  Result<std::optional<CertRecord>> cert(const Hash32& hash) const;
  Result<uint32_t> certs_named_count(const Hash32& subject_hash) const;
  Result<std::vector<Hash32>> certs_named(const Hash32& subject_hash) const;
  Result<std::optional<CrlRecord>> crl(const Hash32& issuer) const;
  // The ledger certificate `issuer` issued with this serial number (big-endian magnitude).
  Result<std::optional<Hash32>> cert_by_serial(const Hash32& issuer, ByteView serial) const;
  // The certificates `issuer` issued that were revoked on the ledger, in the order revoked.
  Result<std::vector<Hash32>> revoked_children(const Hash32& issuer) const;
  Result<std::optional<Model>> model(uint64_t vid, uint64_t pid) const;
  Result<std::vector<Hash32>> model_releases(const Model& m) const;
  Result<std::optional<Release>> release(const Hash32& sha256) const;
  Result<std::optional<Claim>> claim(uint64_t id) const;
  Result<uint64_t> next_claim_id() const;
  Result<uint32_t> subject_claim_count(std::string_view subject) const;
  // Every claim ever made about `subject` (withdrawn and expired included),
  // oldest first; with `newest`, only the last `newest` of them.
  Result<std::vector<Claim>> claims_about(std::string_view subject, uint32_t newest = UINT32_MAX) const;
  // The changes made to an org or model ("org:<id>", "model:<vid>/<pid>"),
  // oldest first; with `newest`, only the last `newest` of them.
  Result<uint32_t> change_count(std::string_view subject) const;
  Result<std::vector<ChangeEntry>> changes(std::string_view subject, uint32_t newest = UINT32_MAX) const;

 private:
  Result<Hash32> read_hash(const Bytes& key, std::string_view what) const;
  const StateReader& s_;
};

// Whether `org` holds power role `role` at `height`: granted by the trustees,
// or (test_lab, certification_body) by a lab_approval claim valid at that
// height from an org the trustees granted standards_body.
Result<bool> org_holds_role(const StateReader& state, const Org& org, std::string_view role, uint64_t height);

// Writers: each keeps its indexes in step with the record.
void put_org(Overlay& s, const Org& org);
void put_vendor(Overlay& s, uint64_t vid, std::string_view org);
void put_cert(Overlay& s, const Hash32& hash, const CertRecord& c);
// Appends a certificate to its org's list (unless org is null: external CA
// roots belong to no org) and to its subject-name index.
Status index_cert(Overlay& s, Org* org, const Hash32& hash, const Hash32& subject_hash);
void put_crl(Overlay& s, const CrlRecord& c);
// Indexes a certificate with a parent under (parent, serial); kConflict if the
// parent already issued one with that serial, kBadCertificate for a serial over 32 bytes.
Status index_cert_serial(Overlay& s, const Hash32& parent, ByteView serial, const Hash32& hash);
Status index_revoked_child(Overlay& s, const Hash32& parent, const Hash32& hash);
void put_model(Overlay& s, const Model& m);
void put_release(Overlay& s, const Release& r);
void put_model_release(Overlay& s, const Model& m, uint32_t index, const Hash32& sha256);
void put_claim(Overlay& s, const Claim& c);
void put_next_claim_id(Overlay& s, uint64_t id);
Status index_claim(Overlay& s, std::string_view subject, uint64_t id);
// Appends a change to `subject`'s history; `record` is the record after it (hashed into the
// entry). Never fails at the cap (2^20 entries): the history just stops growing.
Status record_change(Overlay& s, std::string_view subject, uint64_t height, const Hash32& tx_hash,
                     std::string op, std::string detail, const cbor::Value& record);

}  // namespace trustmesh::ledger
