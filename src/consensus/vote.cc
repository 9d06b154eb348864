// Vote, proposal and commit encoding, signing and verification (vote.h).
#include "consensus/vote.h"

#include <algorithm>

#include "ledger/records.h"
#include "ledger/vote_bytes.h"

namespace trustmesh::consensus {

using cbor::Value;

namespace {
constexpr std::string_view kProposalDomain = "trustmesh/proposal/v1";

Bytes domain_bytes(std::string_view domain, const Value& body) {
  Bytes out(domain.begin(), domain.end());
  out.push_back(0);
  cbor::encode_to(out, body);
  return out;
}

Value opt_hash(const std::optional<Hash32>& h) {
  return h ? Value::bytes(ByteView(*h)) : Value::null();
}

Result<VoteType> vote_type_of(uint64_t t) {
  if (t == 1) return VoteType::kPrevote;
  if (t == 2) return VoteType::kPrecommit;
  return make_error(ErrorCode::kMalformed, "vote: unknown type " + std::to_string(t));
}
}  // namespace

Bytes Vote::sign_bytes(std::string_view chain_id) const {
  return ledger::vote_sign_bytes(chain_id, static_cast<uint8_t>(type), height, round, block);
}

Value Vote::to_cbor() const {
  return Value::map({
      {Value::text("type"), Value::uint(static_cast<uint64_t>(type))},
      {Value::text("height"), Value::uint(height)},
      {Value::text("round"), Value::uint(round)},
      {Value::text("block"), opt_hash(block)},
      {Value::text("validator"), Value::bytes(ByteView(validator.bytes()))},
      {Value::text("sig"), Value::bytes(ByteView(sig))},
  });
}

Result<Vote> Vote::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, cbor::MapReader::of(v, "vote"));
  Vote vote;
  TM_ASSIGN_OR_RETURN(uint64_t t, r.get_uint("type"));
  TM_ASSIGN_OR_RETURN(vote.type, vote_type_of(t));
  TM_ASSIGN_OR_RETURN(vote.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(vote.round, r.get_uint("round"));
  TM_ASSIGN_OR_RETURN(const Value* b, r.get("block"));
  if (!b->is_null()) {
    TM_ASSIGN_OR_RETURN(Bytes bb, b->as_bytes());
    TM_ASSIGN_OR_RETURN(Hash32 h, ledger::hash32_of(bb, "block"));
    vote.block = h;
  }
  TM_ASSIGN_OR_RETURN(vote.validator, ledger::read_address(r, "validator"));
  TM_ASSIGN_OR_RETURN(vote.sig, r.get_bytes("sig"));
  TM_TRY(r.finish());
  return vote;
}

Result<Vote> make_vote(const KeyPair& key, std::string_view chain_id, VoteType type, uint64_t height,
                       uint64_t round, std::optional<Hash32> block) {
  Vote v;
  v.type = type;
  v.height = height;
  v.round = round;
  v.block = block;
  v.validator = Address::of(key.public_key());
  TM_ASSIGN_OR_RETURN(v.sig, key.sign(v.sign_bytes(chain_id)));
  return v;
}

Bytes Proposal::sign_bytes(std::string_view chain_id) const {
  return domain_bytes(kProposalDomain, Value::map({
                                           {Value::text("chain"), Value::text(std::string(chain_id))},
                                           {Value::text("height"), Value::uint(height)},
                                           {Value::text("round"), Value::uint(round)},
                                           {Value::text("pol_round"), Value::integer(pol_round)},
                                           {Value::text("block"), Value::bytes(ByteView(block.hash()))},
                                       }));
}

Value Proposal::to_cbor() const {
  return Value::map({
      {Value::text("height"), Value::uint(height)},
      {Value::text("round"), Value::uint(round)},
      {Value::text("pol_round"), Value::integer(pol_round)},
      {Value::text("block"), block.to_cbor()},
      {Value::text("proposer"), Value::bytes(ByteView(proposer.bytes()))},
      {Value::text("sig"), Value::bytes(ByteView(sig))},
  });
}

Result<Proposal> Proposal::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, cbor::MapReader::of(v, "proposal"));
  Proposal p;
  TM_ASSIGN_OR_RETURN(p.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(p.round, r.get_uint("round"));
  TM_ASSIGN_OR_RETURN(const Value* pr, r.get("pol_round"));
  TM_ASSIGN_OR_RETURN(p.pol_round, pr->as_int());
  if (p.pol_round < -1 || (p.pol_round >= 0 && static_cast<uint64_t>(p.pol_round) >= p.round))
    return make_error(ErrorCode::kMalformed, "proposal: pol_round must be -1 or below round");
  TM_ASSIGN_OR_RETURN(const Value* bv, r.get("block"));
  Bytes enc = cbor::encode(*bv);
  TM_ASSIGN_OR_RETURN(p.block, Block::decode(enc));
  TM_ASSIGN_OR_RETURN(p.proposer, ledger::read_address(r, "proposer"));
  TM_ASSIGN_OR_RETURN(p.sig, r.get_bytes("sig"));
  TM_TRY(r.finish());
  return p;
}

