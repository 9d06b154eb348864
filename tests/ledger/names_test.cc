// Name-value store: every operation's success path and every error, and what
// each error leaves changed (rejected: nothing; failed: only the sender's
// account and the supply, i.e. fee burned and sequence used).
#include <gtest/gtest.h>

#include "core/hash.h"
#include "ledger/ledger_util.h"
#include "ledger/schema.h"

namespace trustmesh::ledger {
namespace {

using testing::changed_keys;
using testing::test_salt;
using testing::test_value;
using testing::TestChain;

constexpr uint64_t kFee = 10;

// Asserts the tx failed with `code` and changed only fee/sequence.
void expect_failed_only_fee(TestChain& c, int who, const Bytes& tx, ErrorCode code) {
  MemState before = c.state();
  Account acct = c.account(who);
  uint64_t supply = c.supply();
  TxResult r = c.block({tx}).at(0);
  EXPECT_EQ(r.outcome, TxOutcome::kFailed) << r.message;
  EXPECT_EQ(r.code, code) << r.message;
  EXPECT_FALSE(r.message.empty());
  std::set<Bytes> expected = {schema::account_key(c.addr(who)), schema::supply_key()};
  EXPECT_EQ(changed_keys(before, c.state()), expected);
  EXPECT_EQ(c.account(who).seq, acct.seq + 1);
  EXPECT_EQ(c.account(who).balance, acct.balance - kFee);
  EXPECT_EQ(c.supply(), supply - kFee);
}

// Asserts the tx was rejected with `code` and changed nothing at all.
void expect_rejected(TestChain& c, const Bytes& tx, ErrorCode code) {
  MemState before = c.state();
  TxResult r = c.block({tx}).at(0);
  EXPECT_EQ(r.outcome, TxOutcome::kRejected) << r.message;
  EXPECT_EQ(r.code, code) << r.message;
  EXPECT_TRUE(changed_keys(before, c.state()).empty());
}

TEST(Names, RegisterAfterPreorderSucceedsAndBurnsFee) {
  TestChain c;
  uint64_t supply0 = c.supply();
  Params p = c.params();
  TxResult r = c.register_name(0, "dev-1", 1, 100, 1);
  ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  uint64_t name_fee = p.name_base_fee + p.name_fee_per_block * 100;
  EXPECT_EQ(r.burned, kFee + name_fee);
  EXPECT_EQ(c.supply(), supply0 - 2 * kFee - name_fee);
  EXPECT_EQ(c.supply(), c.sum_of_balances());
  auto rec = c.name("dev-1");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->owner, c.addr(0));
  EXPECT_EQ(rec->value, test_value(1));
  EXPECT_EQ(rec->status, NameStatus::kActive);
  EXPECT_EQ(rec->registered_at, 2u);
  EXPECT_EQ(rec->expires_at, 102u);
  auto h = c.history("dev-1");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].op, "register");
  EXPECT_EQ(h[0].height, 2u);
  EXPECT_EQ(h[0].value_hash, test_value(1).digest());
}

TEST(Names, FeeGrowsWithValidity) {
  TestChain c;
  TxResult a = c.register_name(0, "short", 1, 50);
  TxResult b = c.register_name(1, "long", 2, 5000);
  ASSERT_EQ(a.outcome, TxOutcome::kOk);
  ASSERT_EQ(b.outcome, TxOutcome::kOk);
  EXPECT_GT(b.burned, a.burned);
  EXPECT_EQ(b.burned - a.burned, c.params().name_fee_per_block * (5000 - 50));
}

TEST(Names, FrontRunningWithCopiedNameAndSaltFails) {
  TestChain c;
  Bytes salt = test_salt(7);
  ASSERT_EQ(c.run(0, op::NamePreorder{name_commitment("victim", salt, c.addr(0))}).outcome, TxOutcome::kOk);
  // Attacker copies the register from the mempool and submits it first, in the same block.
  Bytes attack = c.tx(1, op::NameRegister{"victim", salt, test_value(9), 100});
  Bytes honest = c.tx(0, op::NameRegister{"victim", salt, test_value(1), 100});
  auto rs = c.block({attack, honest});
  EXPECT_EQ(rs[0].code, ErrorCode::kPreorderNotFound);
  EXPECT_EQ(rs[1].outcome, TxOutcome::kOk) << rs[1].message;
  EXPECT_EQ(c.name("victim")->owner, c.addr(0));
}

