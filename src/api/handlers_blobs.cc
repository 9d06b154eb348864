// The off-chain content store over HTTP (docs/API.md, "Off-chain store"):
// GET/HEAD /v1/blobs/{sha256} and PUT /v1/blobs/{sha256}[?name=N|?claim=ID].
//
// An upload is taken only if a record on the ledger (the node's latest
// committed view) carries its hash, and that record fixes the size:
//   * no query: a release (`rl:` record) with this image hash; exactly its size;
//   * ?name=N: the device name N whose value's config_hash is this hash; at
//     most kMaxConfigBytes (configurations are small);
//   * ?claim=ID: claim ID whose data has report_sha256 = this hash (64 hex);
//     exactly its data's report_size when it has one (decimal), else at most
//     the node's max_blob_bytes. Any claim type may carry a report: the
//     ledger validates report_sha256 for compliance claims and otherwise
//     takes any data keys, and a claim costs its issuer a fee like any tx.
//     Withdrawn or expired claims still count: their reports are history.
// All of this is decided from the request header, before any of the body is
// read; the body streams into store::BlobStore, which checks hash and size
// (http_session.cc). Downloads are not re-hashed here: clients verify them.
#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/url.h"
#include "ledger/compliance_access.h"
#include "ledger/domains.h"
#include "ledger/executor.h"
#include "ledger/records.h"
#include "ledger/schema.h"
#include "node/node.h"

namespace trustmesh::api {

namespace {

// The largest device configuration taken with ?name=.
constexpr uint64_t kMaxConfigBytes = 1 << 20;

Result<Hash32> parse_blob_hash(std::string_view s) {
  if (s.size() != 64)
    return make_error(ErrorCode::kInvalidArgument, "a blob is named by its SHA-256: 64 hex digits (got " +
                                                       std::to_string(s.size()) + " characters)");
  return parse_hash(s, "blob hash");
}

struct UploadQuery {
  std::optional<std::string> name;
  std::optional<std::string> claim;
};

Result<UploadQuery> parse_upload_query(std::string_view query) {
  UploadQuery q;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::optional<std::string>* slot = key == "name" ? &q.name : key == "claim" ? &q.claim : nullptr;
    if (!slot)
      return make_error(ErrorCode::kInvalidArgument,
                        "unknown query parameter '" + std::string(key.substr(0, 40)) +
                            "'; an upload takes ?name=<device name> (a configuration) or ?claim=<id> (a "
                            "test report), or nothing (a release image)");
    if (*slot) return make_error(ErrorCode::kInvalidArgument, "'" + std::string(key) + "' is given twice");
    TM_ASSIGN_OR_RETURN(std::string value, percent_decode(raw));
    if (value.empty())
      return make_error(ErrorCode::kInvalidArgument, "'" + std::string(key) + "' needs a value");
    *slot = std::move(value);
  }
  if (q.name && q.claim)
    return make_error(ErrorCode::kInvalidArgument,
                      "give ?name= (a device configuration) or ?claim= (a test report), not both");
  return q;
}

Error no_record(const std::string& why) {
  return make_error(ErrorCode::kNotFound, why + "; nothing was stored");
}

// Which record allows `h`, read from one committed view.
Result<BlobUpload> find_record(const Context& ctx, const Hash32& h, const UploadQuery& q) {
  const std::string hex = to_hex(h);
  auto view = ctx.node.view();
  node::ViewReader vr(view);
  BlobUpload up{.sha256 = h, .size = std::nullopt, .limit = ctx.cfg.max_blob_bytes, .matched = ""};
  if (q.name) {
    TM_TRY(ledger::check_name(*q.name, ledger::kHardMaxNameLen));
    TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, view->get(ledger::schema::name_key(*q.name)));
    if (!raw) return make_error(ErrorCode::kNameNotFound, "name '" + *q.name + "' is not registered");
    TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(*raw));
    TM_ASSIGN_OR_RETURN(ledger::NameRecord rec, ledger::NameRecord::from_cbor(v));
    if (!rec.value.config_hash || *rec.value.config_hash != h)
      return no_record("name '" + *q.name + "' carries " +
                       (rec.value.config_hash ? "config hash " + to_hex(*rec.value.config_hash)
                                              : std::string("no config hash")) +
                       ", not " + hex +
                       "; record it first (trustmesh dm config, or trustmesh name update --config-hash)");
    up.limit = std::min(up.limit, kMaxConfigBytes);
    up.matched = "config";
    // Bound to this registration: if the name expires and someone else
    // registers it, its new domain does not open the old configuration.
    up.subject = ledger::device_subject(*q.name) + "@" + std::to_string(rec.registered_at);
    return up;
  }
  ledger::ComplianceReader r(vr);
  if (q.claim) {
    auto id = parse_height(*q.claim);
    if (!id.ok()) return make_error(ErrorCode::kInvalidArgument, "a claim id is a decimal number");
    TM_ASSIGN_OR_RETURN(auto claim, r.claim(*id));
    if (!claim) return make_error(ErrorCode::kClaimNotFound, "no claim " + *q.claim);
    auto sha = claim->data.find("report_sha256");
    if (sha == claim->data.end() || sha->second != hex)
      return no_record("claim " + *q.claim + "'s data has " +
                       (sha == claim->data.end() ? std::string("no report_sha256")
                                                 : "report_sha256 " + sha->second.substr(0, 64)) +
                       ", not " + hex + "; issue a claim with --data report_sha256=" + hex +
                       " --data report_size=<bytes>");
    auto size = claim->data.find("report_size");
    if (size != claim->data.end()) {
      auto n = parse_height(size->second);
      if (!n.ok())
        return no_record("claim " + *q.claim + "'s report_size '" + size->second.substr(0, 40) +
                         "' is not a decimal number of bytes");
      up.size = *n;
    }
    up.matched = "report";
    return up;
  }
  TM_ASSIGN_OR_RETURN(auto rel, r.release(h));
  if (!rel)
    return no_record("no release on the ledger has image hash " + hex +
                     "; publish it first (trustmesh release publish --file ...), or name the record that "
                     "carries it with ?name=<device> (configuration) or ?claim=<id> (test report)");
  up.size = rel->size;
  up.matched = "release";
  return up;
}

