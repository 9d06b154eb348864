// GET /v1/accounts/{address}: balance and next sequence number at the latest
// height. An address never used answers balance 0, seq 0 (not 404): any
// valid address is an account that may receive funds.
#include "api/errors.h"
#include "api/handlers.h"
#include "api/json_writer.h"
#include "ledger/records.h"
#include "ledger/schema.h"
#include "node/node.h"

namespace trustmesh::api {

void handle_account(const Context& ctx, std::string_view text, Response& res) {
  Result<Address> addr = Address::parse(text);
  if (!addr.ok()) {
    return write_error(
        res, 400, ErrorCode::kBadAddress,
        "expected a Bech32m account address 'tm1...' (41 characters): " + addr.error().message);
  }
  auto view = ctx.node.view();
  auto raw = view->get(ledger::schema::account_key(*addr));
  if (!raw.ok()) return write_error(res, raw.error());
  ledger::Account acct;
  if (raw->has_value()) {
    auto v = cbor::decode(raw->value());
    if (!v.ok()) return write_error(res, 500, ErrorCode::kInternal, "stored account: " + v.error().message);
    auto a = ledger::Account::from_cbor(*v);
    if (!a.ok()) return write_error(res, 500, ErrorCode::kInternal, "stored account: " + a.error().message);
    acct = *a;
  }
  JsonWriter w(res.body);
  w.begin_object()
      .field("address", addr->to_string())
      .field("balance", acct.balance)
      .field("seq", acct.seq)
      .end_object();
}

}  // namespace trustmesh::api
