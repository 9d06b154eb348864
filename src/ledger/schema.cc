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

}  // namespace trustmesh::ledger::schema
