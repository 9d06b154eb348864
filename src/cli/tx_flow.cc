// Sending txs and waiting for blocks (tx_flow.h). Waits poll the node every
// kPollInterval over one keep-alive connection.
#include "cli/tx_flow.h"

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/keyring.h"

namespace trustmesh::cli {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);  // a block is 200 ms or more

std::string short_hash(const std::string& h) {
  return h.size() > 16 ? h.substr(0, 16) + "..." : h;
}

Failure timeout(uint64_t timeout_s, const std::string& what) {
  return Failure{make_error(ErrorCode::kIo, "timed out after " + std::to_string(timeout_s) + " s " + what),
                 kExitTimeout};
}

Clock::time_point deadline_after(uint64_t timeout_s) {
  return Clock::now() + std::chrono::seconds(timeout_s);
}

}  // namespace

Outcome<TxSession> open_tx_session(const NodeOptions& opts, const std::string& keyring,
                                   const std::string& key, uint64_t fee) {
  Keyring ring(keyring);
  TM_CLI_ASSIGN(KeyPair k, ring.load(key));
  if (auto w = ring.permission_warning(key)) std::cerr << "warning: " << *w << "\n";
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(opts.node, opts.timeout_s));
  TM_CLI_ASSIGN(std::string chain_id, fetch_chain_id(node));
  Address from = Address::of(k.public_key());
  return TxSession{std::move(node), TxContext{std::move(k), std::move(chain_id), fee, opts.timeout_s}, from};
}

Outcome<NodeClient> open_reader(const NodeOptions& opts, const std::string& keyring, const std::string& key) {
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(opts.node, opts.timeout_s));
  if (key.empty()) return node;
  Keyring ring(keyring);
  TM_CLI_ASSIGN(KeyPair k, ring.load(key));
  if (auto w = ring.permission_warning(key)) std::cerr << "warning: " << *w << "\n";
  // From the genesis, which edge servers serve too (they have no /v1/status).
  TM_CLI_ASSIGN(json genesis, node.get_json("/v1/genesis"));
  const std::string chain_id = json_str(genesis, "chain_id");
  if (chain_id.empty())
    return make_error(ErrorCode::kMalformed,
                      node.url() + "/v1/genesis names no chain_id; is it a trustmesh server?");
  node.sign_with(std::move(k), chain_id);
  return node;
}

