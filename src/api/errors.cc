// ErrorCode -> HTTP status and the error body (errors.h).
#include "api/errors.h"

#include "api/json_writer.h"

namespace trustmesh::api {

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kNotFound:
    case ErrorCode::kNameNotFound:
    case ErrorCode::kOrgNotFound:
    case ErrorCode::kCertNotFound:
    case ErrorCode::kModelNotFound:
    case ErrorCode::kReleaseNotFound:
    case ErrorCode::kClaimNotFound:
    case ErrorCode::kDomainNotFound: return 404;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kAccessDenied: return 403;
    case ErrorCode::kTooLarge:
    case ErrorCode::kTxTooLarge: return 413;
    // A well-formed tx the mempool refuses.
    case ErrorCode::kBadSignature:
    case ErrorCode::kWrongChain:
    case ErrorCode::kBadSequence:
    case ErrorCode::kFeeTooLow:
    case ErrorCode::kInsufficientFunds:
    case ErrorCode::kUnknownAccount:
    case ErrorCode::kDuplicateTx: return 422;
    case ErrorCode::kMempoolFull: return 503;
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
    case ErrorCode::kCryptoFailure: return 500;
    default: return 400;  // malformed, non-canonical, bad name/address/key, ...
  }
}

void write_error(Response& res, int http_status, ErrorCode code, std::string_view message) {
  res.status = http_status;
  res.content_type = kJsonType;
  res.external_body = {};
  res.body.clear();
  JsonWriter w(res.body);
  w.begin_object()
      .field("code", static_cast<uint64_t>(code))
      .field("error", error_code_name(code))
      .field("message", message)
      .end_object();
}

std::string_view reason_phrase(int s) {
  switch (s) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

}  // namespace trustmesh::api
