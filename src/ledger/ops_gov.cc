// Governance: trustees (from genesis) propose parameter changes; a proposal
// is applied in the transaction that brings its approvals to more than 2/3 of
// the trustees (3 * approvals > 2 * trustees). The proposer approves
// implicitly. An applied proposal is closed. Changes are validated both when
// proposed and when applied (params may have moved in between).
#include <algorithm>

#include "ledger/ops.h"
#include "ledger/schema.h"
#include "ledger/validators.h"
#include "ledger/vote_bytes.h"

namespace trustmesh::ledger {

namespace {

Status require_trustee(const std::vector<Address>& trustees, const Address& who) {
  if (!std::binary_search(trustees.begin(), trustees.end(), who)) {
    return make_error(ErrorCode::kNotTrustee, who.to_string() + " is not a trustee");
  }
  return Status::Ok();
}

Result<Params> with_changes(Params p, const std::map<std::string, uint64_t>& changes) {
  for (const auto& [k, v] : changes) {
    Status st = p.set(k, v);
    if (!st.ok()) return st.error();
  }
  Status st = p.validate();
  if (!st.ok()) return st.error();
  return p;
}

bool quorum(size_t approvals, size_t trustees) {
  return 3 * approvals > 2 * trustees;
}

Status maybe_apply(StateAccess& s, const OpContext& c, Proposal& p, size_t trustees) {
  if (quorum(p.approvals.size(), trustees)) {
    TM_ASSIGN_OR_RETURN(Params current, s.params());
    TM_ASSIGN_OR_RETURN(Params next, with_changes(current, p.changes));
    s.put_params(next);
    // Validator changes sign from two blocks on (ledger/validators.h).
    if (!p.validators.empty())
      TM_TRY(schedule_validator_changes(s.overlay(), c.block.height + 2, p.validators));
    TM_TRY(apply_role_grants(s, c, p.grants));
    TM_TRY(add_ca_roots(s, c, p.ca_roots));
    TM_TRY(assign_vendor_ids(s, c, p.vendor_ids));
    p.applied = true;
  }
  s.put_proposal(p);
  return Status::Ok();
}

}  // namespace

Status apply_gov_propose(StateAccess& s, OpContext& c, const op::GovPropose& o) {
  TM_ASSIGN_OR_RETURN(auto trustees, s.trustees());
  TM_TRY(require_trustee(trustees, c.sender));
  if (o.changes.empty() && o.validators.empty() && o.grants.empty() && o.ca_roots.empty() &&
      o.vendor_ids.empty())
    return make_error(ErrorCode::kBadParams, "proposal changes nothing");
  TM_TRY(check_role_grants(s, o.grants));
  TM_TRY(check_ca_roots(s, o.ca_roots));
  TM_TRY(check_vendor_grants(s, o.vendor_ids));
  TM_TRY(with_changes(c.params, o.changes));
  if (!o.validators.empty()) {
    // The set these changes give (after anything already scheduled) must be valid.
    auto future = validators_for(s.overlay(), UINT64_MAX);
    if (!future.ok()) return make_error(ErrorCode::kBadParams, "this chain has no validator set to change");
    auto after = apply_validator_changes(std::move(future).value(), o.validators);
    if (!after.ok()) return make_error(ErrorCode::kBadParams, after.error().message);
  }

  TM_ASSIGN_OR_RETURN(uint64_t id, s.next_proposal_id());
  s.put_next_proposal_id(id + 1);
  Proposal p;
  p.id = id;
  p.proposer = c.sender;
  p.height = c.block.height;
  p.changes = o.changes;
  p.validators = o.validators;
  p.grants = o.grants;
  p.ca_roots = o.ca_roots;
  p.vendor_ids = o.vendor_ids;
  p.approvals = {c.sender};
  return maybe_apply(s, c, p, trustees.size());
}

Status apply_gov_approve(StateAccess& s, OpContext& c, const op::GovApprove& o) {
  TM_ASSIGN_OR_RETURN(auto trustees, s.trustees());
  TM_TRY(require_trustee(trustees, c.sender));
  TM_ASSIGN_OR_RETURN(auto p, s.proposal(o.proposal));
  if (!p) return make_error(ErrorCode::kProposalNotFound, "no proposal " + std::to_string(o.proposal));
  if (p->applied)
    return make_error(ErrorCode::kProposalClosed,
                      "proposal " + std::to_string(o.proposal) + " was already applied");
  auto pos = std::lower_bound(p->approvals.begin(), p->approvals.end(), c.sender);
  if (pos != p->approvals.end() && *pos == c.sender) {
    return make_error(ErrorCode::kAlreadyApproved,
                      "sender already approved proposal " + std::to_string(o.proposal));
  }
  p->approvals.insert(pos, c.sender);
  return maybe_apply(s, c, *p, trustees.size());
}

// Evidence: both signatures verify over the two different votes, the signer
// is in the validator set, the equivocation is not older than kEvidenceMaxAge
// blocks and not recorded yet. Effect: the record "ev:..." and the validator's
// removal from the set two blocks later (unless it is the last one).
Status apply_evidence(StateAccess& s, OpContext& c, const op::Evidence& o) {
  constexpr uint64_t kEvidenceMaxAge = 100000;
  auto bad = [](const std::string& why) { return make_error(ErrorCode::kBadEvidence, why); };
  if (o.block_a == o.block_b) return bad("the two votes are for the same value: no equivocation");
  if (o.height >= c.block.height) return bad("evidence from a height not yet committed");
  if (c.block.height - o.height > kEvidenceMaxAge) return bad("evidence older than 100000 blocks");
  for (const auto& [block, sig] : {std::pair{&o.block_a, &o.sig_a}, std::pair{&o.block_b, &o.sig_b}}) {
    Bytes msg = vote_sign_bytes(c.block.chain_id, o.vote_type, o.height, o.round, *block);
    if (!o.validator.verify(msg, *sig)) return bad("a vote signature does not verify");
  }
  const Address who = Address::of(o.validator);
  Bytes key = schema::evidence_key(who, o.height, o.round, o.vote_type);
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> known, s.overlay().get(key));
  if (known) return make_error(ErrorCode::kDuplicateEvidence, "this equivocation is already recorded");
  TM_ASSIGN_OR_RETURN(std::vector<GenesisValidator> set, validators_for(s.overlay(), c.block.height));
  bool member = false;
  for (const auto& v : set) member |= v.key == o.validator;
  if (!member) return bad("the signer is not a validator");
  s.overlay().put(key, cbor::encode(cbor::Value::map({
                           {cbor::Value::text("included"), cbor::Value::uint(c.block.height)},
                           {cbor::Value::text("reporter"), cbor::Value::bytes(c.sender.view())},
                       })));
  if (set.size() > 1) {
    Status jailed =
        schedule_validator_changes(s.overlay(), c.block.height + 2, {ValidatorChange{o.validator, 0}});
    if (!jailed.ok() && is_fatal(jailed.error())) return jailed;  // else: keep the record, skip the removal
  }
  return Status::Ok();
}

}  // namespace trustmesh::ledger
