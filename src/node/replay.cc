// Chain audit by re-execution (see replay.h).
#include "node/replay.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "consensus/vote.h"
#include "ledger/genesis.h"
#include "node/node.h"
#include "node/validator_sets.h"
#include "store/block_store.h"
#include "store/ledger_db.h"

namespace trustmesh::node {

namespace {
Error at(uint64_t h, const std::string& msg) {
  return make_error(ErrorCode::kInvalidArgument, "block " + std::to_string(h) + ": " + msg);
}
}  // namespace

Result<ReplayReport> replay_chain(const NodeConfig& config, const std::string& scratch_dir,
                                  const std::function<void(uint64_t, uint64_t)>& progress) {
  if (std::filesystem::exists(scratch_dir))
    return make_error(ErrorCode::kInvalidArgument, "scratch directory " + scratch_dir + " already exists");
  std::ifstream in(config.path(config.genesis), std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read genesis " + config.path(config.genesis));
  std::stringstream ss;
  ss << in.rdbuf();
  TM_ASSIGN_OR_RETURN(ledger::Genesis genesis, ledger::Genesis::from_json(ss.str()));

  store::StateDbOptions ro;
  ro.create_if_missing = false;
  TM_ASSIGN_OR_RETURN(auto source, store::LedgerDb::open(config.state_dir(), ro));
  TM_TRY(source->init(genesis));
  auto view = source->state().view();

  store::StateDbOptions fast;
  fast.sync = false;
  TM_ASSIGN_OR_RETURN(auto replay, store::LedgerDb::open(scratch_dir, fast));
  TM_TRY(replay->init(genesis));
  TM_ASSIGN_OR_RETURN(Hash32 genesis_root, source->state().root_at(0));
  if (replay->root() != genesis_root)
    return make_error(ErrorCode::kInvalidArgument, "genesis state root differs from the node's");

  ReplayReport report;
  Hash32 prev{};
  for (uint64_t h = 1; h <= view->height(); ++h) {
    TM_ASSIGN_OR_RETURN(auto stored, store::read_block(*view, h));
    if (!stored) return at(h, "missing from the block store");
    TM_ASSIGN_OR_RETURN(consensus::Block block, consensus::Block::decode(stored->block));
    TM_ASSIGN_OR_RETURN(consensus::Commit commit, consensus::Commit::decode(stored->commit));
    if (block.header.encode() != stored->header) return at(h, "stored header differs from the block's");
    if (block.header.height != h) return at(h, "header says height " + std::to_string(block.header.height));
    if (block.header.chain_id != genesis.chain_id)
      return at(h, "header is for chain " + block.header.chain_id);
    if (block.header.prev_hash != prev) return at(h, "does not link to the previous block");
    // The set that signs h, from the replayed state after h - 1 (validator
    // changes take effect two heights after their tx).
    TM_ASSIGN_OR_RETURN(consensus::ValidatorSet set, validator_set_at(ViewReader(replay->state().view()), h));
    if (block.header.validators_hash != set.hash())
      return at(h, "validators_hash is not the set of its height");
    if (Status s = consensus::verify_commit(set, block.header, commit); !s.ok())
      return at(h, s.error().message);
    TM_ASSIGN_OR_RETURN(store::AppliedBlock applied, replay->apply_block(block.header.time, block.txs));
    if (applied.root != block.header.state_root) {
      return at(h, "re-execution gives state root " + to_hex(applied.root) + ", the header says " +
                       to_hex(block.header.state_root));
    }
    prev = block.header.hash();
    report.height = h;
    report.txs += block.txs.size();
    report.root = applied.root;
    if (progress) progress(h, view->height());
  }
  if (report.height > 0 && report.root != view->root())
    return make_error(ErrorCode::kInvalidArgument, "replayed state root differs from the node's state root");
  if (report.height == 0) report.root = replay->root();
  return report;
}

}  // namespace trustmesh::node
