// Transaction encoding and admission: replay, sequence, chain id, fee,
// signatures, malformed bytes. Rejected transactions change nothing.
#include <gtest/gtest.h>

#include "core/hash.h"
#include "ledger/ledger_util.h"

namespace trustmesh::ledger {
namespace {

using testing::changed_keys;
using testing::TestChain;

void expect_rejected(TestChain& c, const Bytes& tx, ErrorCode code) {
  MemState before = c.state();
  EXPECT_EQ(check_tx(c.state(), c.chain_id(), tx).error().code, code);
  TxResult r = c.block({tx}).at(0);
  EXPECT_EQ(r.outcome, TxOutcome::kRejected) << r.message;
  EXPECT_EQ(r.code, code) << r.message;
  EXPECT_FALSE(r.message.empty());
  EXPECT_EQ(r.burned, 0u);
  EXPECT_TRUE(changed_keys(before, c.state()).empty());
}

TEST(Tx, EncodeDecodeRoundTripForEveryOperation) {
  TestChain c;
  std::vector<Operation> ops = {
      op::Send{c.addr(1), 5},
      op::NamePreorder{sha256(as_bytes("x"))},
      op::NameRegister{"n", testing::test_salt(1), testing::test_value(1), 10},
      op::NameUpdate{"n", testing::test_value(2)},
      op::NameTransfer{"n", c.addr(2)},
      op::NameRenew{"n", 10},
      op::NameRevoke{"n"},
      op::GovPropose{{{"min_tx_fee", 20}}},
      op::GovApprove{1},
  };
  for (const auto& o : ops) {
    Tx tx = make_tx(c.key(0), c.chain_id(), 3, 11, o).value();
    Bytes enc = tx.encode();
    Tx back = decode_tx(enc).value();
    EXPECT_EQ(back.encode(), enc) << op_type_name(o);
    EXPECT_EQ(back.hash(), sha256(enc));
    EXPECT_TRUE(verify_tx_signature(back).ok());
    EXPECT_EQ(op_type_name(back.op), op_type_name(o));
  }
}

TEST(Tx, SendMovesFundsAndKeepsSupply) {
  TestChain c;
  uint64_t b0 = c.account(0).balance, b1 = c.account(1).balance;
  TxResult r = c.run(0, op::Send{c.addr(1), 1234});
  ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  EXPECT_EQ(c.account(0).balance, b0 - 1234 - 10);
  EXPECT_EQ(c.account(1).balance, b1 + 1234);
  EXPECT_EQ(c.supply(), c.sum_of_balances());
}

TEST(Tx, SendToNewAccountCreatesIt) {
  TestChain c;
  Address fresh = Address::of(testing::test_key(99).public_key());
  ASSERT_EQ(c.run(0, op::Send{fresh, 500}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.supply(), c.sum_of_balances());
}

TEST(Tx, SendMoreThanBalanceFailsButPaysFee) {
  TestChain c(2, Params{}, 1, 100);
  TxResult r = c.run(0, op::Send{c.addr(1), 95});
  EXPECT_EQ(r.outcome, TxOutcome::kFailed);
  EXPECT_EQ(r.code, ErrorCode::kInsufficientFunds);
  EXPECT_EQ(c.account(0).balance, 90u);
  EXPECT_EQ(c.account(1).balance, 100u);
}

TEST(Tx, Ed25519SenderWorks) {
  TestChain c;
  KeyPair ed = testing::test_key(50, KeyAlg::kEd25519);
  Address ea = Address::of(ed.public_key());
  ASSERT_EQ(c.run(0, op::Send{ea, 10000}).outcome, TxOutcome::kOk);
  Bytes tx = make_tx(ed, c.chain_id(), 0, 10, op::Send{c.addr(0), 1}).value().encode();
  EXPECT_EQ(c.block({tx}).at(0).outcome, TxOutcome::kOk);
}

TEST(Tx, ReplayIsRejected) {
  TestChain c;
  Bytes tx = c.tx(0, op::Send{c.addr(1), 1});
  ASSERT_EQ(c.block({tx}).at(0).outcome, TxOutcome::kOk);
  expect_rejected(c, tx, ErrorCode::kBadSequence);
}

TEST(Tx, ReplayInSameBlockIsRejected) {
  TestChain c;
  Bytes tx = c.tx(0, op::Send{c.addr(1), 1});
  auto rs = c.block({tx, tx});
  EXPECT_EQ(rs[0].outcome, TxOutcome::kOk);
  EXPECT_EQ(rs[1].code, ErrorCode::kBadSequence);
}

TEST(Tx, FailedTxCannotBeReplayedEither) {
  TestChain c;
  Bytes tx = c.tx(0, op::NameRevoke{"ghost"});
  ASSERT_EQ(c.block({tx}).at(0).outcome, TxOutcome::kFailed);
  expect_rejected(c, tx, ErrorCode::kBadSequence);
}

TEST(Tx, WrongSequence) {
  TestChain c;
  expect_rejected(c, c.tx(0, op::Send{c.addr(1), 1}, 10, 1), ErrorCode::kBadSequence);
  expect_rejected(c, c.tx(0, op::Send{c.addr(1), 1}, 10, UINT64_MAX), ErrorCode::kBadSequence);
}

TEST(Tx, WrongChainId) {
  TestChain c;
  Bytes tx = make_tx(c.key(0), "other-chain", 0, 10, op::Send{c.addr(1), 1}).value().encode();
  expect_rejected(c, tx, ErrorCode::kWrongChain);
}

TEST(Tx, FeeTooLow) {
  TestChain c;
  expect_rejected(c, c.tx(0, op::Send{c.addr(1), 1}, 9), ErrorCode::kFeeTooLow);
  expect_rejected(c, c.tx(0, op::Send{c.addr(1), 1}, 0), ErrorCode::kFeeTooLow);
}

TEST(Tx, CannotPayFee) {
  TestChain c(2, Params{}, 1, 5);
  expect_rejected(c, c.tx(0, op::Send{c.addr(1), 1}), ErrorCode::kInsufficientFunds);
  // An account that does not exist at all has nothing to pay with.
  KeyPair stranger = testing::test_key(77);
  expect_rejected(c, make_tx(stranger, c.chain_id(), 0, 10, op::Send{c.addr(1), 1}).value().encode(),
                  ErrorCode::kInsufficientFunds);
}

TEST(Tx, BadSignatureIsRejected) {
  TestChain c;
  Tx tx = make_tx(c.key(0), c.chain_id(), 0, 10, op::Send{c.addr(1), 1}).value();
  Tx tampered = tx;
  tampered.op = op::Send{c.addr(1), 1000000};  // changed after signing
  expect_rejected(c, tampered.encode(), ErrorCode::kBadSignature);
  Tx flipped = tx;
  flipped.sig[10] ^= 1;
  expect_rejected(c, flipped.encode(), ErrorCode::kBadSignature);
  // Signed by someone else's key but claiming to be from account 0.
  Tx forged = tx;
  forged.sig = c.key(1).sign(tx.signing_bytes()).value();
  expect_rejected(c, forged.encode(), ErrorCode::kBadSignature);
}

TEST(Tx, MalformedBytesAreRejected) {
  TestChain c;
  Bytes good = c.tx(0, op::Send{c.addr(1), 1});
  expect_rejected(c, Bytes{}, ErrorCode::kMalformed);
  expect_rejected(c, Bytes{0xff, 0x00, 0x12}, ErrorCode::kMalformed);
  Bytes truncated(good.begin(), good.end() - 1);
  expect_rejected(c, truncated, ErrorCode::kMalformed);
  Bytes trailing = good;
  trailing.push_back(0);
  expect_rejected(c, trailing, ErrorCode::kMalformed);
  // Not a map at all.
  expect_rejected(c, cbor::encode(cbor::Value::uint(5)), ErrorCode::kMalformed);
}

cbor::Value tx_map(const Tx& tx) {
  return cbor::decode(tx.encode()).value();
}

cbor::Value with_field(const cbor::Value& m, const std::string& key, std::optional<cbor::Value> v) {
  cbor::MapEntries e;
  for (const auto& [k, val] : m.map_entries()) {
    if (k.as_text().value() != key) e.emplace_back(k, val);
  }
  if (v) e.emplace_back(cbor::Value::text(key), *v);
  return cbor::Value::map(std::move(e));
}

TEST(Tx, StrictFields) {
  TestChain c;
  Tx tx = make_tx(c.key(0), c.chain_id(), 0, 10, op::Send{c.addr(1), 1}).value();
  cbor::Value m = tx_map(tx);
  // Unknown field.
  expect_rejected(c, cbor::encode(with_field(m, "extra", cbor::Value::uint(1))), ErrorCode::kMalformed);
  // Missing field.
  expect_rejected(c, cbor::encode(with_field(m, "fee", std::nullopt)), ErrorCode::kMalformed);
  // Wrong type.
  expect_rejected(c, cbor::encode(with_field(m, "seq", cbor::Value::text("0"))), ErrorCode::kMalformed);
  // Signature of the wrong size.
  expect_rejected(c, cbor::encode(with_field(m, "sig", cbor::Value::bytes(Bytes(63, 1)))),
                  ErrorCode::kBadSignature);
  // Sender key that is not a key.
  expect_rejected(c, cbor::encode(with_field(m, "from", cbor::Value::bytes(Bytes(34, 7)))),
                  ErrorCode::kBadKey);
  // Unknown operation type.
  cbor::Value bad_op = cbor::Value::map({{cbor::Value::text("type"), cbor::Value::text("name.steal")}});
  expect_rejected(c, cbor::encode(with_field(m, "op", bad_op)), ErrorCode::kMalformed);
  // Operation with an unknown field.
  cbor::Value op = *m.find("op");
  expect_rejected(c, cbor::encode(with_field(m, "op", with_field(op, "memo", cbor::Value::text("hi")))),
                  ErrorCode::kMalformed);
  // Address of the wrong size.
  expect_rejected(c,
                  cbor::encode(with_field(m, "op", with_field(op, "to", cbor::Value::bytes(Bytes(19, 1))))),
                  ErrorCode::kMalformed);
}

TEST(Tx, NonCanonicalEncodingIsRejected) {
  TestChain c;
  Bytes good = c.tx(0, op::Send{c.addr(1), 1});
  // Re-encode the map header with a non-shortest length (0xb8 0x06 instead of 0xa6).
  ASSERT_EQ(good[0], 0xa6);
  Bytes bad = {0xb8, 0x06};
  bad.insert(bad.end(), good.begin() + 1, good.end());
  expect_rejected(c, bad, ErrorCode::kNonCanonical);
}

TEST(Tx, BoundaryValues) {
  TestChain c;
  // A fee nobody can pay is a rejection, not an overflow.
  expect_rejected(c, c.tx(0, op::Send{c.addr(1), 1}, UINT64_MAX), ErrorCode::kInsufficientFunds);
  EXPECT_EQ(c.run(0, op::Send{c.addr(1), UINT64_MAX}).code, ErrorCode::kInsufficientFunds);
  EXPECT_EQ(c.run(0, op::NameRegister{"n", testing::test_salt(1), testing::test_value(1), UINT64_MAX}).code,
            ErrorCode::kBadValidity);
  ASSERT_EQ(c.register_name(0, "n", 2).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.run(0, op::NameRenew{"n", UINT64_MAX}).code, ErrorCode::kBadValidity);
  EXPECT_EQ(c.run(0, op::GovApprove{UINT64_MAX}).code, ErrorCode::kProposalNotFound);
  EXPECT_EQ(c.supply(), c.sum_of_balances());
}

TEST(Tx, MalformedNameOperations) {
  TestChain c;
  Tx tx = make_tx(c.key(0), c.chain_id(), 0, 10,
                  op::NameRegister{"n", testing::test_salt(1), testing::test_value(1), 10})
              .value();
  cbor::Value m = tx_map(tx);
  cbor::Value op = *m.find("op");
  cbor::Value value = *op.find("value");
  auto with_op = [&](const cbor::Value& o) { return cbor::encode(with_field(m, "op", o)); };
  // Salt of 16 bytes instead of 32.
  expect_rejected(c, with_op(with_field(op, "salt", cbor::Value::bytes(Bytes(16, 1)))),
                  ErrorCode::kMalformed);
  // Name as bytes instead of text.
  expect_rejected(c, with_op(with_field(op, "name", cbor::Value::bytes(Bytes{'n'}))), ErrorCode::kMalformed);
  // Value without cert_hash; config_hash of 31 bytes; cert_der as text.
  expect_rejected(c, with_op(with_field(op, "value", with_field(value, "cert_hash", std::nullopt))),
                  ErrorCode::kMalformed);
  expect_rejected(
      c, with_op(with_field(op, "value", with_field(value, "config_hash", cbor::Value::bytes(Bytes(31, 1))))),
      ErrorCode::kMalformed);
  expect_rejected(c,
                  with_op(with_field(op, "value", with_field(value, "cert_der", cbor::Value::text("MIIB")))),
                  ErrorCode::kMalformed);
  // Validity as a negative integer.
  expect_rejected(c, with_op(with_field(op, "validity", cbor::Value::integer(-5))), ErrorCode::kMalformed);
  // gov.propose with a non-text key in its changes.
  cbor::Value gov = cbor::Value::map(
      {{cbor::Value::text("type"), cbor::Value::text("gov.propose")},
       {cbor::Value::text("changes"), cbor::Value::map({{cbor::Value::uint(1), cbor::Value::uint(2)}})}});
  expect_rejected(c, with_op(gov), ErrorCode::kMalformed);
}

TEST(Tx, CheckTxMatchesExecution) {
  TestChain c;
  Bytes ok = c.tx(0, op::Send{c.addr(1), 1});
  EXPECT_TRUE(check_tx(c.state(), c.chain_id(), ok).ok());
  // check_tx does not charge: the same tx is still acceptable after it.
  EXPECT_TRUE(check_tx(c.state(), c.chain_id(), ok).ok());
  EXPECT_EQ(c.block({ok}).at(0).outcome, TxOutcome::kOk);
  EXPECT_EQ(check_tx(c.state(), c.chain_id(), ok).error().code, ErrorCode::kBadSequence);
}

}  // namespace
}  // namespace trustmesh::ledger