TEST(Names, CopiedPreorderCommitmentNeitherBlocksNorSteals) {
  TestChain c;
  Bytes salt = test_salt(3);
  Hash32 commitment = name_commitment("dev", salt, c.addr(0));
  // Attacker preorders the victim's commitment first.
  auto rs = c.block({c.tx(1, op::NamePreorder{commitment}), c.tx(0, op::NamePreorder{commitment})});
  EXPECT_EQ(rs[0].outcome, TxOutcome::kOk);
  EXPECT_EQ(rs[1].outcome, TxOutcome::kOk);
  // The attacker cannot register with it (the commitment binds the victim's address) ...
  EXPECT_EQ(c.run(1, op::NameRegister{"dev", salt, test_value(9), 100}).code, ErrorCode::kPreorderNotFound);
  // ... and the victim still can.
  EXPECT_EQ(c.run(0, op::NameRegister{"dev", salt, test_value(1), 100}).outcome, TxOutcome::kOk);
}

TEST(Names, RegisterTooEarly) {
  Params p;
  p.preorder_min_blocks = 3;
  TestChain c(4, p);
  Bytes salt = test_salt(1);
  ASSERT_EQ(c.run(0, op::NamePreorder{name_commitment("n1", salt, c.addr(0))}).outcome, TxOutcome::kOk);
  // Same block as the preorder is impossible to test via run(); height+1 and +2 are too early.
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{"n1", salt, test_value(1), 100}),
                         ErrorCode::kPreorderTooEarly);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{"n1", salt, test_value(1), 100}),
                         ErrorCode::kPreorderTooEarly);
  EXPECT_EQ(c.run(0, op::NameRegister{"n1", salt, test_value(1), 100}).outcome, TxOutcome::kOk);
}

TEST(Names, RegisterInSameBlockAsPreorderIsTooEarly) {
  TestChain c;
  Bytes salt = test_salt(1);
  auto rs = c.block({c.tx(0, op::NamePreorder{name_commitment("n1", salt, c.addr(0))}),
                     c.tx(0, op::NameRegister{"n1", salt, test_value(1), 100}, kFee, 1)});
  EXPECT_EQ(rs[0].outcome, TxOutcome::kOk);
  EXPECT_EQ(rs[1].code, ErrorCode::kPreorderTooEarly);
}

TEST(Names, RegisterTooLate) {
  Params p;
  p.preorder_max_blocks = 5;
  TestChain c(4, p);
  Bytes salt = test_salt(1);
  ASSERT_EQ(c.run(0, op::NamePreorder{name_commitment("n1", salt, c.addr(0))}).outcome, TxOutcome::kOk);
  c.empty_blocks(5);  // now at preorder height + 5; next block is + 6
  // The lapsed preorder is still in state during block + 6 (it is pruned at
  // the end of that block), so the register sees it and is told why.
  MemState before = c.state();
  TxResult r = c.run(0, op::NameRegister{"n1", salt, test_value(1), 100});
  EXPECT_EQ(r.outcome, TxOutcome::kFailed);
  EXPECT_EQ(r.code, ErrorCode::kPreorderTooLate) << r.message;
  // Changed: the fee and sequence, and the pruned preorder with its bookkeeping.
  for (const Bytes& k : changed_keys(before, c.state())) {
    bool expected = k == schema::account_key(c.addr(0)) || k == schema::supply_key() ||
                    (k.size() > 2 && (k[0] == 'p' || k[0] == 'x'));
    EXPECT_TRUE(expected) << to_hex(k);
  }
  EXPECT_FALSE(c.name("n1"));
  // From the next block on it is gone altogether.
  EXPECT_EQ(c.run(0, op::NameRegister{"n1", salt, test_value(1), 100}).code, ErrorCode::kPreorderNotFound);
}

TEST(Names, RegisterAtLastAllowedBlock) {
  Params p;
  p.preorder_max_blocks = 5;
  TestChain c(4, p);
  EXPECT_EQ(c.register_name(0, "n1", 1, 100, 5).outcome, TxOutcome::kOk);
}

