// LightChain and helpers; see light_util.h.
#include "light/light_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "core/hash.h"
#include "core/x509_issue.h"
#include "ledger/compliance.h"
#include "ledger/proof_keys.h"
#include "ledger/schema.h"
#include "ledger/state_read.h"
#include "store/proof.h"

namespace trustmesh::light::testing {

TempDir::TempDir() {
  std::string tmpl = ::testing::TempDir();
  if (tmpl.empty() || tmpl.back() != '/') tmpl += '/';
  tmpl += "tm_light_XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* p = mkdtemp(buf.data());
  TM_ASSERT(p != nullptr);
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

KeyPair seeded_key(const std::string& tag, int i) {
  return KeyPair::from_seed(KeyAlg::kP256, sha256(as_bytes(tag + "-" + std::to_string(i)))).value();
}

namespace {
consensus::ValidatorSet make_set(std::vector<KeyPair>& keys) {
  std::sort(keys.begin(), keys.end(), [](const KeyPair& a, const KeyPair& b) {
    return Address::of(a.public_key()) < Address::of(b.public_key());
  });
  std::vector<consensus::Validator> vals;
  for (const KeyPair& k : keys) vals.push_back({k.public_key(), 1});
  return consensus::ValidatorSet::make(std::move(vals)).value();
}
}  // namespace

LightChain::LightChain(ChainOptions opts)
    : opts_(std::move(opts)),
      validator_keys_([&] {
        std::vector<KeyPair> keys;
        for (int i = 0; i < opts_.validators; ++i) keys.push_back(seeded_key(opts_.key_tag, i));
        return keys;
      }()),
      set_(make_set(validator_keys_)),
      account_(seeded_key("account", 0)) {
  genesis_.chain_id = opts_.chain_id;
  genesis_.genesis_time = opts_.genesis_time;
  genesis_.accounts.push_back({owner(), 1'000'000'000});
  genesis_.trustees.push_back(owner());
  db_ = store::LedgerDb::open(dir_.path()).value();
  Status st = db_->init(genesis_);
  TM_ASSERT(st.ok());
}

std::string LightChain::genesis_json() const {
  nlohmann::json j = nlohmann::json::parse(genesis_.to_json());
  nlohmann::json vals = nlohmann::json::array();
  for (size_t i = 0; i < validator_keys_.size(); ++i) {
    vals.push_back({{"pub_key", to_hex(validator_keys_[i].public_key().encoded())},
                    {"power", 1},
                    {"name", "node-" + std::to_string(i)}});
  }
  j["validators"] = vals;
  return j.dump(2);
}

std::vector<ledger::TxResult> LightChain::block(const std::vector<Bytes>& txs, std::optional<uint64_t> time) {
  uint64_t t = time ? *time : this->time() + 6;
  store::AppliedBlock applied = db_->apply_block(t, txs).value();
  consensus::BlockHeader h;
  h.chain_id = opts_.chain_id;
  h.height = applied.height;
  h.time = t;
  h.prev_hash = blocks_.empty() ? Hash32{} : blocks_.rbegin()->second.header.hash();
  h.tx_root = consensus::tx_merkle_root(txs);
  h.state_root = applied.root;
  h.validators_hash = set_.hash();
  h.next_validators_hash = set_.hash();
  h.proposer = set_.validators()[h.height % set_.size()].address();
  SignedBlock& b = blocks_[h.height];
  b.header = h;
  b.header_cbor = h.encode();
  std::vector<size_t> all(validator_keys_.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  b.commit_cbor = commit_by(h.height, all);
  return applied.txs;
}

Bytes LightChain::commit_by(uint64_t height, const std::vector<size_t>& signers) const {
  const consensus::BlockHeader& h = blocks_.at(height).header;
  std::vector<consensus::Vote> votes;
  for (size_t i : signers) {
    votes.push_back(consensus::make_vote(validator_keys_.at(i), h.chain_id, consensus::VoteType::kPrecommit,
                                         h.height, 0, h.hash())
                        .value());
  }
  return consensus::make_commit(h.height, 0, h.hash(), std::move(votes)).encode();
}

Bytes LightChain::tx(ledger::Operation op, uint64_t fee) {
  return ledger::make_tx(account_, opts_.chain_id, seq_++, fee, std::move(op)).value().encode();
}

bool LightChain::register_name(const std::string& name, uint64_t validity, int salt) {
  Hash32 s = sha256(as_bytes("salt-" + std::to_string(salt)));
  Bytes salt_bytes(s.begin(), s.end());
  auto pre = block({tx(ledger::op::NamePreorder{ledger::name_commitment(name, salt_bytes, owner())})});
  if (pre.at(0).outcome != ledger::TxOutcome::kOk) return false;
  ledger::NameValue value;
  value.cert_hash = sha256(as_bytes("cert of " + name));
  value.config_hash = sha256(as_bytes("config of " + name));
  auto reg = block({tx(ledger::op::NameRegister{name, salt_bytes, value, validity})});
  return reg.at(0).outcome == ledger::TxOutcome::kOk;
}

bool LightChain::revoke(const std::string& name) {
  return block({tx(ledger::op::NameRevoke{name})}).at(0).outcome == ledger::TxOutcome::kOk;
}

std::optional<Bytes> LightChain::record_bytes(const std::string& name) const {
  return db_->state().get(ledger::schema::name_key(name)).value();
}

nlohmann::json LightChain::status_answer(const std::string& name) const {
  Bytes key = ledger::schema::name_key(name);
  std::optional<Bytes> value = record_bytes(name);
  store::Proof proof = db_->state().prove(key).value();
  std::optional<ledger::NameRecord> rec;
  if (value) rec = ledger::NameRecord::from_cbor(cbor::decode(*value).value()).value();
  // Written out here rather than calling the light client's name_status_at,
  // so the test does not check the library against itself.
  std::string status = !rec                                          ? "unregistered"
                       : rec->expired_at(height())                   ? "expired"
                       : rec->status == ledger::NameStatus::kRevoked ? "revoked"
                                                                     : "active";
  nlohmann::json j = {{"name", name}, {"status", status}, {"height", height()}};
  if (rec) {
    j["expires_at"] = rec->expires_at;
    j["cert_hash"] = to_hex(rec->value.cert_hash);
    j["owner"] = rec->owner.to_string();
  }
  j["proof"] = {{"key", to_hex(key)},
                {"value", value ? nlohmann::json(to_hex(*value)) : nlohmann::json(nullptr)},
                {"proof", to_hex(store::encode_proof(proof))}};
  j["header_cbor"] = to_hex(latest().header_cbor);
  j["commit_cbor"] = to_hex(latest().commit_cbor);
  return j;
}

store::ProofBundle LightChain::bundle(const std::vector<std::string>& names) const {
  store::ProofBundle b;
  b.chain_id = chain_id();
  b.headers.push_back({latest().header_cbor, latest().commit_cbor});
  for (const std::string& name : names) {
    Bytes key = ledger::schema::name_key(name);
    b.entries.push_back(
        {key, height(), record_bytes(name), store::encode_proof(db_->state().prove(key).value())});
  }
  return b;
}

store::ProofBundle LightChain::claims_bundle(const std::vector<std::string>& subjects) const {
  std::vector<ledger::ProofKey> roots;
  for (const std::string& s : subjects) roots.push_back(ledger::claims_root(s));
  return linked_bundle(roots);
}

store::ProofBundle LightChain::domains_bundle(const std::vector<std::string>& subjects) const {
  std::vector<ledger::ProofKey> roots;
  for (const std::string& s : subjects) roots.push_back(ledger::domain_root(s));
  return linked_bundle(roots);
}

store::ProofBundle LightChain::linked_bundle(const std::vector<ledger::ProofKey>& roots) const {
  store::ProofBundle b;
  b.chain_id = chain_id();
  b.headers.push_back({latest().header_cbor, latest().commit_cbor});
  for (const ledger::ProofKey& root : roots) {
    const std::vector<Bytes> keys = ledger::expand_proof_keys(*db_->state().view(), root).value();
    for (const Bytes& key : keys) {
      b.entries.push_back({key, height(), db_->state().get(key).value(),
                           store::encode_proof(db_->state().prove(key).value())});
    }
  }
  return b;
}

bool LightChain::register_org(const std::string& id) {
  x509::CertSpec spec{.cn = id + " Root", .org = id, .ca = true, .not_before = 1577836800};
  auto root = x509::issue(spec, std::nullopt);
  if (!root.ok()) return false;
  auto sig = x509::sign_with(root->key.get(), ledger::org_root_message(chain_id(), id, owner()));
  if (!sig.ok()) return false;
  ledger::op::OrgRegister o{
      .id = id, .kind = "manufacturer", .name = id + " Ltd", .roots = {root->der}, .root_sigs = {*sig}};
  return block({tx(std::move(o))}).at(0).outcome == ledger::TxOutcome::kOk;
}

uint64_t LightChain::issue_claim(const std::string& issuer, const std::string& type,
                                 const std::string& subject, std::map<std::string, std::string> data) {
  ledger::op::ClaimIssue c{.issuer = issuer, .type = type, .subject = subject};
  for (auto& [k, v] : data) c.data[k] = v;
  auto r = block({tx(std::move(c))}).at(0);
  if (r.outcome != ledger::TxOutcome::kOk) return 0;
  return ledger::read_cbor_uint(*db_->state().view(), ledger::schema::next_claim_key(), "next claim id", 1)
             .value() -
         1;
}

}  // namespace trustmesh::light::testing
