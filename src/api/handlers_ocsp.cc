// POST /v1/ocsp (body: DER OCSPRequest) and GET /v1/ocsp/{base64 of the DER,
// percent-encoded} (RFC 6960 appendix A): the node's OCSP responder
// (pki/ocsp_responder.h) answers from the latest committed state, with
// thisUpdate at that block's time. Every answer that reaches the responder is
// an OCSPResponse (errors too: malformedRequest, unauthorized), as OCSP
// clients expect; only a node without a signer answers 404 in JSON.
#include <openssl/evp.h>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/url.h"
#include "consensus/block.h"
#include "node/node.h"
#include "pki/ocsp_responder.h"
#include "store/block_store.h"
#include "store/proof.h"

namespace trustmesh::api {

namespace {

constexpr std::string_view kOcspResponseType = "application/ocsp-response";

// Standard base64 (with padding) -> bytes; nullopt if it is not base64.
std::optional<Bytes> base64_decode(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0 || s.size() > 4 * ((pki::kMaxOcspRequest + 2) / 3)) return std::nullopt;
  Bytes out(s.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()),
                                static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (s.back() == '=') pad = s[s.size() - 2] == '=' ? 2 : 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace

void handle_ocsp(const Context& ctx, const Request& req, std::string_view encoded, Response& res) {
  if (!ctx.ocsp)
    return write_error(res, 404, ErrorCode::kNotFound,
                       "this node runs no OCSP responder (start it with --ocsp-signer CERT.pem:KEY.pem)");
  Bytes der;
  if (req.method == Method::kPost) {
    der.assign(req.body.begin(), req.body.end());
  } else {
    auto text = percent_decode(encoded);
    auto decoded = text.ok() ? base64_decode(*text) : std::nullopt;
    if (decoded) der = std::move(*decoded);  // else empty: answered as malformedRequest
  }
  auto view = ctx.node.view();
  int64_t time = 0;
  auto hc = store::read_header_commit(*view, view->height());
  if (hc.ok() && *hc) {
    auto hdr = consensus::BlockHeader::decode((*hc)->first);
    if (hdr.ok()) time = static_cast<int64_t>(hdr->time);
  }
  if (time == 0) {  // no block time to date the answer with: OCSP's "try later" (3)
    static const char kTryLater[] = {0x30, 0x03, 0x0a, 0x01, 0x03};
    res.content_type = kOcspResponseType;
    res.body.assign(kTryLater, sizeof kTryLater);
    return;
  }
  node::ViewReader reader(view);
  const Bytes out =
      ctx.ocsp->answer_at(reader, view->height(), der, time, static_cast<int64_t>(ctx.cfg.ocsp_validity_s));
  res.content_type = kOcspResponseType;
  res.body.assign(out.begin(), out.end());
}

}  // namespace trustmesh::api