TEST(Names, WrongSaltOrWrongNameFails) {
  TestChain c;
  ASSERT_EQ(c.run(0, op::NamePreorder{name_commitment("n1", test_salt(1), c.addr(0))}).outcome,
            TxOutcome::kOk);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{"n1", test_salt(2), test_value(1), 100}),
                         ErrorCode::kPreorderNotFound);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{"n2", test_salt(1), test_value(1), 100}),
                         ErrorCode::kPreorderNotFound);
}

TEST(Names, RegisterWithoutPreorderFails) {
  TestChain c;
  c.empty_blocks(2);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{"n1", test_salt(1), test_value(1), 100}),
                         ErrorCode::kPreorderNotFound);
}

TEST(Names, PreorderIsConsumedByRegister) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1, 100).outcome, TxOutcome::kOk);
  Bytes key = schema::preorder_key(name_commitment("n1", test_salt(1), c.addr(0)), c.addr(0));
  EXPECT_EQ(c.state().entries().count(key), 0u);
}

TEST(Names, DuplicateLivePreorderFails) {
  TestChain c;
  Hash32 cm = name_commitment("n1", test_salt(1), c.addr(0));
  ASSERT_EQ(c.run(0, op::NamePreorder{cm}).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 0, c.tx(0, op::NamePreorder{cm}), ErrorCode::kPreorderExists);
}

TEST(Names, TakenNameCannotBeRegisteredByOthers) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1).outcome, TxOutcome::kOk);
  Bytes salt = test_salt(2);
  ASSERT_EQ(c.run(1, op::NamePreorder{name_commitment("n1", salt, c.addr(1))}).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 1, c.tx(1, op::NameRegister{"n1", salt, test_value(2), 100}),
                         ErrorCode::kNameTaken);
}

TEST(Names, BadValidity) {
  TestChain c;
  Params p = c.params();
  Bytes salt = test_salt(1);
  ASSERT_EQ(c.run(0, op::NamePreorder{name_commitment("n1", salt, c.addr(0))}).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 0,
                         c.tx(0, op::NameRegister{"n1", salt, test_value(1), p.min_validity_blocks - 1}),
                         ErrorCode::kBadValidity);
  expect_failed_only_fee(c, 0,
                         c.tx(0, op::NameRegister{"n1", salt, test_value(1), p.max_validity_blocks + 1}),
                         ErrorCode::kBadValidity);
}

TEST(Names, RegistrationFeeUnaffordable) {
  TestChain c(4, Params{}, 1, /*balance=*/1000);  // base fee alone is 1000
  Bytes salt = test_salt(1);
  ASSERT_EQ(c.run(0, op::NamePreorder{name_commitment("n1", salt, c.addr(0))}).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{"n1", salt, test_value(1), 100}),
                         ErrorCode::kInsufficientFunds);
}

TEST(Names, BadNames) {
  TestChain c;
  for (std::string bad : {std::string(""), std::string("UPPER"), std::string("sp ace"), std::string("-lead"),
                          std::string("trail."), std::string("caf\xc3\xa9"), std::string(256, 'a')}) {
    Bytes salt = test_salt(1);
    expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{bad, salt, test_value(1), 100}),
                           ErrorCode::kBadName);
  }
  EXPECT_EQ(c.register_name(0, std::string(255, 'a'), 1).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.register_name(0, "urn:dev/0b5c-44.x_1", 2).outcome, TxOutcome::kOk);
}

TEST(Names, OversizeValueAndInconsistentCertificate) {
  TestChain c;
  Params p = c.params();
  Bytes salt = test_salt(1);
  ASSERT_EQ(c.run(0, op::NamePreorder{name_commitment("n1", salt, c.addr(0))}).outcome, TxOutcome::kOk);
  NameValue big;
  big.cert_der = Bytes(p.max_cert_der_bytes + 1, 0x30);
  big.cert_hash = sha256(*big.cert_der);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{"n1", salt, big, 100}), ErrorCode::kValueTooLarge);
  NameValue wrong;
  wrong.cert_der = Bytes(100, 0x30);
  wrong.cert_hash = sha256(as_bytes("something else"));
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRegister{"n1", salt, wrong, 100}),
                         ErrorCode::kInvalidArgument);
  NameValue ok;
  ok.cert_der = Bytes(p.max_cert_der_bytes, 0x30);
  ok.cert_hash = sha256(*ok.cert_der);
  ok.config_hash = sha256(as_bytes("config"));
  EXPECT_EQ(c.run(0, op::NameRegister{"n1", salt, ok, 100}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.name("n1")->value, ok);
}

