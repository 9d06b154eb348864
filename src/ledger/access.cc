// Typed state access; see access.h.
#include "ledger/access.h"

#include "ledger/schema.h"
#include "ledger/state_read.h"

namespace trustmesh::ledger {

Result<std::optional<cbor::Value>> StateAccess::read(const Bytes& key, std::string_view what) {
  return read_cbor(s_, key, what);
}

Result<uint64_t> StateAccess::read_uint(const Bytes& key, std::string_view what, uint64_t absent) {
  return read_cbor_uint(s_, key, what, absent);
}

void StateAccess::write(const Bytes& key, const cbor::Value& v) {
  s_.put(key, cbor::encode(v));
}

Result<Account> StateAccess::account(const Address& a) {
  TM_ASSIGN_OR_RETURN(auto acct,
                      optional_record<Account>(read(schema::account_key(a), "account"), "account"));
  return acct.value_or(Account{});
}

void StateAccess::put_account(const Address& a, const Account& acct) {
  write(schema::account_key(a), acct.to_cbor());
}

Result<std::optional<NameRecord>> StateAccess::name(std::string_view name) {
  return optional_record<NameRecord>(read(schema::name_key(name), "name record"), "name record");
}

void StateAccess::put_name(std::string_view name, const NameRecord& rec) {
  write(schema::name_key(name), rec.to_cbor());
}

Result<std::optional<Preorder>> StateAccess::preorder(const Hash32& commitment, const Address& owner) {
  return optional_record<Preorder>(read(schema::preorder_key(commitment, owner), "preorder"), "preorder");
}

void StateAccess::put_preorder(const Hash32& commitment, const Address& owner, const Preorder& p) {
  write(schema::preorder_key(commitment, owner), p.to_cbor());
}

void StateAccess::erase_preorder(const Hash32& commitment, const Address& owner) {
  s_.erase(schema::preorder_key(commitment, owner));
}

Status StateAccess::add_preorder_expiry(uint64_t height, const Hash32& commitment, const Address& owner) {
  TM_ASSIGN_OR_RETURN(uint64_t n,
                      read_uint(schema::preorder_expiry_count_key(height), "preorder expiry count", 0));
  if (n >= UINT32_MAX) return make_error(ErrorCode::kTooLarge, "too many preorders lapse at one height");
  Bytes entry(commitment.begin(), commitment.end());
  append(entry, owner.view());
  s_.put(schema::preorder_expiry_key(height, static_cast<uint32_t>(n)), entry);
  write(schema::preorder_expiry_count_key(height), cbor::Value::uint(n + 1));
  return Status::Ok();
}

Result<std::vector<std::pair<Hash32, Address>>> StateAccess::take_preorder_expiries(uint64_t height) {
  TM_ASSIGN_OR_RETURN(uint64_t n,
                      read_uint(schema::preorder_expiry_count_key(height), "preorder expiry count", 0));
  std::vector<std::pair<Hash32, Address>> out;
  if (n == 0) return out;
  if (n > UINT32_MAX) return make_error(ErrorCode::kInternal, "corrupt state: preorder expiry count");
  for (uint32_t i = 0; i < n; ++i) {
    Bytes key = schema::preorder_expiry_key(height, i);
    auto raw = s_.get(key);
    if (!raw.ok()) return make_error(ErrorCode::kIo, "reading preorder expiry: " + raw.error().message);
    if (!*raw || (*raw)->size() != 32 + kAddressSize) {
      return make_error(ErrorCode::kInternal, "corrupt state: preorder expiry entry " + std::to_string(i));
    }
    const Bytes& e = **raw;
    Hash32 commitment;
    std::copy(e.begin(), e.begin() + 32, commitment.begin());
    out.emplace_back(commitment, Address::from_bytes(ByteView(e).subspan(32)).value());
    s_.erase(key);
  }
  s_.erase(schema::preorder_expiry_count_key(height));
  return out;
}

Result<std::optional<HistoryEntry>> StateAccess::history(std::string_view name, uint32_t index) {
  return optional_record<HistoryEntry>(read(schema::history_key(name, index), "history entry"),
                                       "history entry");
}

void StateAccess::put_history(std::string_view name, uint32_t index, const HistoryEntry& h) {
  write(schema::history_key(name, index), h.to_cbor());
}

Result<Params> StateAccess::params() {
  TM_ASSIGN_OR_RETURN(auto p, optional_record<Params>(read(schema::params_key(), "params"), "params"));
  if (!p) return make_error(ErrorCode::kInternal, "corrupt state: params missing (was genesis applied?)");
  return *p;
}

void StateAccess::put_params(const Params& p) {
  write(schema::params_key(), p.to_cbor());
}

Result<uint64_t> StateAccess::supply() {
  return read_uint(schema::supply_key(), "supply", 0);
}

void StateAccess::put_supply(uint64_t v) {
  write(schema::supply_key(), cbor::Value::uint(v));
}

Result<std::vector<Address>> StateAccess::trustees() {
  TM_ASSIGN_OR_RETURN(auto v, read(schema::trustees_key(), "trustees"));
  if (!v) return std::vector<Address>{};
  auto t = addresses_from_cbor(*v, "trustees");
  if (!t.ok()) return corrupt_state("trustees", t.error());
  return t;
}

void StateAccess::put_trustees(const std::vector<Address>& t) {
  write(schema::trustees_key(), addresses_to_cbor(t));
}

Result<uint64_t> StateAccess::next_proposal_id() {
  return read_uint(schema::next_proposal_key(), "next proposal id", 1);
}

void StateAccess::put_next_proposal_id(uint64_t id) {
  write(schema::next_proposal_key(), cbor::Value::uint(id));
}

Result<std::optional<Proposal>> StateAccess::proposal(uint64_t id) {
  return optional_record<Proposal>(read(schema::proposal_key(id), "proposal"), "proposal");
}

void StateAccess::put_proposal(const Proposal& p) {
  write(schema::proposal_key(p.id), p.to_cbor());
}

}  // namespace trustmesh::ledger
