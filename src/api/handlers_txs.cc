// POST /v1/txs and GET /v1/txs/{hash}.
//
// Submission is idempotent: a tx already committed answers 200 with its
// committed status (checked before the mempool, so a replayed tx never
// reaches admission), one already pending answers 200 "pending", a new one
// admitted to the mempool 202 "pending". A refused tx changes nothing (the
// mempool's guarantee): 400 if it does not decode, 413 if too large, 422 if
// well-formed but inadmissible (signature, sequence, fee, funds, chain), 503
// if the mempool is full.
//
// Lookup order is mempool first, then the store through a view taken after
// it: the node stores a block before it removes its txs from the mempool, so
// a tx that leaves the mempool between the two reads is found in the view.
#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/json_writer.h"
#include "api/url.h"
#include "core/hash.h"
#include "ledger/executor.h"
#include "node/node.h"
#include "store/block_store.h"

namespace trustmesh::api {

namespace {

void write_pending(const Hash32& hash, int status, Response& res) {
  res.status = status;
  JsonWriter w(res.body);
  w.begin_object().field_hex("hash", hash).field("status", "pending").end_object();
}

// The result of the committed tx at `loc`.
Result<ledger::TxResult> committed_result(const store::ReadView& view, const store::TxLocation& loc) {
  TM_ASSIGN_OR_RETURN(auto stored, store::read_block(view, loc.height));
  if (!stored)
    return make_error(ErrorCode::kInternal, "tx index points at missing block " + std::to_string(loc.height));
  auto v = cbor::decode(stored->results);
  if (!v.ok()) return make_error(ErrorCode::kInternal, "stored results: " + v.error().message);
  if (!v->is_array() || loc.index >= v->array_items().size()) {
    return make_error(ErrorCode::kInternal,
                      "tx index points past the results of block " + std::to_string(loc.height));
  }
  auto r = ledger::TxResult::from_cbor(v->array_items()[loc.index]);
  if (!r.ok()) return make_error(ErrorCode::kInternal, "stored tx result: " + r.error().message);
  return r;
}

// Writes the committed status if the tx is in `view`; false if it is not.
Result<bool> write_if_committed(const store::ReadView& view, const Hash32& hash, Response& res) {
  TM_ASSIGN_OR_RETURN(auto loc, store::find_tx(view, hash));
  if (!loc) return false;
  TM_ASSIGN_OR_RETURN(ledger::TxResult r, committed_result(view, *loc));
  res.status = 200;
  JsonWriter w(res.body);
  w.begin_object()
      .field_hex("hash", hash)
      .field("status", "committed")
      .field("height", loc->height)
      .field("index", static_cast<uint64_t>(loc->index))
      .field("outcome", ledger::tx_outcome_name(r.outcome))
      .field("code", static_cast<uint64_t>(r.code))
      .field("error", error_code_name(r.code))
      .field("message", r.message)
      .field("burned", r.burned)
      .end_object();
  return true;
}

// "Application/JSON; charset=utf-8" -> "application/json".
std::string media_type(std::string_view ct) {
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  std::string out(ct);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// The tx bytes of the request body, or the error answer to send.
Result<Bytes> tx_bytes(const Request& req, int& http_status) {
  http_status = 400;
  std::string media = media_type(req.content_type);
  if (media == "application/cbor") return to_bytes(as_bytes(req.body));
  if (media != "application/json") {
    http_status = 415;
    return make_error(ErrorCode::kUnsupported,
                      "Content-Type must be application/cbor (the tx's CBOR) or application/json "
                      "({\"tx\": \"<hex of the tx's CBOR>\"}), got '" +
                          std::string(req.content_type.substr(0, 100)) + "'");
  }
  auto j = nlohmann::json::parse(req.body.begin(), req.body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return make_error(ErrorCode::kMalformed,
                      "body is not valid JSON; expected {\"tx\": \"<hex of the transaction's CBOR>\"}");
  }
  auto it = j.is_object() ? j.find("tx") : j.end();
  if (it == j.end() || !it->is_string()) {
    return make_error(
        ErrorCode::kMalformed,
        "expected a JSON object {\"tx\": \"<hex of the transaction's CBOR>\"} with \"tx\" a string");
  }
  Result<Bytes> b = from_hex(it->get_ref<const std::string&>());
  if (!b.ok()) {
    return make_error(
        ErrorCode::kMalformed,
        "\"tx\" must be the hex of the transaction's CBOR (even length, 0-9a-f): " + b.error().message);
  }
  return b;
}

}  // namespace

void handle_tx_submit(const Context& ctx, const Request& req, Response& res) {
  int http_status = 400;
  Result<Bytes> tx = tx_bytes(req, http_status);
  if (!tx.ok()) return write_error(res, http_status, tx.error().code, tx.error().message);
  if (tx->empty()) return write_error(res, 400, ErrorCode::kMalformed, "empty transaction");
  // A canonical tx's hash is SHA-256 of exactly these bytes (decode is strict).
  const Hash32 hash = sha256(*tx);
  {
    auto view = ctx.node.view();
    Result<bool> done = write_if_committed(*view, hash, res);
    if (!done.ok()) return write_error(res, done.error());
    if (*done) return;
  }
  Result<Hash32> admitted = ctx.node.submit_tx(*tx);
  if (admitted.ok()) return write_pending(*admitted, 202, res);
  const Error& e = admitted.error();
  if (e.code == ErrorCode::kDuplicateTx) return write_pending(hash, 200, res);
  if (e.code == ErrorCode::kBadSequence) {
    // It may have been committed since the check above (its sequence is used).
    auto view = ctx.node.view();
    Result<bool> done = write_if_committed(*view, hash, res);
    if (done.ok() && *done) return;
  }
  write_error(res, e);
}

void handle_tx_get(const Context& ctx, std::string_view hash_text, Response& res) {
  Result<Hash32> hash = parse_hash(hash_text, "tx hash");
  if (!hash.ok()) return write_error(res, hash.error());
  if (ctx.node.mempool().contains(*hash)) return write_pending(*hash, 200, res);
  auto view = ctx.node.view();
  Result<bool> done = write_if_committed(*view, *hash, res);
  if (!done.ok()) return write_error(res, done.error());
  if (*done) return;
  write_error(res, 404, ErrorCode::kNotFound,
              "tx " + to_hex(*hash) +
                  " is neither pending nor committed (never submitted, or dropped from "
                  "the mempool because it is no longer valid)");
}

}  // namespace trustmesh::api