TEST(Names, OversizeTransactionIsRejected) {
  TestChain c;
  Params p = c.params();
  NameValue v;
  v.cert_der = Bytes(p.max_tx_bytes, 0x30);
  v.cert_hash = sha256(*v.cert_der);
  expect_rejected(c, c.tx(0, op::NameUpdate{"n1", v}), ErrorCode::kTxTooLarge);
}

TEST(Names, UpdateTransferRenewRevokeByOwner) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1, 100).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.run(0, op::NameUpdate{"n1", test_value(2)}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.name("n1")->value, test_value(2));
  uint64_t expiry = c.name("n1")->expires_at;
  TxResult renew = c.run(0, op::NameRenew{"n1", 50});
  EXPECT_EQ(renew.outcome, TxOutcome::kOk);
  EXPECT_EQ(renew.burned, kFee + c.params().name_base_fee + c.params().name_fee_per_block * 50);
  EXPECT_EQ(c.name("n1")->expires_at, expiry + 50);
  EXPECT_EQ(c.run(0, op::NameTransfer{"n1", c.addr(1)}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.name("n1")->owner, c.addr(1));
  // The old owner has lost control; the new owner has it.
  expect_failed_only_fee(c, 0, c.tx(0, op::NameUpdate{"n1", test_value(3)}), ErrorCode::kNotOwner);
  EXPECT_EQ(c.run(1, op::NameUpdate{"n1", test_value(3)}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.run(1, op::NameRevoke{"n1"}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.name("n1")->status, NameStatus::kRevoked);
  auto h = c.history("n1");
  std::vector<std::string> ops;
  for (const auto& e : h) ops.push_back(e.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"register", "update", "renew", "transfer", "update", "revoke"}));
  EXPECT_EQ(h[3].owner, c.addr(1));
  EXPECT_EQ(h[4].value_hash, test_value(3).digest());
  EXPECT_EQ(c.supply(), c.sum_of_balances());
}

TEST(Names, NonOwnerCannotChangeName) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 1, c.tx(1, op::NameUpdate{"n1", test_value(2)}), ErrorCode::kNotOwner);
  expect_failed_only_fee(c, 1, c.tx(1, op::NameTransfer{"n1", c.addr(1)}), ErrorCode::kNotOwner);
  expect_failed_only_fee(c, 1, c.tx(1, op::NameRenew{"n1", 50}), ErrorCode::kNotOwner);
  expect_failed_only_fee(c, 1, c.tx(1, op::NameRevoke{"n1"}), ErrorCode::kNotOwner);
}

TEST(Names, UnknownNameOperationsFail) {
  TestChain c;
  expect_failed_only_fee(c, 0, c.tx(0, op::NameUpdate{"ghost", test_value(1)}), ErrorCode::kNameNotFound);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameTransfer{"ghost", c.addr(1)}), ErrorCode::kNameNotFound);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRenew{"ghost", 50}), ErrorCode::kNameNotFound);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRevoke{"ghost"}), ErrorCode::kNameNotFound);
}

TEST(Names, SelfTransferFails) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameTransfer{"n1", c.addr(0)}), ErrorCode::kSelfTransfer);
}

TEST(Names, RevokeIsFinalAndReservesUntilExpiry) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1, 20).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(0, op::NameRevoke{"n1"}).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameUpdate{"n1", test_value(2)}), ErrorCode::kNameRevoked);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameTransfer{"n1", c.addr(1)}), ErrorCode::kNameRevoked);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRenew{"n1", 50}), ErrorCode::kNameRevoked);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRevoke{"n1"}), ErrorCode::kNameRevoked);
  // Still reserved: another account cannot take it before expiry.
  Bytes salt = test_salt(5);
  ASSERT_EQ(c.run(1, op::NamePreorder{name_commitment("n1", salt, c.addr(1))}).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 1, c.tx(1, op::NameRegister{"n1", salt, test_value(5), 100}),
                         ErrorCode::kNameTaken);
}

