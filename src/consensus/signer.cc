// Signer and MemorySignLog (see signer.h).
#include "consensus/signer.h"

namespace trustmesh::consensus {

namespace {

// Compact the log when it holds more records than this.
constexpr size_t kCompactAfter = 4096;

enum RecordKind : uint64_t { kVoteRecord = 1, kProposalRecord = 2 };

Error conflict(const std::string& what) {
  return make_error(ErrorCode::kConflict, "refusing to sign: " + what);
}

}  // namespace

Status MemorySignLog::append(ByteView record) {
  std::lock_guard<std::mutex> lock(mu_);
  records_.emplace_back(record.begin(), record.end());
  return Status::Ok();
}

Result<std::vector<Bytes>> MemorySignLog::load() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_;
}

Status MemorySignLog::rewrite(const std::vector<Bytes>& records) {
  std::lock_guard<std::mutex> lock(mu_);
  records_ = records;
  return Status::Ok();
}

Result<std::shared_ptr<Signer>> Signer::open(KeyPair key, std::string chain_id,
                                             std::shared_ptr<SignLog> log) {
  std::shared_ptr<Signer> s(new Signer(std::move(key), std::move(chain_id), std::move(log)));
  TM_ASSIGN_OR_RETURN(std::vector<Bytes> records, s->log_->load());
  for (const Bytes& r : records) TM_TRY(s->replay(r));
  if (records.size() > kCompactAfter) {
    // Keep the records of the newest height: what a restart needs.
    uint64_t top = 0;
    for (const auto& [k, v] : s->votes_) top = std::max(top, std::get<0>(k));
    for (const auto& [k, h] : s->proposals_) top = std::max(top, k.first);
    s->prune_below(top);
    std::vector<Bytes> keep;
    for (const auto& [k, v] : s->votes_) {
      cbor::Array rec{cbor::Value::uint(kVoteRecord), v.to_cbor()};
      if (v.block) {
        auto b = s->blocks_.find({v.height, *v.block});
        if (b != s->blocks_.end() && v.type == VoteType::kPrecommit) {
          rec.push_back(cbor::Value::bytes(b->second.encode()));
          cbor::Array pol;
          for (const Vote& pv : s->pols_[{v.height, *v.block}]) pol.push_back(pv.to_cbor());
          rec.push_back(cbor::Value::array(std::move(pol)));
        }
      }
      keep.push_back(cbor::encode(cbor::Value::array(std::move(rec))));
    }
    for (const auto& [k, h] : s->proposals_) {
      keep.push_back(
          cbor::encode(cbor::Value::array({cbor::Value::uint(kProposalRecord), cbor::Value::uint(k.first),
                                           cbor::Value::uint(k.second), cbor::Value::bytes(ByteView(h))})));
    }
    TM_TRY(s->log_->rewrite(keep));
  }
  return s;
}

Status Signer::replay(const Bytes& record) {
  TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(record));
  if (!v.is_array() || v.array_items().empty())
    return make_error(ErrorCode::kMalformed, "signature log: a record is not an array");
  const cbor::Array& items = v.array_items();
  TM_ASSIGN_OR_RETURN(uint64_t kind, items[0].as_uint());
  if (kind == kVoteRecord && (items.size() == 2 || items.size() == 4)) {
    TM_ASSIGN_OR_RETURN(Vote vote, Vote::from_cbor(items[1]));
    if (items.size() == 4) {
      TM_ASSIGN_OR_RETURN(Bytes enc, items[2].as_bytes());
      TM_ASSIGN_OR_RETURN(Block block, Block::decode(enc));
      if (!vote.block || block.hash() != *vote.block)
        return make_error(ErrorCode::kMalformed, "signature log: a precommit's block has another hash");
      if (!items[3].is_array()) return make_error(ErrorCode::kMalformed, "signature log: bad proof of lock");
      std::vector<Vote> pol;
      for (const cbor::Value& pv : items[3].array_items()) {
        TM_ASSIGN_OR_RETURN(Vote p, Vote::from_cbor(pv));
        pol.push_back(std::move(p));
      }
      blocks_.insert_or_assign({vote.height, *vote.block}, std::move(block));
      pols_.insert_or_assign({vote.height, *vote.block}, std::move(pol));
    }
    votes_[{vote.height, vote.round, static_cast<uint8_t>(vote.type)}] = std::move(vote);
    return Status::Ok();
  }
  if (kind == kProposalRecord && items.size() == 4) {
    TM_ASSIGN_OR_RETURN(uint64_t h, items[1].as_uint());
    TM_ASSIGN_OR_RETURN(uint64_t r, items[2].as_uint());
    TM_ASSIGN_OR_RETURN(Bytes b, items[3].as_bytes());
    if (b.size() != 32) return make_error(ErrorCode::kMalformed, "signature log: bad block hash");
    Hash32 hash;
    std::copy(b.begin(), b.end(), hash.begin());
    proposals_[{h, r}] = hash;
    return Status::Ok();
  }
  return make_error(ErrorCode::kMalformed, "signature log: unknown record kind " + std::to_string(kind));
}