uint64_t json_uint(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::string json_str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Outcome<json> fetch_status(NodeClient& node) {
  TM_CLI_ASSIGN(json s, node.get_json("/v1/status"));
  if (json_str(s, "chain_id").empty() || !s.contains("height") || !s["height"].is_number_unsigned()) {
    return make_error(ErrorCode::kMalformed, "the node's /v1/status answer has no chain_id or height");
  }
  return s;
}

Outcome<uint64_t> fetch_height(NodeClient& node) {
  TM_CLI_ASSIGN(json s, fetch_status(node));
  return json_uint(s, "height");
}

Outcome<std::string> fetch_chain_id(NodeClient& node) {
  TM_CLI_ASSIGN(json s, fetch_status(node));
  return json_str(s, "chain_id");
}

Outcome<uint64_t> wait_for_height(NodeClient& node, uint64_t height, uint64_t timeout_s, Progress& progress,
                                  const std::function<std::string(uint64_t current)>& line) {
  auto deadline = deadline_after(timeout_s);
  for (;;) {
    TM_CLI_ASSIGN(uint64_t current, fetch_height(node));
    if (current >= height) return current;
    if (Clock::now() >= deadline) {
      return timeout(timeout_s, "waiting for block " + std::to_string(height) + " (the node is at block " +
                                    std::to_string(current) +
                                    "; is it producing blocks? raise --timeout to wait)");
    }
    progress.show(line(current));
    std::this_thread::sleep_for(kPollInterval);
  }
}

Outcome<json> wait_committed(NodeClient& node, const std::string& hash, uint64_t timeout_s,
                             Progress& progress, const std::string& step) {
  auto deadline = deadline_after(timeout_s);
  for (;;) {
    Outcome<json> tx = node.get_json("/v1/txs/" + hash);
    if (!tx.ok() && tx.failure().error.code == ErrorCode::kNotFound && tx.failure().exit == kExitError) {
      return make_error(ErrorCode::kNotFound,
                        "the node dropped the " + step + " tx " + hash +
                            " from its mempool: it is no longer valid (another tx of the "
                            "same account took its sequence, or the balance no longer "
                            "covers its fee); nothing was applied");
    }
    if (!tx.ok()) return tx.failure();
    if (json_str(*tx, "status") == "committed") return tx;
    if (Clock::now() >= deadline) {
      return timeout(timeout_s,
                     "waiting for the " + step + " tx " + hash +
                         " to be committed; it is still pending (follow it with `trustmesh tx status " +
                         hash + " --wait`, or raise --timeout)");
    }
    progress.show("waiting for the " + step + " tx " + short_hash(hash) + " to be committed ...");
    std::this_thread::sleep_for(kPollInterval);
  }
}

Outcome<json> submit_tx(NodeClient& node, const TxContext& ctx, const ledger::Operation& op,
                        const std::string& step, Progress& progress) {
  const Address from = Address::of(ctx.key.public_key());
  auto deadline = deadline_after(ctx.timeout_s);
  json answer;
  std::string hash;
  for (;;) {
    TM_CLI_ASSIGN(json account, node.get_json("/v1/accounts/" + from.to_string()));
    uint64_t seq = json_uint(account, "seq");
    TM_CLI_ASSIGN(ledger::Tx tx, ledger::make_tx(ctx.key, ctx.chain_id, seq, ctx.fee, op));
    hash = to_hex(tx.hash());
    Bytes body = tx.encode();
    Outcome<json> posted = node.post_json("/v1/txs", to_string(body), "application/cbor");
    if (posted.ok()) {
      answer = std::move(*posted);
      break;
    }
    const Failure& f = posted.failure();
    // Another tx of this account is pending with this sequence: retry once it is in a block.
    if (f.exit != kExitError || f.error.code != ErrorCode::kBadSequence || Clock::now() >= deadline) {
      Failure out = f;
      out.error.message = "the node refused the " + step + " tx: " + out.error.message;
      return out;
    }
    TM_CLI_ASSIGN(uint64_t h, fetch_height(node));
    TM_CLI_TRY(wait_for_height(node, h + 1, ctx.timeout_s, progress, [&](uint64_t) {
      return "sequence " + std::to_string(seq) + " of " + from.to_string() +
             " is taken by a pending tx; retrying the " + step + " after the next block ...";
    }));
  }
  if (json_str(answer, "hash") != hash) {
    return make_error(ErrorCode::kMalformed, "the node answered the " + step + " tx " + hash +
                                                 " with hash '" + json_str(answer, "hash") + "'");
  }
  return answer;
}

Outcome<json> send_tx(NodeClient& node, const TxContext& ctx, const ledger::Operation& op,
                      const std::string& step, Progress& progress) {
  TM_CLI_ASSIGN(json answer, submit_tx(node, ctx, op, step, progress));
  if (json_str(answer, "status") == "committed") return answer;
  return wait_committed(node, json_str(answer, "hash"), ctx.timeout_s, progress, step);
}

bool tx_applied(const json& committed) {
  return json_str(committed, "status") == "committed" && json_str(committed, "outcome") == "ok";
}

Failure tx_failure(const json& committed, const std::string& step) {
  auto code = static_cast<ErrorCode>(json_uint(committed, "code"));
  std::string msg = json_str(committed, "message");
  std::string outcome = json_str(committed, "outcome");
  std::string effect =
      outcome == "failed" ? "its fee was paid and nothing else changed" : "nothing was applied";
  return Failure{make_error(code, (msg.empty() ? std::string(error_code_name(code)) : msg) + " (the " + step +
                                      " tx " + json_str(committed, "hash") + " was committed at height " +
                                      std::to_string(json_uint(committed, "height")) + " with outcome '" +
                                      outcome + "': " + effect + ")"),
                 kExitTxFailed};
}

std::string describe_tx(const json& tx) {
  std::string status = json_str(tx, "status");
  if (status != "committed") return status.empty() ? "unknown" : status;
  std::string s =
      "committed at height " + std::to_string(json_uint(tx, "height")) + ", " + json_str(tx, "outcome");
  if (json_str(tx, "outcome") != "ok") {
    s += ": " + json_str(tx, "error") + " (" + std::to_string(json_uint(tx, "code")) +
         "): " + json_str(tx, "message");
  }
  return s + " (burned " + std::to_string(json_uint(tx, "burned")) + ")";
}

Done send_and_report(const NodeOptions& node, const std::string& keyring, const std::string& key,
                     uint64_t fee, const ledger::Operation& op, const std::string& step,
                     const std::string& done) {
  return send_and_report(
      node, keyring, key, fee, [&op](const TxSession&) -> Outcome<ledger::Operation> { return op; }, step,
      done);
}

Done send_and_report(const NodeOptions& node, const std::string& keyring, const std::string& key,
                     uint64_t fee, const std::function<Outcome<ledger::Operation>(const TxSession&)>& build,
                     const std::string& step, const std::string& done) {
  TM_CLI_ASSIGN(TxSession s, open_tx_session(node, keyring, key, fee));
  TM_CLI_ASSIGN(ledger::Operation op, build(s));
  Progress progress;
  TM_CLI_ASSIGN(nlohmann::json tx, submit_tx(s.node, s.ctx, op, step, progress));
  if (json_str(tx, "status") != "committed") {
    Outcome<nlohmann::json> committed =
        wait_committed(s.node, json_str(tx, "hash"), node.timeout_s, progress, step);
    if (!committed.ok()) {
      if (node.json) std::cout << tx.dump() << "\n";  // still pending: at least its hash
      return committed.failure();
    }
    tx = std::move(*committed);
  }
  progress.clear();
  if (node.json) std::cout << tx.dump() << "\n";
  if (!tx_applied(tx)) return tx_failure(tx, step);
  if (!node.json) {
    std::cout << done << " at height " << json_uint(tx, "height") << " (tx " << json_str(tx, "hash")
              << ", burned " << json_uint(tx, "burned") << ")\n";
  }
  return kDone;
}

}  // namespace trustmesh::cli
