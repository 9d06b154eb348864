// Sending transactions through a node and waiting for the chain: the steps
// every tx-sending command shares.
//
//   send_tx: sign the operation with the account's next sequence (GET
//   /v1/accounts/{address}), POST /v1/txs as CBOR, poll GET /v1/txs/{hash}
//   until committed. A sequence refused because the sender already has a tx
//   pending is retried after the next block, until the deadline.
//
// Invariants: every wait is bounded by its timeout (exit 4 when it passes,
// with the tx hash so the user can follow up with `trustmesh tx status`); a
// tx JSON returned by send_tx is the node's committed answer for exactly the
// tx that was signed (its hash is checked).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/client_opts.h"
#include "cli/http_client.h"
#include "cli/progress.h"
#include "ledger/tx.h"

namespace trustmesh::cli {

// What every tx of one command is signed and sent with.
struct TxContext {
  KeyPair key;
  std::string chain_id;
  uint64_t fee = 10;
  uint64_t timeout_s = 60;
};

// A node to send through and what to sign with: the start of every
// tx-sending command (loads the key, then asks the node for its chain id).
struct TxSession {
  NodeClient node;
  TxContext ctx;
  Address from;
};
Outcome<TxSession> open_tx_session(const NodeOptions& opts, const std::string& keyring,
                                   const std::string& key, uint64_t fee);

// A client for reads: with a keyring `key`, every request is signed by it
// (Authorization: TM-Sig for the node's chain id), so private access domains
// answer it as that key's address; with key "" the requests are anonymous.
Outcome<NodeClient> open_reader(const NodeOptions& opts, const std::string& keyring, const std::string& key);

Outcome<nlohmann::json> fetch_status(NodeClient& node);  // GET /v1/status
Outcome<uint64_t> fetch_height(NodeClient& node);
Outcome<std::string> fetch_chain_id(NodeClient& node);

// Polls the node until its height is at least `height`, showing line(current)
// as progress. kExitTimeout after timeout_s seconds.
Outcome<uint64_t> wait_for_height(NodeClient& node, uint64_t height, uint64_t timeout_s, Progress& progress,
                                  const std::function<std::string(uint64_t current)>& line);

// Signs and submits one tx; returns the node's POST /v1/txs answer
// ({"hash", "status": "pending" | "committed", ...}), its hash checked.
Outcome<nlohmann::json> submit_tx(NodeClient& node, const TxContext& ctx, const ledger::Operation& op,
                                  const std::string& step, Progress& progress);

// submit_tx, then waits for the commit; returns the node's
// GET /v1/txs answer ("status": "committed", "outcome": ...), whatever the
// outcome. `step` names the tx in progress lines ("preorder", "update").
Outcome<nlohmann::json> send_tx(NodeClient& node, const TxContext& ctx, const ledger::Operation& op,
                                const std::string& step, Progress& progress);

// The whole life of a one-tx command: open a session with `key`, sign and
// send `op`, wait for the commit, print "<done> at height H (tx ..., burned
// B)" (or the node's JSON with --json); exit 5 if the operation failed.
Done send_and_report(const NodeOptions& node, const std::string& keyring, const std::string& key,
                     uint64_t fee, const ledger::Operation& op, const std::string& step,
                     const std::string& done);

// The same, for an operation that depends on the session (the chain id or
// the sender's address, e.g. a proof of possession signed over them).
Done send_and_report(const NodeOptions& node, const std::string& keyring, const std::string& key,
                     uint64_t fee, const std::function<Outcome<ledger::Operation>(const TxSession&)>& build,
                     const std::string& step, const std::string& done);

// Polls GET /v1/txs/{hash} until it is committed.
Outcome<nlohmann::json> wait_committed(NodeClient& node, const std::string& hash, uint64_t timeout_s,
                                       Progress& progress, const std::string& step);

// True iff a committed tx answer says the operation applied.
bool tx_applied(const nlohmann::json& committed);
// The Failure (exit 5) for a committed tx whose operation failed: the
// operation's own code and message, plus where it was committed.
Failure tx_failure(const nlohmann::json& committed, const std::string& step);

// One-line summary of a tx answer for people: "committed at height 7, ok
// (burned 10)" / "pending" / "committed at height 7, failed: not_owner ...".
std::string describe_tx(const nlohmann::json& tx);

// A JSON field as uint64 / string (0 / "" when missing or mistyped).
uint64_t json_uint(const nlohmann::json& j, const char* key);
std::string json_str(const nlohmann::json& j, const char* key);

}  // namespace trustmesh::cli