// One "device:<name>@<registered_at>" subject of a stored configuration.
Status check_config_subject(const node::ViewReader& view, const std::string& subject,
                            const std::optional<Address>& caller) {
  const size_t at = subject.rfind('@');
  if (at == std::string::npos) return ledger::check_read(view, subject, caller);
  const std::string device = subject.substr(0, at);
  const std::string name = device.substr(device.find(':') + 1);
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, view.get(ledger::schema::name_key(name)));
  std::optional<ledger::NameRecord> rec;
  if (raw) {
    TM_ASSIGN_OR_RETURN(cbor::Value v, cbor::decode(*raw));
    TM_ASSIGN_OR_RETURN(rec, ledger::NameRecord::from_cbor(v));
  }
  if (!rec || std::to_string(rec->registered_at) != subject.substr(at + 1)) {
    return make_error(ErrorCode::kAccessDenied,
                      "it configured an earlier registration of '" + name +
                          "', which has ended; nobody reads it through the name's new registration");
  }
  return ledger::check_read(view, device, caller);
}

}  // namespace

void handle_blob_get(const Context& ctx, std::string_view sha, const std::optional<Address>& caller,
                     Response& res) {
  res.route = node::Route::kBlob;
  auto h = parse_blob_hash(sha);
  if (!h.ok()) return write_error(res, h.error());
  if (!ctx.blobs) return write_error(res, 503, ErrorCode::kIo, "this node keeps no blob store");
  // A configuration: readable only by who may read every device it
  // configures (fail closed), in that device's current registration.
  auto subjects = ctx.blobs->subjects(*h);
  if (!subjects.ok()) return write_error(res, subjects.error());
  if (!subjects->empty()) {
    node::ViewReader view(ctx.node.view());
    std::optional<Error> denied;
    for (const std::string& subject : *subjects) {
      Status st = check_config_subject(view, subject, caller);
      if (!st.ok()) {
        denied = st.error();
        break;
      }
    }
    if (denied) {
      return write_error(res, make_error(denied->code, "blob " + to_hex(*h) +
                                                           " is a device configuration: " + denied->message));
    }
  }
  auto reader = ctx.blobs->open_read(*h);
  if (!reader.ok()) {
    if (reader.error().code == ErrorCode::kNotFound)
      return write_error(res, 404, ErrorCode::kNotFound,
                         "no blob " + to_hex(*h) + " on this node; upload it with `trustmesh blob put FILE`");
    return write_error(res, reader.error());
  }
  res.content_type = kOctetType;
  res.extra_headers = "X-Content-SHA256: " + to_hex(*h) + "\r\n";
  // A configuration names the devices (and registrations) it was uploaded
  // for, so an edge server that keeps it serves it only to who may read
  // every one of them (edge/access.h).
  if (!subjects->empty()) {
    res.extra_headers += "X-Blob-Kind: configuration\r\nX-Blob-Subjects:";
    for (const std::string& subject : *subjects) res.extra_headers += " " + subject;
    res.extra_headers += "\r\n";
  }
  res.file.emplace(std::move(reader).value());
}

