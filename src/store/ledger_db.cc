// LedgerDb; see ledger_db.h.
#include "store/ledger_db.h"

#include "core/hash.h"
#include "ledger/schema.h"

namespace trustmesh::store {

Result<std::unique_ptr<LedgerDb>> LedgerDb::open(const std::string& path, const StateDbOptions& opts) {
  TM_ASSIGN_OR_RETURN(auto db, StateDb::open(path, opts));
  std::unique_ptr<LedgerDb> l(new LedgerDb(std::move(db)));
  TM_TRY(l->load_chain_id());
  return l;
}

Status LedgerDb::load_chain_id() {
  TM_ASSIGN_OR_RETURN(auto raw, db_->get(ledger::schema::chain_id_key()));
  if (!raw) return Status::Ok();  // not initialised yet
  auto v = cbor::decode(*raw);
  if (!v.ok() || !v->is_text())
    return make_error(ErrorCode::kInternal, "corrupt state: chain id is not text");
  chain_id_ = v->as_text().value();
  return Status::Ok();
}

Status LedgerDb::init(const ledger::Genesis& genesis) {
  TM_ASSIGN_OR_RETURN(ledger::Changes changes, genesis.initial_state());
  if (initialised()) {
    if (chain_id_ != genesis.chain_id) {
      return make_error(ErrorCode::kInvalidArgument, "data directory holds chain '" + chain_id_ + "', not '" +
                                                         genesis.chain_id +
                                                         "'; use another --data directory");
    }
    // Same chain id: the genesis state must match too.
    MemNodeStore scratch;
    std::map<Hash32, Node> nodes;
    TM_ASSIGN_OR_RETURN(Hash32 want, apply_updates(scratch, empty_hash(), tree_updates(changes), nodes));
    TM_ASSIGN_OR_RETURN(Hash32 have, db_->root_at(0));
    if (want != have) {
      return make_error(ErrorCode::kInvalidArgument,
                        "genesis does not match the one this data directory was created with");
    }
    return Status::Ok();
  }
  TM_ASSIGN_OR_RETURN(Hash32 root, db_->commit_genesis(changes));
  (void)root;
  chain_id_ = genesis.chain_id;
  return Status::Ok();
}

Hash32 LedgerDb::block_input_digest(uint64_t time, const std::vector<Bytes>& txs) {
  cbor::Array items;
  items.reserve(txs.size());
  for (const auto& t : txs) items.push_back(cbor::Value::bytes(t));
  return sha256(
      cbor::encode(cbor::Value::array({cbor::Value::uint(time), cbor::Value::array(std::move(items))})));
}

Result<AppliedBlock> LedgerDb::apply_block(uint64_t time, const std::vector<Bytes>& txs) {
  if (!initialised())
    return make_error(ErrorCode::kInvalidArgument, "ledger has no genesis; call init first");
  ledger::BlockContext ctx{chain_id_, db_->height() + 1, time};
  StateDbReader reader(*db_);
  TM_ASSIGN_OR_RETURN(ledger::BlockResult r, ledger::execute_block(reader, ctx, txs));
  TM_ASSIGN_OR_RETURN(Hash32 root, db_->commit(ctx.height, r.changes, block_input_digest(time, txs)));
  return AppliedBlock{ctx.height, root, std::move(r.txs)};
}

Result<ExecutedBlock> LedgerDb::execute(uint64_t time, const std::vector<Bytes>& txs) const {
  if (!initialised())
    return make_error(ErrorCode::kInvalidArgument, "ledger has no genesis; call init first");
  ledger::BlockContext ctx{chain_id_, db_->height() + 1, time};
  StateDbReader reader(*db_);
  TM_ASSIGN_OR_RETURN(ledger::BlockResult r, ledger::execute_block(reader, ctx, txs));
  ExecutedBlock b;
  b.height = ctx.height;
  b.time = time;
  b.txs = std::move(r.txs);
  TM_ASSIGN_OR_RETURN(b.prepared, db_->prepare(ctx.height, std::move(r.changes)));
  return b;
}

Result<Hash32> LedgerDb::commit_executed(const ExecutedBlock& block, const std::vector<RawWrite>& extra) {
  return db_->write(block.prepared, extra);
}

}  // namespace trustmesh::store
