// run_register (name_register.h). Output: on success one line per step and
// the result; with --json one object {"name", "owner", "ok", "txs": [...]}
// holding every tx sent (each the node's answer plus "step"), and "error"
// when a step failed after a tx was sent.
#include "cli/name_register.h"

#include <openssl/rand.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/keyring.h"
#include "cli/tx_flow.h"
#include "ledger/executor.h"
#include "ledger/params.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

// The height a node message names after `marker` ("... at height 12"), or 0.
uint64_t height_after(const std::string& message, const std::string& marker) {
  size_t pos = message.find(marker);
  if (pos == std::string::npos) return 0;
  pos += marker.size();
  uint64_t h = 0;
  while (pos < message.size() && message[pos] >= '0' && message[pos] <= '9' && h < (uint64_t{1} << 60)) {
    h = h * 10 + static_cast<uint64_t>(message[pos++] - '0');
  }
  return h;
}

// Refuses a name the node reports as held (active or revoked, not expired).
// A salt left by an earlier registration of a name now held by `from` is
// stale (that registration succeeded): it is removed.
Done check_available(NodeClient& node, const Keyring& ring, const std::string& name, const Address& from) {
  Outcome<json> rec = node.get_json("/v1/names/" + path_segment(name));
  if (!rec.ok() && rec.failure().exit == kExitError && rec.failure().error.code == ErrorCode::kNameNotFound) {
    return kDone;
  }
  if (!rec.ok()) return rec.failure();
  std::string status = json_str(*rec, "status");
  if (status == "expired") return kDone;
  std::string owner = json_str(*rec, "owner");
  if (owner == from.to_string()) ring.remove_salt(name);
  std::string hint = owner == from.to_string()
                         ? "; it is yours: change it with `trustmesh name update` or extend it with "
                           "`trustmesh name renew`"
                         : "";
  return make_error(ErrorCode::kNameTaken, "name '" + name + "' is " + status + ", held by " + owner +
                                               " until block " +
                                               std::to_string(json_uint(*rec, "expires_at")) + hint);
}

// The salt: --salt, else the one saved by an earlier attempt, else a new one
// (saved before it is used).
Outcome<Bytes> choose_salt(const Keyring& ring, const RegisterOptions& o, const Address& from) {
  TM_CLI_ASSIGN(std::optional<SaltRecord> saved, ring.load_salt(o.name));
  if (saved && saved->owner != from) {
    return make_error(ErrorCode::kInvalidArgument,
                      ring.salt_path(o.name) + " holds the salt of an earlier registration by " +
                          saved->owner.to_string() + ", not by --key " + o.key + " (" + from.to_string() +
                          "); use that key, or remove the file to start over");
  }
  if (!o.salt.empty()) {
    Result<Bytes> salt = from_hex(o.salt);
    if (!salt.ok() || salt->size() != ledger::kSaltSize) {
      return make_error(ErrorCode::kInvalidArgument, "--salt must be 64 hex characters (32 bytes)");
    }
    if (saved && saved->salt != *salt) {
      return make_error(
          ErrorCode::kInvalidArgument,
          ring.salt_path(o.name) + " holds another salt for this name; pass that one, or remove it");
    }
    if (!saved) TM_CLI_TRY(ring.save_salt(SaltRecord{o.name, from, *salt}));
    return std::move(*salt);
  }
  if (saved) {
    std::cerr << "resuming an earlier registration of " << o.name << " with the salt saved in "
              << ring.salt_path(o.name) << "\n";
    return saved->salt;
  }
  Bytes salt(ledger::kSaltSize);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return make_error(ErrorCode::kCryptoFailure, "RAND_bytes failed: no randomness for the salt");
  }
  TM_CLI_TRY(ring.save_salt(SaltRecord{o.name, from, salt}));
  return salt;
}

class Register {
 public:
  Register(const RegisterOptions& o, TxSession& s, const Keyring& ring) : o_(o), s_(s), ring_(ring) {}

  Done run(const ledger::NameValue& value) {
    TM_CLI_ASSIGN(Bytes salt, choose_salt(ring_, o_, s_.from));
    TM_CLI_ASSIGN(preorder_height_, preorder(salt));
    uint64_t earliest = preorder_height_ == 0 ? 0 : preorder_height_ + o_.wait_blocks;
    return register_when_mature(earliest, ledger::op::NameRegister{o_.name, salt, value, o_.validity});
  }

  json to_json() const { return {{"name", o_.name}, {"owner", s_.from.to_string()}, {"txs", txs_}}; }

 private:
  // Sends the preorder; returns its height (0 if an earlier one is reused
  // and its height is unknown).
  Outcome<uint64_t> preorder(const Bytes& salt) {
    Hash32 commitment = ledger::name_commitment(o_.name, salt, s_.from);
    TM_CLI_ASSIGN(json tx, send(ledger::op::NamePreorder{commitment}, "preorder"));
    if (tx_applied(tx)) {
      say("preorder committed at height " + std::to_string(json_uint(tx, "height")) + " (tx " +
          json_str(tx, "hash") + ")");
      return json_uint(tx, "height");
    }
    if (static_cast<ErrorCode>(json_uint(tx, "code")) == ErrorCode::kPreorderExists) {
      uint64_t h = height_after(json_str(tx, "message"), "at height ");
      say("the preorder of an earlier attempt is still live" +
          (h > 0 ? " (height " + std::to_string(h) + ")" : std::string()) + "; using it");
      return h;
    }
    return tx_failure(tx, "preorder");
  }