TEST(Names, ExpiryFreesTheNameAndHistorySurvives) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1, 10).outcome,
            TxOutcome::kOk);  // registered at height 2, expires at 12
  EXPECT_EQ(c.name("n1")->expires_at, 12u);
  c.empty_blocks(9);  // height 11
  ASSERT_EQ(c.height(), 11u);
  // Still valid at height 11? The next block is 12 == expires_at: expired.
  expect_failed_only_fee(c, 0, c.tx(0, op::NameUpdate{"n1", test_value(2)}), ErrorCode::kNameExpired);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRenew{"n1", 50}), ErrorCode::kNameExpired);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameTransfer{"n1", c.addr(1)}), ErrorCode::kNameExpired);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRevoke{"n1"}), ErrorCode::kNameExpired);
  // Someone else re-registers it.
  ASSERT_EQ(c.register_name(1, "n1", 9, 100).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.name("n1")->owner, c.addr(1));
  EXPECT_EQ(c.name("n1")->status, NameStatus::kActive);
  auto h = c.history("n1");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].owner, c.addr(0));
  EXPECT_EQ(h[1].owner, c.addr(1));
}

TEST(Names, RevokedNameCanBeReRegisteredAfterExpiry) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1, 10).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(0, op::NameRevoke{"n1"}).outcome, TxOutcome::kOk);
  c.empty_blocks(10);
  ASSERT_EQ(c.register_name(1, "n1", 2, 100).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.name("n1")->status, NameStatus::kActive);
}

TEST(Names, PreorderAgainAfterItLapsed) {
  Params p;
  p.preorder_max_blocks = 3;
  TestChain c(4, p);
  Hash32 cm = name_commitment("n1", test_salt(1), c.addr(0));
  ASSERT_EQ(c.run(0, op::NamePreorder{cm}).outcome, TxOutcome::kOk);
  c.empty_blocks(3);
  ASSERT_EQ(c.run(0, op::NamePreorder{cm}).outcome, TxOutcome::kOk);  // the lapsed one is replaced
  EXPECT_EQ(c.run(0, op::NameRegister{"n1", test_salt(1), test_value(1), 100}).outcome, TxOutcome::kOk);
}

// No key of a preorder, nor of its expiry bookkeeping, survives in state.
bool no_preorder_state(const TestChain& c) {
  for (const auto& [k, v] : c.state().entries()) {
    if (k.size() >= 2 && (k[0] == 'p' || k[0] == 'x') && (k[1] == ':' || k[1] == '#')) return false;
  }
  return true;
}

TEST(Names, LapsedPreorderIsDeletedAtTheEndOfItsLastBlock) {
  Params p;
  p.preorder_max_blocks = 3;
  TestChain c(4, p);
  Hash32 cm = name_commitment("n1", test_salt(1), c.addr(0));
  ASSERT_EQ(c.run(0, op::NamePreorder{cm}).outcome, TxOutcome::kOk);  // height 1, deadline 4
  Bytes key = schema::preorder_key(cm, c.addr(0));
  c.empty_blocks(3);  // through height 4: still redeemable
  EXPECT_EQ(c.state().entries().count(key), 1u);
  EXPECT_FALSE(no_preorder_state(c));
  c.empty_blocks(1);  // height 5: pruned
  EXPECT_EQ(c.state().entries().count(key), 0u);
  EXPECT_TRUE(no_preorder_state(c));
}

TEST(Names, RedeemedPreorderLeavesNothingBehind) {
  Params p;
  p.preorder_max_blocks = 3;
  TestChain c(4, p);
  ASSERT_EQ(c.register_name(0, "n1", 1).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.register_name(1, "n2", 2).outcome, TxOutcome::kOk);
  c.empty_blocks(4);
  EXPECT_TRUE(no_preorder_state(c));
}

