// Genesis JSON: valid files load, every kind of bad file is refused by name.
#include "ledger/genesis.h"

#include <gtest/gtest.h>

#include "ledger/ledger_util.h"
#include "ledger/schema.h"

namespace trustmesh::ledger {
namespace {

std::string addr(int i) {
  return Address::of(testing::test_key(i).public_key()).to_string();
}

std::string genesis(const std::string& accounts, const std::string& trustees, const std::string& extra = "") {
  return R"({"chain_id": "c1", "accounts": )" + accounts + R"(, "trustees": )" + trustees + extra + "}";
}

TEST(Genesis, ParsesAndRoundTrips) {
  std::string j = genesis(R"([{"address": ")" + addr(0) + R"(", "balance": 100}])",
                          R"([")" + addr(1) + R"("])", R"(, "params": {"min_tx_fee": 3})");
  Genesis g = Genesis::from_json(j).value();
  EXPECT_EQ(g.chain_id, "c1");
  EXPECT_EQ(g.params.min_tx_fee, 3u);
  EXPECT_EQ(g.accounts.at(0).balance, 100u);
  Genesis again = Genesis::from_json(g.to_json()).value();
  EXPECT_EQ(again.to_json(), g.to_json());
  EXPECT_FALSE(g.initial_state().value().empty());
}

TEST(Genesis, RejectsBadInput) {
  std::string t = R"([")" + addr(1) + R"("])";
  std::string a = R"([{"address": ")" + addr(0) + R"(", "balance": 100}])";
  std::vector<std::string> bad = {
      "not json",
      "[]",
      R"({"accounts": [], "trustees": )" + t + "}",                          // no chain id
      genesis(a, "[]"),                                                      // no trustees
      genesis(a, t, R"(, "colour": "blue")"),                                // unknown field
      genesis(R"([{"address": "tm1qqqq", "balance": 1}])", t),               // bad address
      genesis(R"([{"address": ")" + addr(0) + R"(", "balance": -1}])", t),   // negative
      genesis(R"([{"address": ")" + addr(0) + R"(", "balance": 1.5}])", t),  // float
      genesis(R"([{"address": ")" + addr(0) + R"(", "balance": 18446744073709551615},
                 {"address": ")" +
                  addr(1) + R"(", "balance": 1}])",
              t),  // overflow
      genesis(R"([{"address": ")" + addr(0) + R"(", "balance": 1},
                 {"address": ")" +
                  addr(0) + R"(", "balance": 1}])",
              t),                                                                     // duplicate
      genesis(a, R"([")" + addr(1) + R"(", ")" + addr(1) + R"("])"),                  // dup trustee
      genesis(a, t, R"(, "params": {"preorder_min_blocks": 0})"),                     // invalid params
      genesis(a, t, R"(, "params": {"bogus": 1})"),                                   // unknown param
      genesis(a, t, R"(, "params": {"max_validity_blocks": 18446744073709551615})"),  // over 2^40
      genesis(a, t, R"(, "params": {"max_cert_der_bytes": 18446744073709551615})"),   // wraps a sum
  };
  for (const auto& j : bad) {
    auto g = Genesis::from_json(j);
    ASSERT_FALSE(g.ok()) << j;
    EXPECT_EQ(g.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(g.error().message.find("genesis"), std::string::npos);
  }
}

}  // namespace
}  // namespace trustmesh::ledger

namespace trustmesh::ledger {
namespace {

std::string key_hex(int i) {
  return to_hex(testing::test_key(i).public_key().encoded());
}

std::string with_validators(const std::string& validators) {
  std::string t = R"([")" + Address::of(testing::test_key(1).public_key()).to_string() + R"("])";
  return R"({"chain_id": "c1", "trustees": )" + t + R"(, "validators": )" + validators + "}";
}

TEST(GenesisValidators, ParseSortAndStoreTheSet) {
  Genesis g =
      Genesis::from_json(with_validators(R"([{"pub_key": ")" + key_hex(2) + R"(", "power": 3, "name": "b"},
                                                     {"pub_key": ")" +
                                         key_hex(3) + R"("}])"))
          .value();
  ASSERT_EQ(g.validators.size(), 2u);
  EXPECT_LT(Address::of(g.validators[0].key), Address::of(g.validators[1].key));
  Genesis again = Genesis::from_json(g.to_json()).value();
  EXPECT_EQ(again.to_json(), g.to_json());
  auto state = g.initial_state().value();
  EXPECT_TRUE(state.count(schema::validators_key()));
}

TEST(GenesisValidators, AbsentValidatorsLeaveTheStateAsBefore) {
  Genesis g = Genesis::from_json(with_validators("[]")).value();
  EXPECT_TRUE(g.validators.empty());
  EXPECT_FALSE(g.initial_state().value().count(schema::validators_key()));
}

TEST(GenesisValidators, RefusesBadEntries) {
  std::vector<std::string> bad = {
      R"(3)",
      R"([{"power": 1}])",
      R"([{"pub_key": "zz"}])",
      R"([{"pub_key": "0102"}])",
      R"([{"pub_key": ")" + key_hex(2) + R"(", "power": 0}])",
      R"([{"pub_key": ")" + key_hex(2) + R"(", "colour": 1}])",
      R"([{"pub_key": ")" + key_hex(2) + R"("}, {"pub_key": ")" + key_hex(2) + R"("}])",
      R"([{"pub_key": ")" + key_hex(2) + R"(", "power": 4611686018427387905}])",
  };
  for (const auto& v : bad) {
    auto r = Genesis::from_json(with_validators(v));
    EXPECT_FALSE(r.ok()) << v;
  }
}

}  // namespace
}  // namespace trustmesh::ledger
