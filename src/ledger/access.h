// Typed access to ledger state over an Overlay: reads decode records, writes
// encode them. Keeps the "storage fault vs. bad input" line sharp:
//  * a storage failure is returned as kIo, a stored record that fails to
//    decode as kInternal ("corrupt state"): both are fatal for the block;
//  * absence is never an error here (std::optional / defaults).
#pragma once

#include <optional>

#include "ledger/params.h"
#include "ledger/records.h"
#include "ledger/state.h"

namespace trustmesh::ledger {

// True for errors that mean the node, not the transaction, is broken.
inline bool is_fatal(const Error& e) {
  return e.code == ErrorCode::kIo || e.code == ErrorCode::kInternal;
}

class StateAccess {
 public:
  explicit StateAccess(Overlay& s) : s_(s) {}
  Overlay& overlay() { return s_; }

  Result<Account> account(const Address& a);  // default Account if absent
  void put_account(const Address& a, const Account& acct);

  Result<std::optional<NameRecord>> name(std::string_view name);
  void put_name(std::string_view name, const NameRecord& rec);

  Result<std::optional<Preorder>> preorder(const Hash32& commitment, const Address& owner);
  void put_preorder(const Hash32& commitment, const Address& owner, const Preorder& p);
  void erase_preorder(const Hash32& commitment, const Address& owner);
  // Preorders that lapse at `height`, as (commitment, owner): append one
  // (O(1)), or take all of them and erase the list.
  Status add_preorder_expiry(uint64_t height, const Hash32& commitment, const Address& owner);
  Result<std::vector<std::pair<Hash32, Address>>> take_preorder_expiries(uint64_t height);

  Result<std::optional<HistoryEntry>> history(std::string_view name, uint32_t index);
  void put_history(std::string_view name, uint32_t index, const HistoryEntry& h);

  Result<Params> params();  // kInternal if missing: genesis always writes it
  void put_params(const Params& p);

  Result<uint64_t> supply();
  void put_supply(uint64_t v);

  Result<std::vector<Address>> trustees();
  void put_trustees(const std::vector<Address>& t);

  Result<uint64_t> next_proposal_id();
  void put_next_proposal_id(uint64_t id);
  Result<std::optional<Proposal>> proposal(uint64_t id);
  void put_proposal(const Proposal& p);

 private:
  Result<std::optional<cbor::Value>> read(const Bytes& key, std::string_view what);
  // A CBOR uint entry, or `absent` if there is none.
  Result<uint64_t> read_uint(const Bytes& key, std::string_view what, uint64_t absent);
  void write(const Bytes& key, const cbor::Value& v);
  Overlay& s_;
};

}  // namespace trustmesh::ledger