std::optional<BlobUpload> plan_blob_upload(const Context& ctx, std::string_view sha, std::string_view query,
                                           std::optional<uint64_t> content_length, Response& res) {
  res.route = node::Route::kBlob;
  auto refuse = [&](const Error& e) -> std::optional<BlobUpload> {
    write_error(res, blob_upload_status(e.code), e.code, e.message);
    return std::nullopt;
  };
  if (!ctx.blobs) {
    write_error(res, 503, ErrorCode::kIo, "this node keeps no blob store");
    return std::nullopt;
  }
  std::string decoded;
  if (needs_decoding(sha)) {
    auto d = percent_decode(sha);
    if (!d.ok()) return refuse(d.error());
    decoded = std::move(*d);
    sha = decoded;
  }
  if (sha.find('/') != std::string_view::npos)
    return refuse(
        make_error(ErrorCode::kInvalidArgument,
                   "upload to /v1/blobs/{sha256}: one path segment, the 64 hex digits of the SHA-256"));
  auto h = parse_blob_hash(sha);
  if (!h.ok()) return refuse(h.error());
  auto q = parse_upload_query(query);
  if (!q.ok()) return refuse(q.error());
  if (!content_length) {
    write_error(res, 411, ErrorCode::kInvalidArgument,
                "an upload needs a Content-Length header (the file's size; chunked uploads are not taken)");
    return std::nullopt;
  }
  auto up = find_record(ctx, *h, *q);
  if (!up.ok()) return refuse(up.error());
  if (up->size && *content_length != *up->size)
    return refuse(make_error(ErrorCode::kVerificationFailure,
                             "Content-Length " + std::to_string(*content_length) + " is not the " +
                                 std::to_string(*up->size) + " bytes the ledger records for " + to_hex(*h) +
                                 " (" + std::string(up->matched) + "); nothing was stored"));
  if (*content_length > up->limit)
    return refuse(make_error(ErrorCode::kTooLarge, "Content-Length " + std::to_string(*content_length) +
                                                       " exceeds this node's limit of " +
                                                       std::to_string(up->limit) + " bytes for a " +
                                                       std::string(up->matched)));
  up->size = *content_length;  // Beast reads exactly this much; the store checks it again
  return *up;
}

int blob_upload_status(ErrorCode code) {
  if (code == ErrorCode::kVerificationFailure) return 422;
  if (code == ErrorCode::kNotFound) return 409;
  return http_status_for(code);
}

void answer_blob_upload(const BlobUpload& up, uint64_t size, bool created, Response& res) {
  res.route = node::Route::kBlob;
  res.status = created ? 201 : 200;
  res.body = nlohmann::json{{"sha256", to_hex(up.sha256)},
                            {"size", size},
                            {"matched", up.matched},
                            {"stored", created ? "new" : "already"}}
                 .dump();
}

}  // namespace trustmesh::api
