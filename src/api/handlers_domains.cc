// GET /v1/domains/{id} and the read check of private access domains
// (ledger/domains.h; docs/API.md, "Access domains").
//
// Invariants: a private domain's member list and subject list are written
// only after check_domain_read passed for the request's verified caller;
// what everyone may see of it is its id, that it is private, and its counts.
// Every refusal is written by write_error (403 access_denied with the reason).
#include "api/errors.h"
#include "api/handlers.h"
#include "api/json_writer.h"
#include "ledger/domains.h"
#include "node/node.h"
#include "store/block_store.h"

namespace trustmesh::api {

namespace {

// Subjects listed by GET /v1/domains/{id}.
constexpr uint32_t kMaxListedSubjects = 1000;

Status write_domain(const store::ReadView& view, std::string_view id, const std::optional<Address>& caller,
                    Response& res) {
  TM_TRY(ledger::check_domain_id(id));
  TM_ASSIGN_OR_RETURN(auto d, ledger::read_domain(view, id));
  if (!d) return make_error(ErrorCode::kDomainNotFound, "no access domain '" + std::string(id) + "'");
  TM_ASSIGN_OR_RETURN(uint32_t count, ledger::domain_subject_count(view, id));
  const bool detail = ledger::check_domain_read(*d, caller).ok();
  std::vector<std::string> subjects;
  if (detail) {
    TM_ASSIGN_OR_RETURN(subjects, ledger::domain_subjects(view, id, kMaxListedSubjects));
  }
  JsonWriter w(res.body);
  w.begin_object().field("id", d->id).key("private").boolean(d->private_);
  w.field("member_count", static_cast<uint64_t>(d->members.size()))
      .field("subject_count", static_cast<uint64_t>(count))
      .field("devices", static_cast<uint64_t>(d->devices))
      .field("models", static_cast<uint64_t>(d->models))
      .field("created_at", d->created_at)
      .field("updated_at", d->updated_at)
      .field("height", view.height());
  if (caller) w.field("caller_rights", ledger::rights_text(d->rights_of(*caller)));
  if (detail) {
    w.key("members").begin_array();
    for (const auto& [addr, rights] : d->members)
      w.begin_object()
          .field("address", addr.to_string())
          .field("rights", ledger::rights_text(rights))
          .end_object();
    w.end_array();
    w.key("subjects").begin_array();
    for (const std::string& s : subjects) w.str(s);
    w.end_array();
  } else {
    w.field("redacted",
            "a private domain's members and subjects are shown to callers holding read there; "
            "sign the request with a member's key");
  }
  w.end_object();
  return Status::Ok();
}

}  // namespace

bool allow_read(const ledger::StateReader& view, std::string_view subject,
                const std::optional<Address>& caller, Response& res) {
  Status st = ledger::check_read(view, subject, caller);
  if (st.ok()) return true;
  write_error(res, st.error());
  return false;
}

void handle_domain(const Context& ctx, std::string_view id, const std::optional<Address>& caller,
                   Response& res) {
  auto view = ctx.node.view();
  Status s = write_domain(*view, id, caller, res);
  if (!s.ok()) write_error(res, s.error());
}

}  // namespace trustmesh::api
