// A deterministic simulator of a whole validator network running the REAL
// consensus engine (consensus/engine.h) with its real Signer and log.
//
// One seed fixes everything: a seeded PRNG drives message loss, delay,
// duplication and reordering, partitions that heal, crashes and restarts
// (the engine is rebuilt from its MemorySignLog, which survives the crash like
// a disk; decided blocks survive too), and Byzantine validators that sign
// conflicting votes for every proposal they see, each sent to a random subset
// of the nodes, and, when they propose, send different blocks to different
// halves of the network. Time is simulated in
// milliseconds; nothing reads a clock, so a seed replays exactly.
//
// Checks, on every decision: the commit verifies against the validator set,
// and no two honest nodes decide different blocks at one height (safety).
// At the end: after the chaos phase (faults stop, partitions heal, crashed
// nodes restart, no more loss) every honest node decides `heights` blocks
// within `liveness_ms` of simulated time (liveness).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "consensus/engine.h"
#include "consensus/signer.h"

namespace trustmesh::sim {

using EngineFactory = std::function<std::unique_ptr<consensus::Engine>(consensus::EngineConfig,
                                                                       std::shared_ptr<consensus::Signer>)>;

struct SimConfig {
  uint64_t seed = 1;
  size_t validators = 4;
  size_t byzantine = 0;  // the last `byzantine` validators; at most f
  uint64_t heights = 6;  // each honest node must decide this many
  uint64_t chaos_ms = 4000;
  uint64_t liveness_ms = 60000;  // after chaos
  bool faults = true;            // loss, duplication, partitions, crashes during chaos
  bool check_commits = true;     // also fail on a decided commit that does not verify
};

struct SimResult {
  bool safe = true;
  bool live = true;
  std::string failure;   // empty when safe and live
  uint64_t decided = 0;  // lowest honest decided height at the end
  uint64_t events = 0;
  uint64_t sim_ms = 0;
};

SimResult run_sim(const SimConfig& config, const EngineFactory& factory);

// The production engine.
EngineFactory real_engine();

}  // namespace trustmesh::sim
