// Errors as values: Error (a stable code plus a human message) and Result<T>.
//
// Invariants:
//  * ErrorCode numeric values are part of the public contract (they appear in
//    block results and API answers). Append new codes; never renumber.
//  * A Result holds exactly one of a value or an Error. Accessing the wrong
//    alternative is a programming error and aborts (asserted, also in release).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace trustmesh {

enum class ErrorCode : uint16_t {
  kOk = 0,
  // Generic input errors (1xx).
  kInvalidArgument = 100,
  kMalformed = 101,     // bytes/text that do not parse
  kNonCanonical = 102,  // parses, but is not the one canonical form
  kTooLarge = 103,      // exceeds a size, depth or count limit
  kUnsupported = 104,   // well-formed but a feature we refuse (floats, tags)
  kNotFound = 105,
  kIo = 106,  // storage or file error (edges only)
  kInternal = 107,
  kConflict = 108,  // would contradict something already done (e.g. a double signature)
  // Crypto (2xx).
  kBadKey = 200,
  kBadSignature = 201,
  kBadAddress = 202,
  kCryptoFailure = 203,
  // Transaction admission (3xx): a tx failing these changes nothing.
  kWrongChain = 300,
  kBadSequence = 301,
  kFeeTooLow = 302,
  kInsufficientFunds = 303,
  kTxTooLarge = 304,
  kUnknownAccount = 305,
  kMempoolFull = 306,  // the node's mempool is at its bound; retry later
  kDuplicateTx = 307,  // already pending or committed
  // Operation failures (4xx): fee is paid and the sequence is used.
  kNameTaken = 400,
  kNameNotFound = 401,
  kNotOwner = 402,
  kNameRevoked = 403,
  kNameExpired = 404,
  kPreorderNotFound = 405,
  kPreorderTooEarly = 406,
  kPreorderTooLate = 407,
  kPreorderExists = 408,
  kBadName = 409,
  kValueTooLarge = 410,
  kBadValidity = 411,
  kNotTrustee = 412,
  kProposalNotFound = 413,
  kAlreadyApproved = 414,
  kProposalClosed = 415,
  kBadParams = 416,
  kSelfTransfer = 417,
  kAmountOverflow = 418,
  kBadEvidence = 419,        // evidence of equivocation that proves nothing
  kDuplicateEvidence = 420,  // this equivocation is already on the ledger
  kBadStage = 421,           // a supply-chain stage change the rules do not allow
  kNameRetired = 422,        // the device was retired; retirement is final

  // Devices, device managers and IoTAKE (src/device/).
  kNotMember = 500,  // peer (or ledger node) not in the membership list
  kVerificationFailure =
      501,            // the ledger does not vouch for the peer: revoked, expired, hash mismatch, unknown
  kMskFailure = 502,  // no session key (msk) could be derived from the handshake
  kLedgerUnavailable = 503,  // no ledger node answered (hard-fail policy, or nothing cached)
  kStaleNonce = 504,         // a replayed or old command nonce
  kWrongState = 505,         // the device is not in a state that takes this command
  kNotMaster = 506,          // the command's sender is not the device's master DM
  kDecryptFailed = 507,      // sealed bytes that do not open (tampered, or for another key)

  // Compliance ledger and trust (src/ledger/ops_orgs.cc ..., src/trust/).
  kOrgNotFound = 600,      // no organisation with this id
  kOrgExists = 601,        // the organisation id (or vendor id) is taken
  kNotOrgAdmin = 602,      // the sender does not act for this organisation
  kMissingRole = 603,      // the organisation lacks the kind or role this needs
  kBadCertificate = 604,   // a certificate that does not parse, is not a CA, or does not chain
  kCertNotFound = 605,     // no certificate with this hash on the ledger
  kCertRevoked = 606,      // the certificate is revoked
  kModelNotFound = 607,    // no model with this vendor and product id
  kReleaseNotFound = 608,  // no release with this hash
  kReleaseExists = 609,    // a release with this hash or version is already published
  kClaimNotFound = 610,    // no claim with this id
  kBadClaim = 611,         // a claim type, subject or data the ledger does not accept
  kClaimWithdrawn = 612,   // the claim was already withdrawn
  kBadPolicy = 613,        // an ecosystem policy file that does not parse or names unknown rules
  kBadCrl = 614,           // a CRL that does not parse, verify, or match the ledger's revocations
  // Access domains (src/ledger/domains.h, src/api/caller_auth.h).
  kDomainNotFound = 615,     // no access domain with this id
  kDomainExists = 616,       // the access domain id is taken
  kMissingRight = 617,       // the sender lacks the domain right (read, update, administer) this needs
  kLastAdministrator = 618,  // the change would leave the domain without an administrator
  kAccessDenied = 619,       // a private domain's detail, asked for without its read right
  kUnauthenticated = 620,    // a request signature (Authorization: TM-Sig) that is malformed or fails
};

// Stable snake_case name of a code, e.g. "bad_signature".
std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // "bad_signature (201): signature does not verify"
  std::string to_string() const;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

[[noreturn]] inline void fatal(const char* what, const char* file, int line) {
  std::fprintf(stderr, "trustmesh: invariant violated: %s at %s:%d\n", what, file, line);
  std::abort();
}

// Always-on invariant check (TigerBeetle style): cheap conditions only.
#define TM_ASSERT(cond)                                         \
  do {                                                          \
    if (!(cond)) ::trustmesh::fatal(#cond, __FILE__, __LINE__); \
  } while (0)

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    TM_ASSERT(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    TM_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    TM_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    TM_ASSERT(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    TM_ASSERT(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

// Propagate an error from an expression returning Status or Result<T>.
#define TM_TRY(expr)                               \
  do {                                             \
    auto&& tm_try_r_ = (expr);                     \
    if (!tm_try_r_.ok()) return tm_try_r_.error(); \
  } while (0)

#define TM_CONCAT_INNER(a, b) a##b
#define TM_CONCAT(a, b) TM_CONCAT_INNER(a, b)
// TM_ASSIGN_OR_RETURN(auto x, f()); binds the value or returns the error.
#define TM_ASSIGN_OR_RETURN(lhs, expr) TM_ASSIGN_OR_RETURN_IMPL(TM_CONCAT(tm_r_, __LINE__), lhs, expr)
#define TM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.error();             \
  lhs = std::move(tmp).value()

}  // namespace trustmesh
