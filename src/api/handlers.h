// The endpoint handlers (docs/API.md, HTTP API). Each reads through one
// node view (a consistent snapshot of one committed height), writes its JSON
// answer into the Response or an error via write_error, and never blocks on
// block production. Path parameters arrive percent-decoded but unvalidated;
// each handler validates its own and answers 400 with what was expected.
//
// handlers_chain.cc: status, genesis, openapi, metrics, block events
// handlers_blocks.cc: blocks
// handlers_names.cc: names and name status (the hot path)
// handlers_txs.cc: tx submission and lookup
// handlers_accounts.cc: accounts
// handlers_compliance.cc, handlers_admission.cc: the compliance ledger and admission
// handlers_blobs.cc: the off-chain content store (/v1/blobs)
#pragma once

#include <optional>
#include <string_view>

#include "api/exchange.h"
#include "ledger/state.h"

namespace trustmesh::api {

void handle_status(const Context& ctx, Response& res);
void handle_genesis(const Context& ctx, Response& res);
void handle_validators(const Context& ctx, Response& res);
void handle_net(const Context& ctx, Response& res);
void handle_openapi(const Context& ctx, Response& res);
void handle_metrics(const Context& ctx, Response& res);
// Only marks the response as an event stream; the session takes it from there.
void handle_events(const Context& ctx, Response& res);

void handle_block_latest(const Context& ctx, Response& res);
void handle_block(const Context& ctx, std::string_view height, Response& res);

// The full record; 403 for a device in a private domain without the caller's read right.
void handle_name(const Context& ctx, std::string_view name, const std::optional<Address>& caller,
                 Response& res);
void handle_name_status(const Context& ctx, std::string_view name, std::string_view query, Response& res);

void handle_tx_submit(const Context& ctx, const Request& req, Response& res);
void handle_tx_get(const Context& ctx, std::string_view hash, Response& res);

void handle_account(const Context& ctx, std::string_view address, Response& res);

// handlers_compliance.cc: organisations, vendors, models, releases, claims
void handle_org(const Context& ctx, std::string_view id, Response& res);
void handle_vendor(const Context& ctx, std::string_view vid, Response& res);
void handle_model(const Context& ctx, std::string_view vid, std::string_view pid, Response& res);
void handle_model_version(const Context& ctx, std::string_view vid, std::string_view pid,
                          std::string_view version, Response& res);
void handle_release(const Context& ctx, std::string_view sha256, Response& res);
// POST /v1/ocsp, GET /v1/ocsp/{base64}: the node's OCSP responder (404 if none is configured).
void handle_ocsp(const Context& ctx, const Request& req, std::string_view encoded, Response& res);
// GET /v1/crls/{issuer sha256}[?format=pem]: the newest CRL that CA published (DER by default).
void handle_crl(const Context& ctx, std::string_view issuer, std::string_view query, Response& res);
// GET /v1/crls/{issuer}/entries: what the CA's next CRL must list (its
// certificates revoked on the ledger, devices included) and its next cRLNumber.
void handle_crl_entries(const Context& ctx, std::string_view issuer, Response& res);
void handle_claim(const Context& ctx, std::string_view id, Response& res);
void handle_claims(const Context& ctx, std::string_view query, Response& res);
// handlers_admission.cc: POST /v1/admission
void handle_admission(const Context& ctx, const Request& req, Response& res);
// handlers_domains.cc: GET /v1/domains/{id} (a private domain's members and
// subjects only for a caller with read).
void handle_domain(const Context& ctx, std::string_view id, const std::optional<Address>& caller,
                   Response& res);
// The access check every handler serving a device's or model's detail calls
// (names, configurations, blobs): true if `caller` may read `subject`
// ("device:<name>", "model:<vid>/<pid>") in `view`; otherwise writes the
// 403 access_denied answer (which domain, which right, how to get it) — or
// the storage error — into res and returns false.
bool allow_read(const ledger::StateReader& view, std::string_view subject,
                const std::optional<Address>& caller, Response& res);
// POST /v1/proofs (handlers_proofs.cc): a CBOR proof bundle for names, orgs and models.
void handle_proofs(const Context& ctx, const Request& req, Response& res);

// handlers_blobs.cc. GET/HEAD /v1/blobs/{sha256}: streams the stored file.
// A device's configuration is served only to a caller who may read that
// device (a private domain's detail: allow_read); firmware and reports are public.
void handle_blob_get(const Context& ctx, std::string_view sha256, const std::optional<Address>& caller,
                     Response& res);
// PUT /v1/blobs/{sha256}[?name=N|?claim=ID], decided from the header alone
// (before any of the body is read): which ledger record allows it, and so
// the exact size (or the limit) the streamed body must keep.
struct BlobUpload {
  Hash32 sha256{};
  std::optional<uint64_t> size;  // exact size on the ledger (release, claim report_size)
  uint64_t limit = 0;            // at most this many bytes in any case
  std::string_view matched;      // "release" | "config" | "report"
  std::string subject;           // "device:<name>" for a configuration: its reads follow that device's domain
};
// nullopt: refused, and `res` holds the error answer.
std::optional<BlobUpload> plan_blob_upload(const Context& ctx, std::string_view sha256,
                                           std::string_view query, std::optional<uint64_t> content_length,
                                           Response& res);
// HTTP status of a refused upload: 422 content that does not match its hash
// or recorded size (kVerificationFailure), 409 no ledger record carries the
// hash (kNotFound), else as http_status_for.
int blob_upload_status(ErrorCode code);
// The answer once the body was stored (`created`: false if it was already there).
void answer_blob_upload(const BlobUpload& up, uint64_t size, bool created, Response& res);

}  // namespace trustmesh::api
