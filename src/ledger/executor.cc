// Transaction admission and block execution; see executor.h for the outcome
// rules (rejected / failed / ok) and the purity contract.
#include "ledger/executor.h"

#include "core/hash.h"
#include "ledger/access.h"
#include "ledger/ops.h"
#include "ledger/validators.h"

namespace trustmesh::ledger {

std::string_view tx_outcome_name(TxOutcome o) {
  switch (o) {
    case TxOutcome::kOk: return "ok";
    case TxOutcome::kFailed: return "failed";
    case TxOutcome::kRejected: return "rejected";
  }
  return "unknown";
}

cbor::Value TxResult::to_cbor() const {
  using cbor::Value;
  return Value::map({
      {Value::text("tx"), Value::bytes(tx_hash)},
      {Value::text("outcome"), Value::text(std::string(tx_outcome_name(outcome)))},
      {Value::text("code"), Value::uint(static_cast<uint64_t>(code))},
      {Value::text("message"), Value::text(message)},
      {Value::text("burned"), Value::uint(burned)},
  });
}

Result<TxResult> TxResult::from_cbor(const cbor::Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, cbor::MapReader::of(v, "tx result"));
  TxResult t;
  TM_ASSIGN_OR_RETURN(t.tx_hash, read_hash32(r, "tx"));
  TM_ASSIGN_OR_RETURN(std::string outcome, r.get_text("outcome"));
  if (outcome == "ok") {
    t.outcome = TxOutcome::kOk;
  } else if (outcome == "failed") {
    t.outcome = TxOutcome::kFailed;
  } else if (outcome == "rejected") {
    t.outcome = TxOutcome::kRejected;
  } else {
    return make_error(ErrorCode::kMalformed, "tx result: unknown outcome '" + outcome + "'");
  }
  TM_ASSIGN_OR_RETURN(uint64_t code, r.get_uint("code"));
  if (code > 0xffff) return make_error(ErrorCode::kMalformed, "tx result: code out of range");
  t.code = static_cast<ErrorCode>(code);
  TM_ASSIGN_OR_RETURN(t.message, r.get_text("message"));
  TM_ASSIGN_OR_RETURN(t.burned, r.get_uint("burned"));
  TM_TRY(r.finish());
  return t;
}

