// Mempool admission, reaping and re-checking (see mempool.h).
#include "node/mempool.h"

#include "core/hash.h"
#include "ledger/executor.h"

namespace trustmesh::node {

namespace {
constexpr size_t kHardMaxTxBytes = 64 * 1024;
}

Result<Hash32> Mempool::add(ByteView tx_bytes) {
  TM_ASSIGN_OR_RETURN(ledger::Tx tx, ledger::decode_tx(tx_bytes, kHardMaxTxBytes));
  Hash32 hash = sha256(tx_bytes);
  TM_TRY(ledger::verify_tx_signature(tx, &hash));  // remembered: the block's execution won't verify again
  Address sender = tx.sender_address();

  std::lock_guard<std::mutex> lock(mu_);
  if (by_hash_.count(hash)) return make_error(ErrorCode::kDuplicateTx, "transaction is already pending");
  if (order_.size() >= config_.max_txs || bytes_ + tx_bytes.size() > config_.max_bytes) {
    return make_error(ErrorCode::kMempoolFull, "mempool is full (" + std::to_string(order_.size()) +
                                                   " txs, " + std::to_string(bytes_) +
                                                   " bytes); retry after the next block");
  }
  SenderPending pending;
  if (auto it = senders_.find(sender); it != senders_.end()) pending = it->second;
  TM_TRY(ledger::check_pending_tx(*state_, chain_id_, tx, tx_bytes.size(), pending.count, pending.fees));

  uint64_t fee = tx.fee;
  order_.push_back(Entry{hash, Bytes(tx_bytes.begin(), tx_bytes.end()), std::move(tx), sender});
  by_hash_[hash] = std::prev(order_.end());
  SenderPending& sp = senders_[sender];
  sp.count += 1;
  sp.fees += fee;
  bytes_ += tx_bytes.size();
  return hash;
}

bool Mempool::contains(const Hash32& hash) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_hash_.count(hash) > 0;
}

std::vector<Bytes> Mempool::reap(size_t max_bytes, size_t max_txs) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Bytes> out;
  size_t total = 0;
  for (const Entry& e : order_) {
    if (out.size() >= max_txs || total + e.bytes.size() > max_bytes) break;
    total += e.bytes.size();
    out.push_back(e.bytes);
  }
  return out;
}

void Mempool::erase_locked(std::list<Entry>::iterator it) {
  bytes_ -= it->bytes.size();
  by_hash_.erase(it->hash);
  order_.erase(it);
}

size_t Mempool::update(const std::vector<Hash32>& committed, StatePtr state) {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = std::move(state);
  for (const Hash32& h : committed) {
    auto it = by_hash_.find(h);
    if (it != by_hash_.end()) erase_locked(it->second);
  }
  // Re-check everything left, in arrival order, rebuilding per-sender totals.
  senders_.clear();
  // A dropped tx adds nothing to its sender's pending totals, so a later tx
  // of that sender stays only if it is valid without it.
  size_t dropped = 0;
  for (auto it = order_.begin(); it != order_.end();) {
    SenderPending& sp = senders_[it->sender];
    bool ok = ledger::check_pending_tx(*state_, chain_id_, it->tx, it->bytes.size(), sp.count, sp.fees).ok();
    if (!ok) {
      auto next = std::next(it);
      erase_locked(it);
      it = next;
      ++dropped;
      continue;
    }
    sp.count += 1;
    sp.fees += it->tx.fee;
    ++it;
  }
  for (auto it = senders_.begin(); it != senders_.end();) {
    it = it->second.count == 0 ? senders_.erase(it) : std::next(it);
  }
  return dropped;
}

size_t Mempool::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return order_.size();
}

size_t Mempool::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

uint64_t Mempool::pending_of(const Address& sender) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = senders_.find(sender);
  return it == senders_.end() ? 0 : it->second.count;
}

}  // namespace trustmesh::node
