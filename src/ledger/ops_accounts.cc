// Account operations: send, and the burn primitive used by fees.
// Invariant: sum of all balances == g:supply after every operation.
#include "ledger/ops.h"

namespace trustmesh::ledger {

Status burn_from(StateAccess& s, const Address& who, uint64_t amount) {
  TM_ASSIGN_OR_RETURN(Account acct, s.account(who));
  if (acct.balance < amount) {
    return make_error(ErrorCode::kInsufficientFunds,
                      "balance " + std::to_string(acct.balance) + " cannot pay " + std::to_string(amount));
  }
  acct.balance -= amount;
  s.put_account(who, acct);
  return reduce_supply(s, amount);
}

Status reduce_supply(StateAccess& s, uint64_t amount) {
  TM_ASSIGN_OR_RETURN(uint64_t supply, s.supply());
  TM_ASSERT(supply >= amount);  // supply == sum of balances >= any one balance
  s.put_supply(supply - amount);
  return Status::Ok();
}

Status apply_send(StateAccess& s, OpContext& c, const op::Send& o) {
  if (o.to == c.sender) return make_error(ErrorCode::kSelfTransfer, "cannot send to yourself");
  TM_ASSIGN_OR_RETURN(Account from, s.account(c.sender));
  if (from.balance < o.amount) {
    return make_error(ErrorCode::kInsufficientFunds,
                      "balance " + std::to_string(from.balance) + " cannot send " + std::to_string(o.amount));
  }
  TM_ASSIGN_OR_RETURN(Account to, s.account(o.to));
  if (to.balance > UINT64_MAX - o.amount)
    return make_error(ErrorCode::kAmountOverflow, "recipient balance overflows");
  from.balance -= o.amount;
  to.balance += o.amount;
  s.put_account(c.sender, from);
  s.put_account(o.to, to);
  return Status::Ok();
}

}  // namespace trustmesh::ledger