namespace {

struct Admitted {
  Tx tx;
  Address sender;
  Account account;
  Params params;
};

// Evidence of equivocation may be free: whoever saw it (a validator key with
// no funds, typically) must be able to put it on the ledger.
uint64_t min_fee_of(const Tx& tx, const Params& params) {
  return std::holds_alternative<op::Evidence>(tx.op) ? 0 : params.min_tx_fee;
}

// Admission checks shared by check_tx and execute_tx. Errors here are
// rejections (kIo/kInternal excepted: those are fatal).
Result<Admitted> admit(StateAccess& s, const std::string& chain_id, ByteView tx_bytes,
                       const Hash32* tx_hash = nullptr) {
  TM_ASSIGN_OR_RETURN(Params params, s.params());
  TM_ASSIGN_OR_RETURN(Tx tx, decode_tx(tx_bytes, params.max_tx_bytes));
  if (tx.chain_id != chain_id) {
    return make_error(ErrorCode::kWrongChain,
                      "transaction is for chain '" + tx.chain_id + "', this chain is '" + chain_id + "'");
  }
  Address sender = tx.sender_address();
  TM_ASSIGN_OR_RETURN(Account acct, s.account(sender));
  if (tx.seq != acct.seq) {
    return make_error(ErrorCode::kBadSequence, "sequence " + std::to_string(tx.seq) + " but account " +
                                                   sender.to_string() + " expects " +
                                                   std::to_string(acct.seq));
  }
  if (tx.fee < min_fee_of(tx, params)) {
    return make_error(ErrorCode::kFeeTooLow, "fee " + std::to_string(tx.fee) + " is below the minimum " +
                                                 std::to_string(params.min_tx_fee));
  }
  if (acct.balance < tx.fee) {
    return make_error(ErrorCode::kInsufficientFunds, "balance " + std::to_string(acct.balance) +
                                                         " cannot pay the fee " + std::to_string(tx.fee));
  }
  TM_TRY(verify_tx_signature(tx, tx_hash));
  return Admitted{std::move(tx), sender, acct, std::move(params)};
}

Status dispatch(StateAccess& s, OpContext& c) {
  return std::visit(
      [&](const auto& o) -> Status {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, op::Send>) return apply_send(s, c, o);
        if constexpr (std::is_same_v<T, op::NamePreorder>) return apply_name_preorder(s, c, o);
        if constexpr (std::is_same_v<T, op::NameRegister>) return apply_name_register(s, c, o);
        if constexpr (std::is_same_v<T, op::NameUpdate>) return apply_name_update(s, c, o);
        if constexpr (std::is_same_v<T, op::NameTransfer>) return apply_name_transfer(s, c, o);
        if constexpr (std::is_same_v<T, op::NameRenew>) return apply_name_renew(s, c, o);
        if constexpr (std::is_same_v<T, op::NameRevoke>) return apply_name_revoke(s, c, o);
        if constexpr (std::is_same_v<T, op::NameStage>) return apply_name_stage(s, c, o);
        if constexpr (std::is_same_v<T, op::GovPropose>) return apply_gov_propose(s, c, o);
        if constexpr (std::is_same_v<T, op::GovApprove>) return apply_gov_approve(s, c, o);
        if constexpr (std::is_same_v<T, op::Evidence>) return apply_evidence(s, c, o);
        if constexpr (std::is_same_v<T, op::OrgRegister>) return apply_org_register(s, c, o);
        if constexpr (std::is_same_v<T, op::CertAdd>) return apply_cert_add(s, c, o);
        if constexpr (std::is_same_v<T, op::CertRevoke>) return apply_cert_revoke(s, c, o);
        if constexpr (std::is_same_v<T, op::CrlPublish>) return apply_crl_publish(s, c, o);
        if constexpr (std::is_same_v<T, op::ModelRegister>) return apply_model_register(s, c, o);
        if constexpr (std::is_same_v<T, op::ReleasePublish>) return apply_release_publish(s, c, o);
        if constexpr (std::is_same_v<T, op::ClaimIssue>) return apply_claim_issue(s, c, o);
        if constexpr (std::is_same_v<T, op::ClaimWithdraw>) return apply_claim_withdraw(s, c, o);
        if constexpr (std::is_same_v<T, op::DomainCreate>) return apply_domain_create(s, c, o);
        if constexpr (std::is_same_v<T, op::DomainGrant>) return apply_domain_grant(s, c, o);
        if constexpr (std::is_same_v<T, op::DomainAssign>) return apply_domain_assign(s, c, o);
        if constexpr (std::is_same_v<T, op::DomainSet>) return apply_domain_set(s, c, o);
      },
      c.tx.op);
}

}  // namespace

Status check_tx(const StateReader& state, const std::string& chain_id, ByteView tx_bytes) {
  Overlay scratch(state);
  StateAccess s(scratch);
  auto a = admit(s, chain_id, tx_bytes);
  if (!a.ok()) return a.error();
  return Status::Ok();
}

Status check_pending_tx(const StateReader& state, const std::string& chain_id, const Tx& tx, size_t tx_size,
                        uint64_t pending, uint64_t pending_fees) {
  Overlay scratch(state);
  StateAccess s(scratch);
  TM_ASSIGN_OR_RETURN(Params params, s.params());
  if (tx_size > params.max_tx_bytes) {
    return make_error(ErrorCode::kTxTooLarge, "transaction is " + std::to_string(tx_size) +
                                                  " bytes, the limit is " +
                                                  std::to_string(params.max_tx_bytes));
  }
  if (tx.chain_id != chain_id) {
    return make_error(ErrorCode::kWrongChain,
                      "transaction is for chain '" + tx.chain_id + "', this chain is '" + chain_id + "'");
  }
  Address sender = tx.sender_address();
  TM_ASSIGN_OR_RETURN(Account acct, s.account(sender));
  if (tx.seq != acct.seq + pending) {
    return make_error(
        ErrorCode::kBadSequence,
        "sequence " + std::to_string(tx.seq) + " but account " + sender.to_string() + " expects " +
            std::to_string(acct.seq + pending) +
            (pending ? " (" + std::to_string(pending) + " of its txs are pending)" : std::string()));
  }
  if (tx.fee < min_fee_of(tx, params)) {
    return make_error(ErrorCode::kFeeTooLow, "fee " + std::to_string(tx.fee) + " is below the minimum " +
                                                 std::to_string(params.min_tx_fee));
  }
  if (acct.balance < pending_fees || acct.balance - pending_fees < tx.fee) {
    return make_error(
        ErrorCode::kInsufficientFunds,
        "balance " + std::to_string(acct.balance) + " cannot pay the fee " + std::to_string(tx.fee) +
            (pending_fees ? " after " + std::to_string(pending_fees) + " of pending fees" : ""));
  }
  return Status::Ok();
}

