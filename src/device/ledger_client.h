// How a device or gateway learns what the ledger says about a device name,
// without trusting any single ledger node:
//
//   * proof mode (default): ask one node of the membership list for
//     GET /v1/names/{name}/status?prove=true and verify the answer with the
//     light client (header commit against the trust anchor, Merkle proof
//     against the header's state root, freshness). A node whose answer does
//     not verify is skipped and the next one asked.
//   * quorum mode (the IoT-PKI paper's model): ask all N listed nodes for
//     GET /v1/names/{name} and accept the answer only if at least n of them
//     agree on status, owner, certificate hash and DER, configuration hash
//     and expiry.
//
// When no listed node answers at all: hard-fail gives kLedgerUnavailable;
// soft-fail answers from a bounded cache of earlier verified answers no older
// than soft_fail_max_stale_s (marked from_cache, with their age), else
// kLedgerUnavailable. The cache is never used while a node answers, so a
// revocation is seen from the next block on.
//
// Errors: kLedgerUnavailable (nobody answered), kVerificationFailure (nodes
// answered but no answer verified, or fewer than n agreed), kBadName.
// Connections to nodes are kept alive and reused (one per node, requests
// on it serialised); a transport error drops it and the next request dials.
// Invariants: a NameFacts returned with from_cache == false was verified (or
// agreed by n nodes) during this call; the cache holds at most cache_entries.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/address.h"
#include "light/trust_anchor.h"

namespace trustmesh::device {

struct NameFacts {
  std::string name;
  std::string status;  // "active" | "revoked" | "retired" | "expired" | "unregistered"
  std::optional<Address> owner;
  Hash32 cert_hash{};
  std::optional<Bytes> cert_der;
  std::optional<Hash32> config_hash;
  uint64_t expires_at = 0;
  uint64_t height = 0;
  std::string source;  // which node(s) vouched for it, or "cache"
  bool from_cache = false;
  uint64_t cache_age_s = 0;
};

class NameLookup {
 public:
  virtual ~NameLookup() = default;
  virtual Result<NameFacts> lookup(const std::string& name) = 0;
};

enum class LookupMode { kProof, kQuorum };
Result<LookupMode> parse_lookup_mode(std::string_view s);  // "proof" | "quorum"

struct LedgerOptions {
  std::vector<std::string> nodes;  // the membership list: base URLs of ledger nodes
  LookupMode mode = LookupMode::kProof;
  size_t quorum = 0;                         // n for quorum mode; 0 = a majority of the list
  std::optional<light::TrustAnchor> anchor;  // required in proof mode
  uint64_t max_age_s = 60;                   // freshness bound on proven headers
  bool soft_fail = false;
  uint64_t soft_fail_max_stale_s = 3600;
  size_t cache_entries = 1024;
  uint64_t timeout_ms = 2000;
  std::function<uint64_t()> now;  // seconds since the epoch; default: the system clock
};

class LedgerClient final : public NameLookup {
 public:
  static Result<std::unique_ptr<LedgerClient>> open(LedgerOptions opts);
  ~LedgerClient() override;
  Result<NameFacts> lookup(const std::string& name) override;
  const LedgerOptions& options() const { return opts_; }

  // Replaces the membership list (and the trust anchor, if given): the
  // periodic refresh. Look-ups under way finish with the old list; the cache
  // is kept. Same checks as open().
  Status set_membership(std::vector<std::string> nodes, std::optional<light::TrustAnchor> anchor);
  std::vector<std::string> nodes() const;

 private:
  explicit LedgerClient(LedgerOptions opts);
  struct Conn;        // a kept-alive HTTP connection to one node (ledger_client.cc)
  struct Membership;  // nodes, anchor, quorum and connections, replaced as a whole
  struct Reply {
    bool answered = false;  // false: transport error
    int status = 0;
    std::string body;
    std::string error;
  };
  static Result<std::shared_ptr<Membership>> make_membership(const LedgerOptions& opts,
                                                             std::vector<std::string> nodes,
                                                             std::optional<light::TrustAnchor> anchor);
  std::shared_ptr<Membership> members() const;
  Reply get(Membership& m, size_t node, const std::string& path);
  Result<NameFacts> lookup_proof(Membership& m, const std::string& name, bool& any_answered,
                                 std::string& errors);
  Result<NameFacts> lookup_quorum(Membership& m, const std::string& name, bool& any_answered,
                                  std::string& errors);
  void remember(const NameFacts& f);
  std::optional<NameFacts> recall(const std::string& name);

  struct Cached {
    NameFacts facts;
    uint64_t at = 0;
  };
  LedgerOptions opts_;
  std::shared_ptr<Membership> members_;  // guarded by mu_
  mutable std::mutex mu_;
  size_t next_node_ = 0;
  std::map<std::string, Cached> cache_;
  std::deque<std::string> order_;  // insertion order, for eviction
};

}  // namespace trustmesh::device
