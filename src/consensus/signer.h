// The only thing that signs consensus messages, and its write-ahead log.
//
// A validator must never sign two different votes for one (height, round,
// type), nor two different proposals for one (height, round), not even
// across a crash. Signer enforces this: before it hands out a signature it
// appends a record of what it signed to a SignLog and waits until the log says
// the record is durable; on open it replays the log. A request identical to
// an earlier one gets the earlier message back; a conflicting request gets
// kConflict and nothing is signed (staying silent is always safe).
//
// The engine also uses the log to restore itself after a restart (see
// tendermint.cc, start()): its own votes at the height it restarts at tell it
// the round it had reached and the block it was locked on, and a non-nil
// precommit is logged with its block, so the restarted validator can still
// propose the value it is locked on (without it, validators locked on a block
// nobody holds any more could never decide again).
//
// The prevotes that made the lock (its proof of lock) are logged with the
// precommit too: without them neither the restarted validator nor anyone
// else could justify re-proposing the value once every holder of the proof
// had restarted.
//
// Record format (deterministic CBOR): [1, vote] or [1, vote, block bytes,
// [prevote, ...]] for a signed vote (with its signature), [2, height, round,
// block hash] for a signed proposal.
//
// Invariants: every message returned was logged first; for each (height,
// round, type) at most one vote value and for each (height, round) at most one
// proposal block ever leaves a Signer built on the same log.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "consensus/vote.h"

namespace trustmesh::consensus {

// Durable storage of the validator's own signatures. The node implements it
// with an fsync'd file (node/sign_log_file.h); tests and the simulator with
// memory that outlives a simulated crash (MemorySignLog).
class SignLog {
 public:
  virtual ~SignLog() = default;
  virtual Status append(ByteView record) = 0;           // durable when it returns
  virtual Result<std::vector<Bytes>> load() const = 0;  // every record, in append order
  // Replaces the whole log by `records` atomically (compaction).
  virtual Status rewrite(const std::vector<Bytes>& records) = 0;
};

class MemorySignLog final : public SignLog {
 public:
  Status append(ByteView record) override;
  Result<std::vector<Bytes>> load() const override;
  Status rewrite(const std::vector<Bytes>& records) override;

 private:
  mutable std::mutex mu_;
  std::vector<Bytes> records_;
};

class Signer {
 public:
  // Replays `log` (and compacts it when it holds old heights).
  static Result<std::shared_ptr<Signer>> open(KeyPair key, std::string chain_id,
                                              std::shared_ptr<SignLog> log);

  // `value` is the block a non-nil precommit is for and `pol` the prevotes
  // that locked it (both logged with it).
  Result<Vote> sign_vote(VoteType type, uint64_t height, uint64_t round, std::optional<Hash32> block,
                         const Block* value = nullptr, const std::vector<Vote>* pol = nullptr);
  Result<Proposal> sign_proposal(uint64_t height, uint64_t round, int64_t pol_round, const Block& block);

  const Address& address() const { return address_; }
  const PublicKey& public_key() const { return key_.public_key(); }
  // The votes signed at `height`, in signing order.
  std::vector<Vote> votes_at(uint64_t height) const;
  // A block logged with a precommit at `height`.
  std::optional<Block> block_at(uint64_t height, const Hash32& hash) const;
  // The proof of lock logged with that precommit.
  std::vector<Vote> pol_at(uint64_t height, const Hash32& hash) const;
  // Forgets (in memory) what was signed below `height`; the log keeps it
  // until the next compaction.
  void prune_below(uint64_t height);

 private:
  Signer(KeyPair key, std::string chain_id, std::shared_ptr<SignLog> log)
      : key_(std::move(key)),
        address_(Address::of(key_.public_key())),
        chain_id_(std::move(chain_id)),
        log_(std::move(log)) {}
  Status replay(const Bytes& record);

  const KeyPair key_;
  const Address address_;
  const std::string chain_id_;
  std::shared_ptr<SignLog> log_;
  mutable std::mutex mu_;
  std::map<std::tuple<uint64_t, uint64_t, uint8_t>, Vote> votes_;  // (height, round, type)
  std::map<std::pair<uint64_t, uint64_t>, Hash32> proposals_;      // (height, round) -> block
  std::map<std::pair<uint64_t, Hash32>, Block> blocks_;            // precommitted values
  std::map<std::pair<uint64_t, Hash32>, std::vector<Vote>> pols_;  // and their proofs of lock
};

}  // namespace trustmesh::consensus