Result<TxResult> execute_tx(Overlay& state, const BlockContext& ctx, ByteView tx_bytes) {
  TxResult res;
  res.tx_hash = sha256(tx_bytes);
  StateAccess s(state);

  // Records a rejection or failure in res; fatal errors stop the block instead.
  auto outcome_of = [&res](TxOutcome outcome, const Error& e) -> Result<TxResult> {
    if (is_fatal(e)) return e;
    res.outcome = outcome;
    res.code = e.code;
    res.message = e.message;
    return res;
  };

  auto admitted = admit(s, ctx.chain_id, tx_bytes, &res.tx_hash);
  if (!admitted.ok()) return outcome_of(TxOutcome::kRejected, admitted.error());
  Admitted& a = admitted.value();

  // Charge: fee burned, sequence used. These survive an operation failure.
  a.account.seq += 1;
  a.account.balance -= a.tx.fee;
  s.put_account(a.sender, a.account);
  TM_TRY(reduce_supply(s, a.tx.fee));
  res.burned = a.tx.fee;

  Overlay scratch(as_reader(state));
  StateAccess ss(scratch);
  OpContext c{ctx, a.tx, res.tx_hash, a.sender, a.params};
  Status st = dispatch(ss, c);
  if (!st.ok()) return outcome_of(TxOutcome::kFailed, st.error());
  scratch.merge_into(state);
  res.outcome = TxOutcome::kOk;
  res.burned += c.burned;
  return res;
}

Result<BlockResult> execute_block(const StateReader& state, const BlockContext& ctx,
                                  const std::vector<Bytes>& txs) {
  TM_ASSERT(ctx.height >= 1);
  Overlay block(state);
  BlockResult out;
  out.txs.reserve(txs.size());
  for (const Bytes& tx : txs) {
    TM_ASSIGN_OR_RETURN(TxResult r, execute_tx(block, ctx, tx));
    out.txs.push_back(std::move(r));
  }
  StateAccess end(block);
  TM_TRY(prune_lapsed_preorders(end, ctx.height));
  TM_TRY(promote_validator_changes(block, ctx.height));
  out.changes = block.changes();
  return out;
}

Status check_name(std::string_view name, uint64_t max_len) {
  if (name.empty()) return make_error(ErrorCode::kBadName, "name is empty");
  if (name.size() > max_len) {
    return make_error(ErrorCode::kBadName, "name is " + std::to_string(name.size()) +
                                               " bytes; the limit is " + std::to_string(max_len));
  }
  auto alnum = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  for (size_t i = 0; i < name.size(); ++i) {
    char ch = name[i];
    bool ok = alnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == ':' || ch == '/';
    if (!ok) {
      return make_error(ErrorCode::kBadName, "name has character 0x" + to_hex(as_bytes(name.substr(i, 1))) +
                                                 " at " + std::to_string(i) +
                                                 "; allowed: a-z 0-9 - . _ : / (lowercase only)");
    }
  }
  if (!alnum(name.front()) || !alnum(name.back())) {
    return make_error(ErrorCode::kBadName, "name must start and end with a letter or digit");
  }
  return Status::Ok();
}

Result<uint64_t> name_fee(uint64_t base, uint64_t per_block, uint64_t validity) {
  unsigned __int128 fee = static_cast<unsigned __int128>(per_block) * validity + base;
  if (fee > UINT64_MAX) return make_error(ErrorCode::kAmountOverflow, "name fee overflows 64 bits");
  return static_cast<uint64_t>(fee);
}

}  // namespace trustmesh::ledger
