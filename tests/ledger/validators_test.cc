// Validator set changes through governance (effective two blocks after the
// approving tx) and evidence of equivocation (recorded, signer removed).
#include "ledger/validators.h"

#include <gtest/gtest.h>

#include "ledger/ledger_util.h"
#include "ledger/schema.h"
#include "ledger/vote_bytes.h"

namespace trustmesh::ledger {
namespace {

using testing::TestChain;
using testing::validator_key;

bool has(const std::vector<GenesisValidator>& set, const PublicKey& k, uint64_t power = 1) {
  for (const auto& v : set) {
    if (v.key == k) return v.power == power;
  }
  return false;
}

TEST(Validators, GovernanceChangeTakesEffectTwoBlocksLater) {
  TestChain c(4, Params{}, 1, 1'000'000'000, 4);
  ASSERT_EQ(validators_for(c.state(), c.height() + 1).value().size(), 4u);
  PublicKey fresh = validator_key(9).public_key();
  // Add a validator with power 2 and remove validator 0, in block H.
  TxResult r = c.run(
      0, op::GovPropose{{}, {ValidatorChange{fresh, 2}, ValidatorChange{validator_key(0).public_key(), 0}}});
  ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  const uint64_t h = c.height();
  // From the state after H: H+1 is still signed by the old set, H+2 by the new.
  auto at_h1 = validators_for(c.state(), h + 1).value();
  auto at_h2 = validators_for(c.state(), h + 2).value();
  EXPECT_EQ(at_h1.size(), 4u);
  EXPECT_TRUE(has(at_h1, validator_key(0).public_key()));
  EXPECT_EQ(at_h2.size(), 4u);
  EXPECT_TRUE(has(at_h2, fresh, 2));
  EXPECT_FALSE(has(at_h2, validator_key(0).public_key()));
  EXPECT_EQ(pending_validator_changes(c.state()).value().size(), 1u);
  // After blocks H+1 and H+2 the change is in force and nothing is pending.
  c.empty_blocks(2);
  EXPECT_TRUE(pending_validator_changes(c.state()).value().empty());
  auto now = validators_for(c.state(), c.height() + 1).value();
  EXPECT_TRUE(has(now, fresh, 2));
  EXPECT_FALSE(has(now, validator_key(0).public_key()));
  for (size_t i = 1; i < now.size(); ++i) EXPECT_LT(Address::of(now[i - 1].key), Address::of(now[i].key));
}

TEST(Validators, NeedsTheTrusteeQuorum) {
  TestChain c(5, Params{}, 3, 1'000'000'000, 4);
  PublicKey fresh = validator_key(9).public_key();
  ASSERT_EQ(c.run(0, op::GovPropose{{}, {ValidatorChange{fresh, 1}}}).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(1, op::GovApprove{1}).outcome, TxOutcome::kOk);
  EXPECT_TRUE(pending_validator_changes(c.state()).value().empty()) << "2 of 3 trustees are not enough";
  ASSERT_EQ(c.run(2, op::GovApprove{1}).outcome, TxOutcome::kOk);
  auto pending = pending_validator_changes(c.state()).value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].effective_height, c.height() + 2);
}

TEST(Validators, BadProposalsChangeNothing) {
  TestChain c(5, Params{}, 1, 1'000'000'000, 2);
  std::vector<ValidatorChange> remove_all = {{validator_key(0).public_key(), 0},
                                             {validator_key(1).public_key(), 0}};
  EXPECT_EQ(c.run(0, op::GovPropose{{}, remove_all}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(4, op::GovPropose{{}, {ValidatorChange{validator_key(5).public_key(), 1}}}).code,
            ErrorCode::kNotTrustee);
  EXPECT_EQ(
      c.run(0, op::GovPropose{{}, {ValidatorChange{validator_key(5).public_key(), uint64_t{1} << 63}}}).code,
      ErrorCode::kBadParams);
  EXPECT_TRUE(pending_validator_changes(c.state()).value().empty());
  // A duplicate key in one proposal does not even decode.
  Operation dup = op::GovPropose{
      {},
      {ValidatorChange{validator_key(5).public_key(), 1}, ValidatorChange{validator_key(5).public_key(), 2}}};
  EXPECT_FALSE(operation_from_cbor(operation_to_cbor(dup)).ok());
}

op::Evidence evidence(const TestChain& c, int v, uint64_t height, std::optional<Hash32> a,
                      std::optional<Hash32> b) {
  const KeyPair& k = validator_key(v);
  op::Evidence e{.validator = k.public_key()};
  e.vote_type = 2;
  e.height = height;
  e.round = 0;
  e.block_a = a;
  e.block_b = b;
  e.sig_a = k.sign(vote_sign_bytes(c.chain_id(), 2, height, 0, a)).value();
  e.sig_b = k.sign(vote_sign_bytes(c.chain_id(), 2, height, 0, b)).value();
  return e;
}

TEST(Evidence, RecordedAndTheValidatorRemoved) {
  TestChain c(4, Params{}, 1, 1'000'000'000, 4);
  c.empty_blocks(3);
  Hash32 x{}, y{};
  x[0] = 1;
  y[0] = 2;
  // Fee 0 is accepted for evidence.
  TxResult r = c.block({c.tx(1, evidence(c, 2, 2, x, y), 0)}).at(0);
  ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  Bytes key = schema::evidence_key(Address::of(validator_key(2).public_key()), 2, 0, 2);
  EXPECT_TRUE(c.state().get(key).value().has_value());
  c.empty_blocks(2);
  EXPECT_FALSE(has(validators_for(c.state(), c.height() + 1).value(), validator_key(2).public_key()));
  // The same evidence again: refused, nothing new.
  EXPECT_EQ(c.block({c.tx(1, evidence(c, 2, 2, x, y), 0)}).at(0).code, ErrorCode::kDuplicateEvidence);
}

TEST(Evidence, BadEvidenceIsRefused) {
  TestChain c(4, Params{}, 1, 1'000'000'000, 4);
  c.empty_blocks(3);
  Hash32 x{}, y{};
  x[0] = 1;
  y[0] = 2;
  EXPECT_EQ(c.block({c.tx(1, evidence(c, 2, 2, x, x), 0)}).at(0).code, ErrorCode::kBadEvidence);  // same vote
  op::Evidence forged = evidence(c, 2, 2, x, y);
  forged.sig_b[5] ^= 1;
  EXPECT_EQ(c.block({c.tx(1, forged, 0)}).at(0).code, ErrorCode::kBadEvidence);  // bad signature
  EXPECT_EQ(c.block({c.tx(1, evidence(c, 7, 2, x, y), 0)}).at(0).code,
            ErrorCode::kBadEvidence);  // not a validator
  EXPECT_EQ(c.block({c.tx(1, evidence(c, 2, 50, x, y), 0)}).at(0).code, ErrorCode::kBadEvidence);  // future
  EXPECT_EQ(c.block({c.tx(1, evidence(c, 2, 2, std::nullopt, y), 0)}).at(0).outcome,
            TxOutcome::kOk);  // nil vs y
  // Fee 0 is for evidence only.
  EXPECT_EQ(c.block({c.tx(1, op::Send{c.addr(2), 1}, 0)}).at(0).code, ErrorCode::kFeeTooLow);
}

TEST(Evidence, RoundTripsThroughCbor) {
  TestChain c(2, Params{}, 1, 1'000'000'000, 2);
  Hash32 x{};
  x[3] = 9;
  Operation op = evidence(c, 1, 4, std::nullopt, x);
  auto back = operation_from_cbor(operation_to_cbor(op));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(cbor::encode(operation_to_cbor(*back)), cbor::encode(operation_to_cbor(op)));
  EXPECT_EQ(op_type_name(op), "evidence.equivocation");
}

}  // namespace
}  // namespace trustmesh::ledger