Result<Vote> Signer::sign_vote(VoteType type, uint64_t height, uint64_t round, std::optional<Hash32> block,
                               const Block* value, const std::vector<Vote>* pol) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_tuple(height, round, static_cast<uint8_t>(type));
  if (auto it = votes_.find(key); it != votes_.end()) {
    if (it->second.block == block) return it->second;  // the same vote again
    return conflict("already signed another " +
                    std::string(type == VoteType::kPrevote ? "prevote" : "precommit") + " at height " +
                    std::to_string(height) + " round " + std::to_string(round));
  }
  TM_ASSIGN_OR_RETURN(Vote v, make_vote(key_, chain_id_, type, height, round, block));
  cbor::Array rec{cbor::Value::uint(kVoteRecord), v.to_cbor()};
  const bool keep_value = type == VoteType::kPrecommit && block && value && value->hash() == *block;
  if (keep_value) {
    rec.push_back(cbor::Value::bytes(value->encode()));
    cbor::Array pol_cbor;
    if (pol) {
      for (const Vote& pv : *pol) pol_cbor.push_back(pv.to_cbor());
    }
    rec.push_back(cbor::Value::array(std::move(pol_cbor)));
  }
  TM_TRY(log_->append(cbor::encode(cbor::Value::array(std::move(rec)))));
  votes_.emplace(key, v);
  if (keep_value) {
    blocks_.insert_or_assign({height, *block}, *value);
    pols_.insert_or_assign({height, *block}, pol ? *pol : std::vector<Vote>{});
  }
  return v;
}

Result<Proposal> Signer::sign_proposal(uint64_t height, uint64_t round, int64_t pol_round,
                                       const Block& block) {
  std::lock_guard<std::mutex> lock(mu_);
  Hash32 hash = block.hash();
  if (auto it = proposals_.find({height, round}); it != proposals_.end() && it->second != hash) {
    return conflict("already proposed another block at height " + std::to_string(height) + " round " +
                    std::to_string(round));
  }
  TM_ASSIGN_OR_RETURN(Proposal p, make_proposal(key_, chain_id_, height, round, pol_round, block));
  if (!proposals_.count({height, round})) {
    TM_TRY(log_->append(
        cbor::encode(cbor::Value::array({cbor::Value::uint(kProposalRecord), cbor::Value::uint(height),
                                         cbor::Value::uint(round), cbor::Value::bytes(ByteView(hash))}))));
    proposals_[{height, round}] = hash;
  }
  return p;
}

std::vector<Vote> Signer::votes_at(uint64_t height) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Vote> out;
  for (auto it = votes_.lower_bound({height, 0, 0}); it != votes_.end() && std::get<0>(it->first) == height;
       ++it)
    out.push_back(it->second);
  return out;
}

std::optional<Block> Signer::block_at(uint64_t height, const Hash32& hash) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = blocks_.find({height, hash});
  if (it == blocks_.end()) return std::nullopt;
  return it->second;
}

std::vector<Vote> Signer::pol_at(uint64_t height, const Hash32& hash) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pols_.find({height, hash});
  return it == pols_.end() ? std::vector<Vote>{} : it->second;
}

void Signer::prune_below(uint64_t height) {
  std::lock_guard<std::mutex> lock(mu_);
  pols_.erase(pols_.begin(), pols_.lower_bound({height, Hash32{}}));
  blocks_.erase(blocks_.begin(), blocks_.lower_bound({height, Hash32{}}));
  votes_.erase(votes_.begin(), votes_.lower_bound({height, 0, 0}));
  proposals_.erase(proposals_.begin(), proposals_.lower_bound({height, 0}));
}

}  // namespace trustmesh::consensus
