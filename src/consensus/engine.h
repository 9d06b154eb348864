// The consensus engine: Tendermint (Buchman, Kwon, Milosevic 2018) as a pure
// state machine. The node feeds it events and carries out what it returns:
//
//   in:  start(height)            begin a height (after the previous decision)
//        on_proposal_ready(...)   the block the node built when asked to propose
//        on_proposal(p)           a proposal from the network (or our own); the
//                                 node delivers it only if the block is valid
//                                 (it re-executed it and got the header's state
//                                 root), so valid(v) of the paper holds for every
//                                 proposal the engine sees
//        on_vote(v)               a prevote or precommit (or our own)
//        on_timeout(t)            a timeout the engine asked for has fired
//   out: Broadcast{msg}           send to every peer AND deliver back to this
//                                 engine (the engine counts its own votes only
//                                 when they come back through on_vote/on_proposal)
//        ScheduleTimeout{t, ms}   call on_timeout(t) after ms milliseconds
//        BuildProposal{h, r}      build a block for height h, round r and call
//                                 on_proposal_ready
//        Decide{block, commit}    block is final with this commit: execute and
//                                 store it, then start(h + 1)
//
// No sockets, threads, clocks or randomness inside: the same events in the same
// order give the same outputs, which is what the deterministic simulator needs.
// A single validator is the N = 1 case of the same code: its own proposal and
// votes reach quorum at once, so each height decides in round 0.
#pragma once

#include <memory>
#include <variant>
#include <vector>

#include "consensus/vote.h"

namespace trustmesh::consensus {

enum class Step : uint8_t { kPropose = 0, kPrevote = 1, kPrecommit = 2 };

struct Timeout {
  Step step = Step::kPropose;
  uint64_t height = 0;
  uint64_t round = 0;
  bool operator==(const Timeout&) const = default;
};

using Message = std::variant<Proposal, Vote>;

struct Broadcast {
  Message msg;
};
struct ScheduleTimeout {
  Timeout timeout;
  uint64_t after_ms = 0;
};
struct BuildProposal {
  uint64_t height = 0;
  uint64_t round = 0;
};
struct Decide {
  Block block;
  Commit commit;
};
using Output = std::variant<Broadcast, ScheduleTimeout, BuildProposal, Decide>;

// Two different votes of one validator for the same (type, height, round):
// proof that it equivocated. `first` is the vote that was counted.
struct Equivocation {
  Vote first;
  Vote second;
};

struct TimeoutConfig {
  // Round r waits base + r * delta (milliseconds) in each step.
  uint64_t propose_ms = 3000;
  uint64_t propose_delta_ms = 500;
  uint64_t prevote_ms = 1000;
  uint64_t prevote_delta_ms = 500;
  uint64_t precommit_ms = 1000;
  uint64_t precommit_delta_ms = 500;
};

struct EngineConfig {
  std::string chain_id;
  TimeoutConfig timeouts;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Begins `height` with `validators` (the set that signs it).
  virtual std::vector<Output> start(uint64_t height, const ValidatorSet& validators) = 0;
  virtual std::vector<Output> on_proposal_ready(uint64_t height, uint64_t round, Block block) = 0;
  virtual std::vector<Output> on_proposal(const Proposal& p) = 0;
  virtual std::vector<Output> on_vote(const Vote& v) = 0;
  virtual std::vector<Output> on_timeout(const Timeout& t) = 0;

  // The messages to re-send to peers now and then, so that a lossy network
  // stays live: the proposals of the current round (and of the valid round),
  // the counted votes of rounds round-1 .. round+1 at this height, and the
  // prevotes of the valid round (its proof of lock).
  virtual std::vector<Message> gossip() const { return {}; }

  virtual uint64_t height() const = 0;
  virtual uint64_t round() const = 0;
  virtual Step step() const = 0;
  // Equivocations seen so far (bounded, oldest first), for a later evidence
  // mechanism. The engine never counts the second vote.
  virtual std::vector<Equivocation> equivocations() const { return {}; }
  // equivocations().size(), without the copy (the node polls it after each call).
  virtual size_t equivocation_count() const { return 0; }
};

class Signer;

// The Tendermint engine for the validator whose Signer (signer.h) signs its
// messages; a null signer, or one whose key is not in the set, only follows
// and decides, never signs. After a restart, start() restores the engine from
// the signer's log.
std::unique_ptr<Engine> make_tendermint(EngineConfig config, std::shared_ptr<Signer> signer);
// The same with an in-memory log (tests, tools): no protection across restarts.
std::unique_ptr<Engine> make_tendermint(EngineConfig config, KeyPair key);

// Proposer of (height, round): weighted round-robin by voting power,
// deterministic in (validators, height, round).
const Validator& proposer_for(const ValidatorSet& validators, uint64_t height, uint64_t round);

}  // namespace trustmesh::consensus
