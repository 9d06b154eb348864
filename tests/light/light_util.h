// Test harness for the light client: a REAL chain on RocksDB (store::LedgerDb
// in a temp dir) with deterministic keys, a funded account that signs real
// transactions, and for every applied block a consensus header (state root
// from LedgerDb, chained prev hash, validator set hash) and a commit signed
// by the validators' precommits. status_answer() plays an honest node's
// GET /v1/names/{name}/status?prove=true at the latest height.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "consensus/vote.h"
#include "ledger/executor.h"
#include "ledger/proof_keys.h"
#include "light/trust_anchor.h"
#include "store/ledger_db.h"
#include "store/proof_bundle.h"

namespace trustmesh::light::testing {

// A fresh directory under the GoogleTest temp dir, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

KeyPair seeded_key(const std::string& tag, int i);

struct ChainOptions {
  std::string chain_id = "light-test";
  int validators = 4;                  // each of power 1
  std::string key_tag = "validator";   // another tag gives another validator set
  uint64_t genesis_time = 1767225600;  // 2026-01-01
};

struct SignedBlock {
  consensus::BlockHeader header;
  Bytes header_cbor;
  Bytes commit_cbor;
};

class LightChain {
 public:
  explicit LightChain(ChainOptions opts = {});

  const std::string& chain_id() const { return opts_.chain_id; }
  const consensus::ValidatorSet& validator_set() const { return set_; }
  // The genesis JSON a node would serve at GET /v1/genesis, with "validators".
  std::string genesis_json() const;
  uint64_t height() const { return db_->height(); }
  uint64_t time() const {
    return blocks_.empty() ? opts_.genesis_time : blocks_.rbegin()->second.header.time;
  }
  const SignedBlock& at(uint64_t height) const { return blocks_.at(height); }
  const SignedBlock& latest() const { return at(height()); }
  Address owner() const { return Address::of(account_.public_key()); }

  // Applies a block (time defaults to the previous block's + 6 s), makes its
  // header and a commit signed by every validator. Returns the tx results.
  std::vector<ledger::TxResult> block(const std::vector<Bytes>& txs, std::optional<uint64_t> time = {});
  void empty_blocks(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) block({});
  }
  // A signed tx from the funded account with its next sequence number.
  Bytes tx(ledger::Operation op, uint64_t fee = 10);
  // name.preorder, then name.register in the next block; false if either failed.
  bool register_name(const std::string& name, uint64_t validity = 1000, int salt = 1);
  bool revoke(const std::string& name);

  // The commit of block `height` signed only by the validators at these
  // positions of the validator set (address order).
  Bytes commit_by(uint64_t height, const std::vector<size_t>& signers) const;
  // The exact stored value of the name's record at the latest height.
  std::optional<Bytes> record_bytes(const std::string& name) const;
  // An honest node's answer for `name` at the latest height.
  nlohmann::json status_answer(const std::string& name) const;
  // An honest node's POST /v1/proofs answer for these names at the latest height.
  store::ProofBundle bundle(const std::vector<std::string>& names) const;
  // The same for "claims_about" these subjects (count, index entries, claims)
  // and for "domain_of" them (place, domain record).
  store::ProofBundle claims_bundle(const std::vector<std::string>& subjects) const;
  store::ProofBundle domains_bundle(const std::vector<std::string>& subjects) const;
  // Any keys, each with what it leads to (ledger/proof_keys.h).
  store::ProofBundle linked_bundle(const std::vector<ledger::ProofKey>& roots) const;
  // org.register of `id` (a manufacturer) by the funded account, with a real
  // self-signed root; false if it failed.
  bool register_org(const std::string& id);
  // claim.issue by org `issuer` (registered above); the claim id, or 0 if it failed.
  uint64_t issue_claim(const std::string& issuer, const std::string& type, const std::string& subject,
                       std::map<std::string, std::string> data = {});

 private:
  ChainOptions opts_;
  TempDir dir_;
  std::vector<KeyPair> validator_keys_;  // in validator-set (address) order
  consensus::ValidatorSet set_;
  KeyPair account_;
  uint64_t seq_ = 0;
  ledger::Genesis genesis_;
  std::unique_ptr<store::LedgerDb> db_;
  std::map<uint64_t, SignedBlock> blocks_;
};

}  // namespace trustmesh::light::testing