TEST(Names, GovernanceCannotShortenAPendingPreorder) {
  TestChain c;  // preorder_max_blocks 100
  Bytes salt = test_salt(1);
  ASSERT_EQ(c.run(1, op::NamePreorder{name_commitment("n1", salt, c.addr(1))}).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(0, op::GovPropose{{{"preorder_max_blocks", 5}}}).outcome, TxOutcome::kOk);
  c.empty_blocks(10);
  EXPECT_EQ(c.run(1, op::NameRegister{"n1", salt, test_value(1), 100}).outcome, TxOutcome::kOk);
}

TEST(Names, RevokeThenUpdateInTheSameBlock) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1).outcome, TxOutcome::kOk);
  auto rs = c.block({c.tx(0, op::NameRevoke{"n1"}),
                     c.tx(0, op::NameUpdate{"n1", test_value(2)}, kFee, c.account(0).seq + 1)});
  EXPECT_EQ(rs[0].outcome, TxOutcome::kOk);
  EXPECT_EQ(rs[1].code, ErrorCode::kNameRevoked);
  EXPECT_EQ(c.name("n1")->value, test_value(1));
}

TEST(Names, TransferThenOldOwnerUpdateInTheSameBlock) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1).outcome, TxOutcome::kOk);
  auto rs = c.block({c.tx(0, op::NameTransfer{"n1", c.addr(1)}),
                     c.tx(0, op::NameUpdate{"n1", test_value(2)}, kFee, c.account(0).seq + 1)});
  EXPECT_EQ(rs[0].outcome, TxOutcome::kOk);
  EXPECT_EQ(rs[1].code, ErrorCode::kNotOwner);
  // The new owner renews and updates.
  EXPECT_EQ(c.run(1, op::NameRenew{"n1", 50}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.run(1, op::NameUpdate{"n1", test_value(3)}).outcome, TxOutcome::kOk);
}

TEST(Names, RenewJustBeforeExpiryExtendsIt) {
  TestChain c;
  ASSERT_EQ(c.register_name(0, "n1", 1, 10).outcome, TxOutcome::kOk);    // expires at 12
  c.empty_blocks(8);                                                     // next block is 11
  ASSERT_EQ(c.run(0, op::NameRenew{"n1", 10}).outcome, TxOutcome::kOk);  // now expires at 22
  c.empty_blocks(5);
  EXPECT_EQ(c.run(0, op::NameUpdate{"n1", test_value(2)}).outcome, TxOutcome::kOk);
}

TEST(Names, Ed25519OwnerManagesName) {
  TestChain c;
  KeyPair ed = testing::test_key(40, KeyAlg::kEd25519);
  Address ea = Address::of(ed.public_key());
  ASSERT_EQ(c.run(0, op::Send{ea, 1'000'000}).outcome, TxOutcome::kOk);
  Bytes salt = test_salt(4);
  auto send = [&](uint64_t seq, Operation o) {
    return c.block({make_tx(ed, c.chain_id(), seq, kFee, std::move(o)).value().encode()}).at(0);
  };
  ASSERT_EQ(send(0, op::NamePreorder{name_commitment("ed", salt, ea)}).outcome, TxOutcome::kOk);
  ASSERT_EQ(send(1, op::NameRegister{"ed", salt, test_value(1), 100}).outcome, TxOutcome::kOk);
  EXPECT_EQ(send(2, op::NameRevoke{"ed"}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.name("ed")->owner, ea);
  EXPECT_EQ(c.name("ed")->status, NameStatus::kRevoked);
}

TEST(Names, StillRevocableAfterGovernanceLowersNameLimit) {
  TestChain c;
  std::string longname(100, 'x');
  ASSERT_EQ(c.register_name(1, longname, 1).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(0, op::GovPropose{{{"max_name_len", 32}}}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.run(1, op::NameRevoke{longname}).outcome, TxOutcome::kOk);
  // New registrations follow the new limit.
  EXPECT_EQ(c.register_name(2, std::string(33, 'y'), 2).code, ErrorCode::kBadName);
}

TEST(Names, RenewBeyondMaxValidityFails) {
  Params p;
  p.max_validity_blocks = 100;
  TestChain c(4, p);
  ASSERT_EQ(c.register_name(0, "n1", 1, 100).outcome, TxOutcome::kOk);
  expect_failed_only_fee(c, 0, c.tx(0, op::NameRenew{"n1", 50}), ErrorCode::kBadValidity);
}

}  // namespace
}  // namespace trustmesh::ledger
