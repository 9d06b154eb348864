// Operation handlers, one per operation type (internal to ledger/).
//
// Each handler runs inside a scratch Overlay after the fee and sequence are
// charged; returning an Error discards everything it wrote. Handlers return
// kIo/kInternal only for storage faults (see access.h).
#pragma once

#include "ledger/access.h"
#include "ledger/compliance.h"
#include "ledger/executor.h"

namespace trustmesh::ledger {

struct OpContext {
  const BlockContext& block;
  const Tx& tx;
  const Hash32& tx_hash;
  const Address& sender;
  const Params& params;
  uint64_t burned = 0;  // name fees burned by the op (added to the tx result)
};

Status apply_send(StateAccess& s, OpContext& c, const op::Send& o);
Status apply_name_preorder(StateAccess& s, OpContext& c, const op::NamePreorder& o);
Status apply_name_register(StateAccess& s, OpContext& c, const op::NameRegister& o);
Status apply_name_update(StateAccess& s, OpContext& c, const op::NameUpdate& o);
Status apply_name_transfer(StateAccess& s, OpContext& c, const op::NameTransfer& o);
Status apply_name_renew(StateAccess& s, OpContext& c, const op::NameRenew& o);
Status apply_name_revoke(StateAccess& s, OpContext& c, const op::NameRevoke& o);
Status apply_name_stage(StateAccess& s, OpContext& c, const op::NameStage& o);
// cert.add with a name: the name must be held and in service; adds a
// "certify" entry to its history.
Status certify_name(StateAccess& s, OpContext& c, std::string_view name, const Hash32& cert);
// Revokes the certificate `hash` (its unrevoked record `cert`, as the caller
// read it) at this block (ops_orgs.cc), as cert.revoke and the supply-chain
// rules do: no admin check here, the caller has made its own.
Status revoke_cert_record(StateAccess& s, OpContext& c, const Hash32& hash, CertRecord cert,
                          std::string_view reason);
Status apply_gov_propose(StateAccess& s, OpContext& c, const op::GovPropose& o);
Status apply_gov_approve(StateAccess& s, OpContext& c, const op::GovApprove& o);
Status apply_evidence(StateAccess& s, OpContext& c, const op::Evidence& o);
Status apply_org_register(StateAccess& s, OpContext& c, const op::OrgRegister& o);
Status apply_cert_add(StateAccess& s, OpContext& c, const op::CertAdd& o);
Status apply_cert_revoke(StateAccess& s, OpContext& c, const op::CertRevoke& o);
Status apply_crl_publish(StateAccess& s, OpContext& c, const op::CrlPublish& o);
Status apply_model_register(StateAccess& s, OpContext& c, const op::ModelRegister& o);
Status apply_release_publish(StateAccess& s, OpContext& c, const op::ReleasePublish& o);
Status apply_claim_issue(StateAccess& s, OpContext& c, const op::ClaimIssue& o);
Status apply_claim_withdraw(StateAccess& s, OpContext& c, const op::ClaimWithdraw& o);
// Access domains (ops_domains.cc).
Status apply_domain_create(StateAccess& s, OpContext& c, const op::DomainCreate& o);
Status apply_domain_grant(StateAccess& s, OpContext& c, const op::DomainGrant& o);
Status apply_domain_assign(StateAccess& s, OpContext& c, const op::DomainAssign& o);
Status apply_domain_set(StateAccess& s, OpContext& c, const op::DomainSet& o);
// The org `id` if the tx sender is its admin (kOrgNotFound / kNotOrgAdmin).
Result<Org> load_admin_org(StateAccess& s, const OpContext& c, std::string_view id);
// Trustee-approved role grants and CA roots (called when a proposal passes).
Status apply_role_grants(StateAccess& s, const OpContext& c, const std::vector<RoleGrant>& grants);
Status add_ca_roots(StateAccess& s, const OpContext& c, const std::vector<Bytes>& roots);
Status assign_vendor_ids(StateAccess& s, const OpContext& c, const std::vector<VendorGrant>& grants);
// Proposal-time checks of the same (the orgs exist, the roles are power roles, the roots parse).
Status check_role_grants(StateAccess& s, const std::vector<RoleGrant>& grants);
Status check_ca_roots(StateAccess& s, const std::vector<Bytes>& roots);
Status check_vendor_grants(StateAccess& s, const std::vector<VendorGrant>& grants);

// End of block: deletes the preorders whose deadline was height - 1.
Status prune_lapsed_preorders(StateAccess& s, uint64_t height);

// Debits `amount` from `who` and burns it (supply decreases). kInsufficientFunds if short.
Status burn_from(StateAccess& s, const Address& who, uint64_t amount);
// The supply half of a burn, for callers that debited the account themselves.
Status reduce_supply(StateAccess& s, uint64_t amount);

}  // namespace trustmesh::ledger
