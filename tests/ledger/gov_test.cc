// Governance: parameter changes need more than 2/3 of trustees.
#include <gtest/gtest.h>

#include "ledger/ledger_util.h"
#include "ledger/schema.h"

namespace trustmesh::ledger {
namespace {

using testing::TestChain;

TEST(Gov, SingleTrusteeAppliesImmediately) {
  TestChain c(4, Params{}, 1);
  TxResult r = c.run(0, op::GovPropose{{{"min_tx_fee", 25}}});
  ASSERT_EQ(r.outcome, TxOutcome::kOk) << r.message;
  EXPECT_EQ(c.params().min_tx_fee, 25u);
  // The new minimum applies to the next transaction.
  EXPECT_EQ(c.run(1, op::Send{c.addr(2), 1}, 10).code, ErrorCode::kFeeTooLow);
  EXPECT_EQ(c.run(1, op::Send{c.addr(2), 1}, 25).outcome, TxOutcome::kOk);
}

TEST(Gov, NeedsMoreThanTwoThirds) {
  TestChain c(5, Params{}, 4);  // 4 trustees: need 3 approvals (3*3 > 8; 2*3 = 6 is not > 8)
  ASSERT_EQ(c.run(0, op::GovPropose{{{"name_base_fee", 5}}}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.params().name_base_fee, Params{}.name_base_fee);
  ASSERT_EQ(c.run(1, op::GovApprove{1}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.params().name_base_fee, Params{}.name_base_fee);
  ASSERT_EQ(c.run(2, op::GovApprove{1}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.params().name_base_fee, 5u);
  EXPECT_EQ(c.run(3, op::GovApprove{1}).code, ErrorCode::kProposalClosed);
}

TEST(Gov, ThreeTrusteesNeedAllThree) {
  TestChain c(4, Params{}, 3);  // 3*2 = 6 is not > 6: two approvals are not enough
  ASSERT_EQ(c.run(0, op::GovPropose{{{"min_tx_fee", 12}}}).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(1, op::GovApprove{1}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.params().min_tx_fee, 10u);
  ASSERT_EQ(c.run(2, op::GovApprove{1}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.params().min_tx_fee, 12u);
  EXPECT_EQ(c.supply(), c.sum_of_balances());
}

TEST(Gov, FailedGovernanceChangesOnlyFeeAndSequence) {
  TestChain c(5, Params{}, 3);
  MemState before = c.state();
  TxResult r = c.run(4, op::GovPropose{{{"min_tx_fee", 1}}});
  EXPECT_EQ(r.code, ErrorCode::kNotTrustee);
  std::set<Bytes> expected = {schema::account_key(c.addr(4)), schema::supply_key()};
  EXPECT_EQ(testing::changed_keys(before, c.state()), expected);
}

TEST(Gov, Errors) {
  TestChain c(5, Params{}, 3);
  EXPECT_EQ(c.run(4, op::GovPropose{{{"min_tx_fee", 1}}}).code, ErrorCode::kNotTrustee);
  EXPECT_EQ(c.run(0, op::GovPropose{{{"no_such_param", 1}}}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(0, op::GovPropose{{}}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(0, op::GovPropose{{{"preorder_min_blocks", 0}}}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(0, op::GovPropose{{{"max_name_len", 256}}}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(0, op::GovPropose{{{"max_validity_blocks", UINT64_MAX}}}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(0, op::GovPropose{{{"max_tx_bytes", 1u << 20}}}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(0, op::GovPropose{{{"max_cert_der_bytes", UINT64_MAX}}}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(0, op::GovPropose{{{"min_tx_fee", UINT64_MAX}}}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.run(0, op::GovApprove{42}).code, ErrorCode::kProposalNotFound);
  ASSERT_EQ(c.run(0, op::GovPropose{{{"min_tx_fee", 11}}}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.run(0, op::GovApprove{1}).code, ErrorCode::kAlreadyApproved);
  EXPECT_EQ(c.run(4, op::GovApprove{1}).code, ErrorCode::kNotTrustee);
  EXPECT_EQ(c.params().min_tx_fee, 10u);
}

TEST(Gov, ChangeThatBecameInvalidIsNotApplied) {
  TestChain c(4, Params{}, 3);
  // Proposal 1 raises preorder_min_blocks to 50; proposal 2 lowers max to 40.
  ASSERT_EQ(c.run(0, op::GovPropose{{{"preorder_min_blocks", 50}}}).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(0, op::GovPropose{{{"preorder_max_blocks", 40}}}).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(1, op::GovApprove{2}).outcome, TxOutcome::kOk);
  ASSERT_EQ(c.run(2, op::GovApprove{2}).outcome, TxOutcome::kOk);
  EXPECT_EQ(c.params().preorder_max_blocks, 40u);
  ASSERT_EQ(c.run(1, op::GovApprove{1}).outcome, TxOutcome::kOk);
  // The third approval would apply min 50 > max 40: the approval fails, nothing applied.
  EXPECT_EQ(c.run(2, op::GovApprove{1}).code, ErrorCode::kBadParams);
  EXPECT_EQ(c.params().preorder_min_blocks, 1u);
}

}  // namespace
}  // namespace trustmesh::ledger
