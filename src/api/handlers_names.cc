// GET /v1/names/{name} and GET /v1/names/{name}/status[?prove=true].
// The first answers 403 for a device in a private access domain unless the
// (signed) caller holds read there; the status answer is public always.
//
// The status endpoint is the API's hot path (every device certificate check):
// one snapshot, one state read, one strict record decode, JSON appended into
// the connection's reused buffer.
//
// Status of a name at view height h (the state after block h), the same rule
// the light client applies to a proven answer (light/name_status.h), so a
// plain answer and a verified one always agree:
//   record.expired_at(h), i.e. h >= expires_at -> "expired" (even if revoked)
//   record revoked                             -> "revoked"
//   otherwise                                  -> "active"
// (The ledger frees a name for re-registration in the first block whose
// height is >= expires_at; with h >= expires_at the next block h + 1 is such a
// block. At h = expires_at - 1 the name still answers "active" although the
// next block already treats it as expired: answers describe block h.)
#include "api/errors.h"
#include "api/handlers.h"
#include "api/json_writer.h"
#include "api/url.h"
#include "ledger/compliance_access.h"
#include "ledger/domains.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/records.h"
#include "ledger/schema.h"
#include "node/node.h"
#include "store/block_store.h"
#include "store/proof.h"

namespace trustmesh::api {

namespace {

// Most recent history entries listed by GET /v1/names/{name}.
constexpr uint32_t kMaxHistory = 1000;

std::string_view status_at(const ledger::NameRecord& r, uint64_t height) {
  if (r.expired_at(height)) return "expired";
  return ledger::name_status_name(r.status);
}

Result<ledger::NameRecord> decode_record(ByteView raw, std::string_view name) {
  auto v = cbor::decode(raw);
  if (!v.ok()) {
    return make_error(ErrorCode::kInternal,
                      "stored record of '" + std::string(name) + "': " + v.error().message);
  }
  auto rec = ledger::NameRecord::from_cbor(*v);
  if (!rec.ok()) {
    return make_error(ErrorCode::kInternal,
                      "stored record of '" + std::string(name) + "': " + rec.error().message);
  }
  return rec;
}

Error not_registered(std::string_view name) {
  return make_error(ErrorCode::kNameNotFound, "name '" + std::string(name) + "' is not registered");
}

// The name's checked state key and raw record (nullopt: never registered).
struct Lookup {
  Bytes key;
  std::optional<Bytes> raw;
};
Result<Lookup> lookup(const store::ReadView& view, std::string_view name) {
  TM_TRY(ledger::check_name(name, ledger::kHardMaxNameLen));
  Lookup l{ledger::schema::name_key(name), std::nullopt};
  TM_ASSIGN_OR_RETURN(l.raw, view.get(l.key));
  return l;
}

Status write_status(const store::ReadView& view, std::string_view name, bool prove, Response& res) {
  TM_ASSIGN_OR_RETURN(Lookup l, lookup(view, name));
  const uint64_t height = view.height();
  if (!l.raw && !prove) return not_registered(name);
  std::optional<ledger::NameRecord> rec;
  if (l.raw) {
    TM_ASSIGN_OR_RETURN(rec, decode_record(*l.raw, name));
  }
  // Everything that can fail for the proof is fetched before writing.
  store::Proof proof;
  std::optional<std::pair<Bytes, Bytes>> hc;
  if (prove) {
    TM_ASSIGN_OR_RETURN(proof, view.prove(l.key));
    TM_ASSIGN_OR_RETURN(hc, store::read_header_commit(view, height));
    if (!hc) return make_error(ErrorCode::kInternal, "no header stored at height " + std::to_string(height));
  }

  JsonWriter w(res.body);
  w.begin_object().field("name", name);
  if (rec) {
    w.field("status", status_at(*rec, height))
        .field("stage", ledger::device_stage_name(rec->stage))
        .field("expires_at", rec->expires_at)
        .field_hex("cert_hash", rec->value.cert_hash)
        .field("owner", rec->owner.to_string());
  } else {
    w.field("status", "unregistered");
  }
  w.field("height", height);
  if (prove) {
    w.key("proof").begin_object().field_hex("key", l.key).key("value");
    if (l.raw) {
      w.hex(*l.raw);
    } else {
      w.null();
    }
    w.field_hex("proof", store::encode_proof(proof)).end_object();
    w.field_hex("header_cbor", hc->first).field_hex("commit_cbor", hc->second);
  }
  w.end_object();
  return Status::Ok();
}

Status write_name(const store::ReadView& view, std::string_view name, Response& res) {
  TM_ASSIGN_OR_RETURN(Lookup l, lookup(view, name));
  if (!l.raw) return not_registered(name);
  TM_ASSIGN_OR_RETURN(ledger::NameRecord rec, decode_record(*l.raw, name));
  const uint32_t first = rec.history_len > kMaxHistory ? rec.history_len - kMaxHistory : 0;
  std::vector<ledger::HistoryEntry> history;
  history.reserve(rec.history_len - first);
  for (uint32_t i = first; i < rec.history_len; ++i) {
    TM_ASSIGN_OR_RETURN(auto raw, view.get(ledger::schema::history_key(name, i)));
    if (!raw) {
      return make_error(ErrorCode::kInternal,
                        "history entry " + std::to_string(i) + " of '" + std::string(name) + "' is missing");
    }
    auto v = cbor::decode(*raw);
    if (!v.ok()) return make_error(ErrorCode::kInternal, "stored history entry: " + v.error().message);
    auto h = ledger::HistoryEntry::from_cbor(*v);
    if (!h.ok()) return make_error(ErrorCode::kInternal, "stored history entry: " + h.error().message);
    history.push_back(std::move(*h));
  }

  JsonWriter w(res.body);
  w.begin_object()
      .field("name", name)
      .field("owner", rec.owner.to_string())
      .field("status", status_at(rec, view.height()))
      .field("stage", ledger::device_stage_name(rec.stage))
      .field_hex("cert_hash", rec.value.cert_hash);
  // The bound certificate's own ledger status, when it is a certificate on the
  // ledger (the EST service refuses a revoked one as the client's credential).
  TM_ASSIGN_OR_RETURN(auto bound, ledger::ComplianceReader(view).cert(rec.value.cert_hash));
  if (bound) w.field("cert_revoked", bound->revoked);
  if (rec.value.cert_der) w.field_hex("cert_der", *rec.value.cert_der);
  if (rec.value.config_hash) w.field_hex("config_hash", *rec.value.config_hash);
  w.field("registered_at", rec.registered_at)
      .field("expires_at", rec.expires_at)
      .field("updated_at", rec.updated_at)
      .field("height", view.height());
  w.key("history").begin_array();
  for (const ledger::HistoryEntry& h : history) {
    w.begin_object()
        .field("height", h.height)
        .field_hex("tx", h.tx_hash)
        .field("op", h.op)
        .field("owner", h.owner.to_string())
        .field_hex("value_hash", h.value_hash)
        .field("expires_at", h.expires_at)
        .field("stage", ledger::device_stage_name(h.stage));
    if (h.cert) w.field_hex("cert", *h.cert);
    w.end_object();
  }
  w.end_array().end_object();
  return Status::Ok();
}

}  // namespace

void handle_name_status(const Context& ctx, std::string_view name, std::string_view query, Response& res) {
  Result<bool> prove = query_flag(query, "prove");
  if (!prove.ok()) return write_error(res, prove.error());
  auto view = ctx.node.view();
  if (*prove && view->height() == 0) {
    // A proof needs a signed header: before the first block there is none yet.
    Status syntax = ledger::check_name(name, ledger::kHardMaxNameLen);
    if (!syntax.ok()) return write_error(res, syntax.error());
    return write_error(res, 503, ErrorCode::kNotFound,
                       "no block has been committed yet, so there is no signed header to prove against; "
                       "retry after the first block");
  }
  Status s = write_status(*view, name, *prove, res);
  if (!s.ok()) write_error(res, s.error());
}

void handle_name(const Context& ctx, std::string_view name, const std::optional<Address>& caller,
                 Response& res) {
  auto view = ctx.node.view();
  // The detail (certificate, configuration hash, history) of a device in a
  // private domain is for its members; GET .../status stays public.
  if (ledger::check_name(name, ledger::kHardMaxNameLen).ok() &&
      !allow_read(*view, ledger::device_subject(name), caller, res))
    return;
  Status s = write_name(*view, name, res);
  if (!s.ok()) write_error(res, s.error());
}

}  // namespace trustmesh::api