Result<Proposal> make_proposal(const KeyPair& key, std::string_view chain_id, uint64_t height, uint64_t round,
                               int64_t pol_round, Block block) {
  Proposal p;
  p.height = height;
  p.round = round;
  p.pol_round = pol_round;
  p.block = std::move(block);
  p.proposer = Address::of(key.public_key());
  TM_ASSIGN_OR_RETURN(p.sig, key.sign(p.sign_bytes(chain_id)));
  return p;
}

Value Commit::to_cbor() const {
  cbor::Array items;
  for (const CommitSig& s : sigs) {
    items.push_back(
        Value::array({Value::bytes(ByteView(s.validator.bytes())), Value::bytes(ByteView(s.sig))}));
  }
  return Value::map({
      {Value::text("height"), Value::uint(height)},
      {Value::text("round"), Value::uint(round)},
      {Value::text("block"), Value::bytes(ByteView(block))},
      {Value::text("sigs"), Value::array(std::move(items))},
  });
}

Result<Commit> Commit::from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, cbor::MapReader::of(v, "commit"));
  Commit c;
  TM_ASSIGN_OR_RETURN(c.height, r.get_uint("height"));
  TM_ASSIGN_OR_RETURN(c.round, r.get_uint("round"));
  TM_ASSIGN_OR_RETURN(c.block, ledger::read_hash32(r, "block"));
  TM_ASSIGN_OR_RETURN(const Value* sv, r.get("sigs"));
  if (!sv->is_array()) return make_error(ErrorCode::kMalformed, "commit: sigs must be an array");
  for (const Value& item : sv->array_items()) {
    if (!item.is_array() || item.array_items().size() != 2)
      return make_error(ErrorCode::kMalformed, "commit: each signature is [validator, sig]");
    TM_ASSIGN_OR_RETURN(Bytes a, item.array_items()[0].as_bytes());
    TM_ASSIGN_OR_RETURN(Address addr, ledger::address_of(a, "validator"));
    TM_ASSIGN_OR_RETURN(Bytes sig, item.array_items()[1].as_bytes());
    if (!c.sigs.empty() && !(c.sigs.back().validator < addr))
      return make_error(ErrorCode::kNonCanonical, "commit: signatures not sorted by validator or duplicated");
    c.sigs.push_back(CommitSig{addr, std::move(sig)});
  }
  TM_TRY(r.finish());
  return c;
}

Result<Commit> Commit::decode(ByteView data) {
  if (data.size() > (1 << 20)) return make_error(ErrorCode::kTooLarge, "commit larger than 1 MiB");
  TM_ASSIGN_OR_RETURN(Value v, cbor::decode(data));
  return from_cbor(v);
}

Vote Commit::precommit_of(const CommitSig& s) const {
  Vote v;
  v.type = VoteType::kPrecommit;
  v.height = height;
  v.round = round;
  v.block = block;
  v.validator = s.validator;
  v.sig = s.sig;
  return v;
}

Commit make_commit(uint64_t height, uint64_t round, const Hash32& block, std::vector<Vote> precommits) {
  Commit c;
  c.height = height;
  c.round = round;
  c.block = block;
  std::sort(precommits.begin(), precommits.end(),
            [](const Vote& a, const Vote& b) { return a.validator < b.validator; });
  for (Vote& v : precommits) {
    if (!c.sigs.empty() && c.sigs.back().validator == v.validator) continue;
    c.sigs.push_back(CommitSig{v.validator, std::move(v.sig)});
  }
  return c;
}

Status verify_commit(const ValidatorSet& validators, const BlockHeader& header, const Commit& commit) {
  if (commit.height != header.height) {
    return make_error(ErrorCode::kInvalidArgument, "commit is for height " + std::to_string(commit.height) +
                                                       ", header is " + std::to_string(header.height));
  }
  if (header.validators_hash != validators.hash())
    return make_error(ErrorCode::kInvalidArgument, "header is signed by another validator set");
  if (commit.block != header.hash())
    return make_error(ErrorCode::kInvalidArgument, "commit is for another block");
  uint64_t power = 0;
  const Address* prev = nullptr;
  for (const CommitSig& s : commit.sigs) {
    if (prev && !(*prev < s.validator))
      return make_error(ErrorCode::kInvalidArgument, "commit: duplicate or unsorted signer");
    prev = &s.validator;
    std::optional<size_t> idx = validators.index_of(s.validator);
    if (!idx)
      return make_error(ErrorCode::kInvalidArgument,
                        "commit signed by non-validator " + s.validator.to_string());
    const Validator& val = validators.validators()[*idx];
    Status ok = val.key.check(commit.precommit_of(s).sign_bytes(header.chain_id), s.sig);
    if (!ok.ok()) {
      return make_error(ErrorCode::kBadSignature,
                        "commit: signature of " + s.validator.to_string() + " does not verify");
    }
    power += val.power;
  }
  if (!validators.is_quorum(power)) {
    return make_error(ErrorCode::kInvalidArgument, "commit: signers hold " + std::to_string(power) + " of " +
                                                       std::to_string(validators.total_power()) +
                                                       " voting power, not more than 2/3");
  }
  return Status::Ok();
}

}  // namespace trustmesh::consensus
