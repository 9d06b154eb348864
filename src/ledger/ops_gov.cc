// Governance: trustees (from genesis) propose parameter changes; a proposal
// is applied in the transaction that brings its approvals to more than 2/3 of
// the trustees (3 * approvals > 2 * trustees). The proposer approves
// implicitly. An applied proposal is closed. Changes are validated both when
// proposed and when applied (params may have moved in between).
#include <algorithm>

#include "ledger/ops.h"

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

Status maybe_apply(StateAccess& s, Proposal& p, size_t trustees) {
  if (quorum(p.approvals.size(), trustees)) {
    TM_ASSIGN_OR_RETURN(Params current, s.params());
    TM_ASSIGN_OR_RETURN(Params next, with_changes(current, p.changes));
    s.put_params(next);
    p.applied = true;
  }
  s.put_proposal(p);
  return Status::Ok();
}

}  // namespace

Status apply_gov_propose(StateAccess& s, OpContext& c, const op::GovPropose& o) {
  TM_ASSIGN_OR_RETURN(auto trustees, s.trustees());
  TM_TRY(require_trustee(trustees, c.sender));
  if (o.changes.empty()) return make_error(ErrorCode::kBadParams, "proposal changes nothing");
  TM_TRY(with_changes(c.params, o.changes));

  TM_ASSIGN_OR_RETURN(uint64_t id, s.next_proposal_id());
  s.put_next_proposal_id(id + 1);
  Proposal p;
  p.id = id;
  p.proposer = c.sender;
  p.height = c.block.height;
  p.changes = o.changes;
  p.approvals = {c.sender};
  return maybe_apply(s, p, trustees.size());
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
  return maybe_apply(s, *p, trustees.size());
}

}  // namespace trustmesh::ledger
