// GET /v1/blocks/latest and /v1/blocks/{height}: the stored block's header,
// commit, their exact signed encodings (for light clients) and the results of
// its transactions. Everything is read from one view.
#include "api/errors.h"
#include "api/handlers.h"
#include "api/json_writer.h"
#include "api/url.h"
#include "consensus/vote.h"
#include "ledger/executor.h"
#include "node/node.h"
#include "store/block_store.h"

namespace trustmesh::api {

namespace {

Error corrupt(uint64_t height, const char* what, const Error& e) {
  return make_error(ErrorCode::kInternal, "stored block " + std::to_string(height) + ": " + what +
                                              " does not decode: " + e.message);
}

void write_header(JsonWriter& w, const consensus::BlockHeader& h) {
  w.begin_object()
      .field("chain_id", h.chain_id)
      .field("height", h.height)
      .field("time", h.time)
      .field_hex("prev_hash", h.prev_hash)
      .field_hex("tx_root", h.tx_root)
      .field_hex("state_root", h.state_root)
      .field_hex("validators_hash", h.validators_hash)
      .field_hex("next_validators_hash", h.next_validators_hash)
      .field("proposer", h.proposer.to_string())
      .end_object();
}

void write_commit(JsonWriter& w, const consensus::Commit& c) {
  w.begin_object().field("height", c.height).field("round", c.round).field_hex("block", c.block);
  w.key("signatures").begin_array();
  for (const consensus::CommitSig& s : c.sigs) {
    w.begin_object().field("validator", s.validator.to_string()).field_hex("signature", s.sig).end_object();
  }
  w.end_array().end_object();
}

Status write_block(const store::ReadView& view, uint64_t height, Response& res) {
  TM_ASSIGN_OR_RETURN(auto stored, store::read_block(view, height));
  if (!stored) {
    return make_error(ErrorCode::kNotFound, "no block at height " + std::to_string(height) +
                                                " (the latest is " + std::to_string(view.height()) + ")");
  }
  auto block = consensus::Block::decode(stored->block);
  if (!block.ok()) return corrupt(height, "block", block.error());
  auto commit = consensus::Commit::decode(stored->commit);
  if (!commit.ok()) return corrupt(height, "commit", commit.error());
  auto results_v = cbor::decode(stored->results);
  if (!results_v.ok()) return corrupt(height, "results", results_v.error());
  if (!results_v->is_array()) return make_error(ErrorCode::kInternal, "stored results are not an array");
  std::vector<ledger::TxResult> results;
  for (const cbor::Value& item : results_v->array_items()) {
    auto r = ledger::TxResult::from_cbor(item);
    if (!r.ok()) return corrupt(height, "tx result", r.error());
    results.push_back(std::move(*r));
  }

  JsonWriter w(res.body);
  w.begin_object().field("height", height).field_hex("hash", block->hash());
  w.key("header");
  write_header(w, block->header);
  w.key("commit");
  write_commit(w, *commit);
  w.field_hex("header_cbor", stored->header).field_hex("commit_cbor", stored->commit);
  w.key("txs").begin_array();
  for (const ledger::TxResult& r : results) {
    w.begin_object()
        .field_hex("hash", r.tx_hash)
        .field("outcome", ledger::tx_outcome_name(r.outcome))
        .field("code", static_cast<uint64_t>(r.code))
        .field("error", error_code_name(r.code))
        .field("message", r.message)
        .field("burned", r.burned)
        .end_object();
  }
  w.end_array().end_object();
  return Status::Ok();
}

void answer(const store::ReadView& view, uint64_t height, Response& res) {
  Status s = write_block(view, height, res);
  if (!s.ok()) write_error(res, s.error());
}

}  // namespace

void handle_block_latest(const Context& ctx, Response& res) {
  auto view = ctx.node.view();
  if (view->height() == 0) {
    return write_error(res, 404, ErrorCode::kNotFound, "no block has been committed yet");
  }
  answer(*view, view->height(), res);
}

void handle_block(const Context& ctx, std::string_view height_text, Response& res) {
  Result<uint64_t> height = parse_height(height_text);
  if (!height.ok()) return write_error(res, height.error());
  auto view = ctx.node.view();
  if (*height == 0 || *height > view->height()) {
    return write_error(res, 404, ErrorCode::kNotFound,
                       "no block at height " + std::to_string(*height) + " (blocks are 1.." +
                           std::to_string(view->height()) + ")");
  }
  answer(*view, *height, res);
}

}  // namespace trustmesh::api
