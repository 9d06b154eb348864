// Access-domain operations (ledger/domains.h): domain.create, domain.grant,
// domain.assign, domain.set. Fees: the minimum tx fee only (nothing burned
// beyond it).
//
// Rules kept here:
//  * create: a free, well-formed id; the sender becomes its only member,
//    with administer (rights 7).
//  * grant: the sender holds administer; rights (0..7) are normalised
//    (administer implies update implies read); 0 removes the member (who must
//    be one). No change may leave the domain without an administrator, so the
//    last administrator can neither remove itself nor drop administer.
//    At most kMaxDomainMembers members.
//  * assign: puts "device:<name>" or "model:<vid>/<pid>" in the domain. The
//    sender must hold update in the domain AND own the subject: for a device
//    the name's owner (a held, unexpired name), for a model the admin of the
//    model's org. A subject is in at most one domain: assigning it elsewhere
//    moves it, which its owner may always do (the old domain's members
//    cannot hold someone's device hostage). Assigning it to the domain it is
//    already in is kConflict. There is no "unassign" yet: move it instead.
//  * set: the sender holds administer; makes the domain private or public.
// Every refusal is an Error, so the executor keeps only the fee and sequence.
#include "ledger/compliance_access.h"
#include "ledger/domains.h"
#include "ledger/executor.h"
#include "ledger/ops.h"