  // Registers once a register sent now lands at or after `earliest`; sends it
  // again while it lands too early.
  Done register_when_mature(uint64_t earliest, const ledger::op::NameRegister& op) {
    for (int attempt = 0;; ++attempt) {
      if (earliest > 1) {
        // A tx sent while the chain is at height h lands in block h + 1 or later.
        TM_CLI_TRY(
            wait_for_height(s_.node, earliest - 1, o_.node.timeout_s, progress_, [&](uint64_t current) {
              std::string at =
                  preorder_height_ > 0 ? "preorder at " + std::to_string(preorder_height_) + ", " : "";
              return "waiting for block " + std::to_string(earliest - 1) + " (" + at +
                     std::to_string(earliest - 1 - current) + " more) ...";
            }));
        progress_.clear();
      }
      TM_CLI_ASSIGN(json tx, send(op, "register"));
      if (tx_applied(tx)) {
        ring_.remove_salt(o_.name);
        return kDone;
      }
      bool too_early = static_cast<ErrorCode>(json_uint(tx, "code")) == ErrorCode::kPreorderTooEarly;
      if (!too_early || attempt >= 20) return tx_failure(tx, "register");
      uint64_t matures = height_after(json_str(tx, "message"), "matures at height ");
      earliest = std::max(matures, json_uint(tx, "height") + 1);
      say("the register landed before the preorder matured (block " +
          std::to_string(json_uint(tx, "height")) + "); sending it again for block " +
          std::to_string(earliest));
    }
  }

  // Sends one tx and waits for its commit, recording it in txs_ as soon as
  // the node has it (so a timeout still reports its hash).
  Outcome<json> send(const ledger::Operation& op, const std::string& step) {
    Outcome<json> tx = submit_tx(s_.node, s_.ctx, op, step, progress_);
    if (tx.ok()) {
      txs_.push_back(*tx);
      txs_.back()["step"] = step;
      if (json_str(*tx, "status") != "committed") {
        tx = wait_committed(s_.node, json_str(*tx, "hash"), o_.node.timeout_s, progress_, step);
        if (tx.ok()) {
          txs_.back() = *tx;
          txs_.back()["step"] = step;
        }
      }
    }
    progress_.clear();
    return tx;
  }

  void say(const std::string& line) const {
    if (!o_.node.json) std::cerr << line << "\n";
  }

  const RegisterOptions& o_;
  TxSession& s_;
  const Keyring& ring_;
  Progress progress_;
  uint64_t preorder_height_ = 0;
  json txs_ = json::array();
};

}  // namespace

Done run_register(const RegisterOptions& o) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  TM_CLI_ASSIGN(ledger::NameValue value, build_name_value(o.value));
  return run_register_value(o, value);
}

Done run_register_value(const RegisterOptions& o, const ledger::NameValue& value) {
  TM_CLI_TRY(ledger::check_name(o.name, ledger::kHardMaxNameLen));
  if (o.wait_blocks == 0) return make_error(ErrorCode::kInvalidArgument, "--wait-blocks must be at least 1");
  TM_CLI_ASSIGN(TxSession s, open_tx_session(o.node, o.keyring, o.key, o.fee));
  Keyring ring(o.keyring);
  TM_CLI_TRY(check_available(s.node, ring, o.name, s.from));

  Register reg(o, s, ring);
  Done done = reg.run(value);
  json out = reg.to_json();
  out["ok"] = done.ok();
  if (!done.ok()) {
    const Error& e = done.failure().error;
    out["error"] = {{"code", static_cast<unsigned>(e.code)},
                    {"error", std::string(error_code_name(e.code))},
                    {"message", e.message},
                    {"exit", done.failure().exit}};
    std::error_code ec;
    if (std::filesystem::exists(ring.salt_path(o.name), ec)) out["salt_file"] = ring.salt_path(o.name);
  }
  if (o.node.json) {
    if (done.ok() || !out["txs"].empty()) std::cout << out.dump() << "\n";
  } else if (done.ok()) {
    const json& reg_tx = out["txs"].back();
    std::cout << "registered " << o.name << " to " << s.from.to_string() << " at height "
              << json_uint(reg_tx, "height") << " for " << o.validity << " blocks (cert sha256 "
              << to_hex(value.cert_hash) << ")\n  register tx " << json_str(reg_tx, "hash") << "\n";
  }
  if (!done.ok() && out.contains("salt_file")) {
    Failure f = done.failure();
    bool transient = f.exit == kExitUnreachable || f.exit == kExitTimeout;
    f.error.message += transient ? "; run the same command again to resume (the salt is kept in " +
                                       out["salt_file"].get<std::string>() + ")"
                                 : "; the salt is kept in " + out["salt_file"].get<std::string>() +
                                       " (the same command retries with it; remove it to start over)";
    return f;
  }
  return done;
}

}  // namespace trustmesh::cli
