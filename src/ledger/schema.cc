// State key construction; see schema.h for the layout.
#include "ledger/schema.h"

namespace trustmesh::ledger::schema {

static Bytes prefixed(std::string_view prefix, ByteView rest = {}) {
  Bytes k(prefix.begin(), prefix.end());
  append(k, rest);
  return k;
}

Bytes account_key(const Address& a) {
  return prefixed("a:", a.view());
}
Bytes name_key(std::string_view name) {
  return prefixed("n:", as_bytes(name));
}

Bytes preorder_key(const Hash32& commitment, const Address& owner) {
  Bytes k = prefixed("p:", commitment);
  append(k, owner.view());
  return k;
}

Bytes preorder_expiry_count_key(uint64_t height) {
  Bytes k = prefixed("x#");
  append_u64_be(k, height);
  return k;
}

Bytes preorder_expiry_key(uint64_t height, uint32_t index) {
  Bytes k = prefixed("x:");
  append_u64_be(k, height);
  append_u32_be(k, index);
  return k;
}

Bytes history_key(std::string_view name, uint32_t index) {
  TM_ASSERT(name.size() <= 255);
  Bytes k = prefixed("h:");
  k.push_back(static_cast<uint8_t>(name.size()));
  append(k, as_bytes(name));
  append_u32_be(k, index);
  return k;
}

Bytes chain_id_key() {
  return prefixed("g:chain_id");
}
Bytes params_key() {
  return prefixed("g:params");
}
Bytes supply_key() {
  return prefixed("g:supply");
}
Bytes trustees_key() {
  return prefixed("g:trustees");
}
Bytes validators_key() {
  return prefixed("g:validators");
}

Bytes validators_pending_key() {
  return prefixed("g:validators_pending");
}
Bytes next_proposal_key() {
  return prefixed("g:next_proposal");
}

Bytes proposal_key(uint64_t id) {
  Bytes k = prefixed("g:prop:");
  append_u64_be(k, id);
  return k;
}

Bytes evidence_key(const Address& validator, uint64_t height, uint64_t round, uint8_t type) {
  Bytes k = prefixed("ev:", validator.view());
  append_u64_be(k, height);
  append_u64_be(k, round);
  k.push_back(type);
  return k;
}

static void append_u16_be(Bytes& k, uint64_t v) {
  TM_ASSERT(v <= 0xffff);
  k.push_back(static_cast<uint8_t>(v >> 8));
  k.push_back(static_cast<uint8_t>(v));
}

static void append_short_text(Bytes& k, std::string_view s) {
  TM_ASSERT(s.size() <= 255);
  k.push_back(static_cast<uint8_t>(s.size()));
  append(k, as_bytes(s));
}

Bytes org_key(std::string_view id) {
  return prefixed("o:", as_bytes(id));
}
Bytes vendor_key(uint64_t vid) {
  Bytes k = prefixed("ov:");
  append_u16_be(k, vid);
  return k;
}
Bytes org_cert_key(std::string_view org, uint32_t index) {
  Bytes k = prefixed("oc:");
  append_short_text(k, org);
  append_u32_be(k, index);
  return k;
}
Bytes cert_key(const Hash32& hash) {
  return prefixed("c:", hash);
}
Bytes cert_name_key(const Hash32& subject_hash, uint32_t index) {
  Bytes k = prefixed("cn:", subject_hash);
  append_u32_be(k, index);
  return k;
}
Bytes cert_name_count_key(const Hash32& subject_hash) {
  return prefixed("cn#", subject_hash);
}
Bytes model_key(uint64_t vid, uint64_t pid) {
  Bytes k = prefixed("m:");
  append_u16_be(k, vid);
  append_u16_be(k, pid);
  return k;
}
Bytes model_release_key(uint64_t vid, uint64_t pid, uint32_t index) {
  Bytes k = prefixed("mv:");
  append_u16_be(k, vid);
  append_u16_be(k, pid);
  append_u32_be(k, index);
  return k;
}
Bytes release_key(const Hash32& sha256) {
  return prefixed("r:", sha256);
}
Bytes claim_key(uint64_t id) {
  Bytes k = prefixed("cl:");
  append_u64_be(k, id);
  return k;
}
Bytes next_claim_key() {
  return prefixed("g:next_claim");
}
Bytes subject_claim_key(std::string_view subject, uint32_t index) {
  Bytes k = prefixed("cs:");
  append_short_text(k, subject);
  append_u32_be(k, index);
  return k;
}
Bytes subject_claim_count_key(std::string_view subject) {
  Bytes k = prefixed("cs#");
  append_short_text(k, subject);
  return k;
}
Bytes crl_key(const Hash32& issuer) {
  return prefixed("crl:", issuer);
}
Bytes cert_serial_key(const Hash32& issuer, ByteView serial) {
  Bytes k = prefixed("cq:", issuer);
  k.push_back(static_cast<uint8_t>(serial.size()));
  k.insert(k.end(), serial.begin(), serial.end());
  return k;
}
Bytes revoked_child_key(const Hash32& issuer, uint32_t index) {
  Bytes k = prefixed("cr:", issuer);
  append_u32_be(k, index);
  return k;
}
Bytes revoked_child_count_key(const Hash32& issuer) {
  return prefixed("cr#", issuer);
}
Bytes change_key(std::string_view subject, uint32_t index) {
  Bytes k = prefixed("rh:");
  append_short_text(k, subject);
  append_u32_be(k, index);
  return k;
}
Bytes change_count_key(std::string_view subject) {
  Bytes k = prefixed("rh#");
  append_short_text(k, subject);
  return k;
}

Bytes domain_key(std::string_view id) {
  return prefixed("dm:", as_bytes(id));
}
Bytes domain_subject_key(std::string_view subject) {
  Bytes k = prefixed("ds:");
  append_short_text(k, subject);
  return k;
}
Bytes domain_member_key(std::string_view id, uint32_t index) {
  Bytes k = prefixed("dl:");
  append_short_text(k, id);
  append_u32_be(k, index);
  return k;
}
Bytes domain_member_count_key(std::string_view id) {
  Bytes k = prefixed("dl#");
  append_short_text(k, id);
  return k;
}

}  // namespace trustmesh::ledger::schema