namespace trustmesh::ledger {

namespace {

// The domain `id` if the sender holds `right` in it.
Result<AccessDomain> domain_with_right(StateAccess& s, const OpContext& c, std::string_view id,
                                       uint8_t right) {
  TM_TRY(check_domain_id(id));
  TM_ASSIGN_OR_RETURN(auto d, read_domain(s.overlay(), id));
  if (!d) return make_error(ErrorCode::kDomainNotFound, "no access domain '" + std::string(id) + "'");
  if (!has_right(d->rights_of(c.sender), right))
    return make_error(ErrorCode::kMissingRight,
                      "this needs the " + std::string(right_name(right)) + " right in domain '" + d->id +
                          "'; " + c.sender.to_string() + " holds " + rights_text(d->rights_of(c.sender)) +
                          " (an administrator can grant it: trustmesh domain grant " + d->id + " " +
                          c.sender.to_string() + " --rights " + std::string(right_name(right)) + ")");
  return *std::move(d);
}

// The sender owns the subject: holds the (unexpired) device name, or acts for the model's org.
Status check_subject_owner(StateAccess& s, const OpContext& c, std::string_view subject) {
  TM_ASSIGN_OR_RETURN(Subject sub, parse_subject(subject));
  if (sub.kind == "device") {
    TM_ASSIGN_OR_RETURN(auto rec, s.name(sub.id));
    if (!rec) return make_error(ErrorCode::kNameNotFound, "name '" + sub.id + "' is not registered");
    if (rec->expired_at(c.block.height))
      return make_error(ErrorCode::kNameExpired,
                        "name '" + sub.id + "' expired at height " + std::to_string(rec->expires_at));
    if (rec->owner != c.sender)
      return make_error(ErrorCode::kNotOwner,
                        "name '" + sub.id + "' is owned by " + rec->owner.to_string() + ", not the sender");
    return Status::Ok();
  }
  TM_ASSIGN_OR_RETURN(auto ids, parse_model_id(sub.id));
  ComplianceReader r(s.overlay());
  TM_ASSIGN_OR_RETURN(auto model, r.model(ids.first, ids.second));
  if (!model) return make_error(ErrorCode::kModelNotFound, "no model " + sub.id);
  TM_ASSIGN_OR_RETURN(auto org, r.org(model->org));
  if (!org) return make_error(ErrorCode::kInternal, "corrupt state: model " + sub.id + " of missing org");
  if (org->admin != c.sender)
    return make_error(ErrorCode::kNotOrgAdmin, "model " + sub.id + " belongs to org '" + org->id +
                                                   "', whose admin is " + org->admin.to_string() +
                                                   ", not the sender");
  return Status::Ok();
}

}  // namespace

Status apply_domain_create(StateAccess& s, OpContext& c, const op::DomainCreate& o) {
  TM_TRY(check_domain_id(o.id));
  TM_ASSIGN_OR_RETURN(auto existing, read_domain(s.overlay(), o.id));
  if (existing) return make_error(ErrorCode::kDomainExists, "access domain '" + o.id + "' already exists");
  AccessDomain d{.id = o.id,
                 .private_ = o.private_,
                 .members = {{c.sender, normalize_rights(kRightAdminister)}},
                 .created_at = c.block.height,
                 .updated_at = c.block.height};
  put_domain(s.overlay(), d);
  return Status::Ok();
}

Status apply_domain_grant(StateAccess& s, OpContext& c, const op::DomainGrant& o) {
  TM_ASSIGN_OR_RETURN(AccessDomain d, domain_with_right(s, c, o.id, kRightAdminister));
  if (o.rights > 7)
    return make_error(ErrorCode::kInvalidArgument,
                      "rights must be a bitmask of read 1, update 2, administer 4");
  const uint8_t rights = normalize_rights(o.rights);
  const bool member = d.members.contains(o.member);
  if (rights == 0) {
    if (!member)
      return make_error(ErrorCode::kNotFound, o.member.to_string() + " is not a member of '" + d.id + "'");
    d.members.erase(o.member);
  } else {
    if (!member && d.members.size() >= kMaxDomainMembers)
      return make_error(ErrorCode::kTooLarge, "domain '" + d.id + "' already has " +
                                                  std::to_string(kMaxDomainMembers) + " members, the limit");
    d.members[o.member] = rights;
  }
  if (d.administrators() == 0)
    return make_error(ErrorCode::kLastAdministrator, o.member.to_string() +
                                                         " is the last administrator of '" + d.id +
                                                         "'; grant administer to another member first");
  d.updated_at = c.block.height;
  put_domain(s.overlay(), d);
  return Status::Ok();
}

Status apply_domain_assign(StateAccess& s, OpContext& c, const op::DomainAssign& o) {
  TM_ASSIGN_OR_RETURN(std::string subject, domain_subject(o.subject));
  if (subject != o.subject) return make_error(ErrorCode::kInvalidArgument, "write the subject as " + subject);
  TM_ASSIGN_OR_RETURN(AccessDomain d, domain_with_right(s, c, o.id, kRightUpdate));
  TM_TRY(check_subject_owner(s, c, subject));
  TM_ASSIGN_OR_RETURN(auto place, read_domain_place(s.overlay(), subject));
  if (place && place->domain == d.id)
    return make_error(ErrorCode::kConflict, subject + " is already in domain '" + d.id + "'");
  if (place) {
    TM_ASSIGN_OR_RETURN(auto old, read_domain(s.overlay(), place->domain));
    if (!old)
      return make_error(ErrorCode::kInternal,
                        "corrupt state: " + subject + " is placed in missing domain '" + place->domain + "'");
    TM_TRY(remove_domain_subject(s.overlay(), *old, subject, *place));
    old->updated_at = c.block.height;
    put_domain(s.overlay(), *old);
  }
  TM_TRY(add_domain_subject(s.overlay(), d, subject));
  d.updated_at = c.block.height;
  put_domain(s.overlay(), d);
  return Status::Ok();
}

Status apply_domain_set(StateAccess& s, OpContext& c, const op::DomainSet& o) {
  TM_ASSIGN_OR_RETURN(AccessDomain d, domain_with_right(s, c, o.id, kRightAdminister));
  d.private_ = o.private_;
  d.updated_at = c.block.height;
  put_domain(s.overlay(), d);
  return Status::Ok();
}

}  // namespace trustmesh::ledger
