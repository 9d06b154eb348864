// Trust evaluation and gateway admission: from a device certificate, the
// ledger's organisations, certificates, models, releases and claims, and an
// ecosystem policy (policy.h), decide admit or deny, and say why in words a
// person can read: which certificate path and which claims decided it, and
// what is missing.
//
// The evaluation reads state only through a ledger::StateReader: a node's
// snapshot, or a light client's proof-checked entries (proven_state.h), so
// a gateway gets the same answer without trusting the node it asked.
//
// Invariants: pure and deterministic (no clock: the ledger's height and
// block time come in `LedgerNow`; claims are visited in id order; no
// unordered containers). Bad requests (a device certificate that does not
// parse) are errors; everything the ledger says against a device is a deny
// with its reasons, never an error. A storage fault is an error, never an
// admit. The claims graph may have cycles (A endorses B endorses A): trust
// is found by a bounded search that never loops.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/state.h"
#include "trust/policy.h"

namespace trustmesh::trust {

struct AdmissionRequest {
  Bytes device_der;                // the device's certificate
  std::vector<Bytes> chain;        // certificates the device presented with it (checked against the ledger)
  std::optional<Hash32> firmware;  // SHA-256 of the firmware image it runs
};

struct LedgerNow {
  uint64_t height = 0;  // the state is the state after this block
  uint64_t time = 0;    // that block's time (seconds); 0 = do not check certificate validity times
};

struct PathEntry {
  Hash32 hash{};
  std::string subject;
  std::string level;  // device | model | intermediate | root | external_root
  std::string org;
};

struct Check {
  std::string rule;
  bool ok = false;
  std::string detail;            // one or two sentences
  std::vector<uint64_t> claims;  // claim ids that decided it
  std::string missing;           // when !ok: what would have to be on the ledger
};

struct Decision {
  bool admit = false;
  std::string policy;
  uint64_t height = 0;
  Hash32 device_hash{};      // SHA-256 of the certificate
  Hash32 device_key_hash{};  // SHA-256 of its public key (SPKI): survives any re-encoding of the certificate
  std::string device_subject;
  std::vector<PathEntry> path;  // device first, root (then external root) last
  std::string manufacturer;     // org id of the root
  std::string model;            // "model:<vid>/<pid>" or ""
  std::optional<uint64_t> firmware_version;
  std::vector<Check> checks;
  std::vector<std::string> notes;  // things worth knowing that decided nothing
};

// kBadCertificate if req.device_der is not a certificate; kIo/kInternal for
// storage faults.
Result<Decision> evaluate_admission(const ledger::StateReader& state, const LedgerNow& now,
                                    const Policy& policy, const AdmissionRequest& req);

// The decision as text for people, one line per check.
std::string explain(const Decision& d);

}  // namespace trustmesh::trust
