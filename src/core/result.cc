// Names and formatting for ErrorCode. Names are stable API: never change one.
#include "core/result.h"

namespace trustmesh {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kNonCanonical: return "non_canonical";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kBadKey: return "bad_key";
    case ErrorCode::kBadSignature: return "bad_signature";
    case ErrorCode::kBadAddress: return "bad_address";
    case ErrorCode::kCryptoFailure: return "crypto_failure";
    case ErrorCode::kWrongChain: return "wrong_chain";
    case ErrorCode::kBadSequence: return "bad_sequence";
    case ErrorCode::kFeeTooLow: return "fee_too_low";
    case ErrorCode::kInsufficientFunds: return "insufficient_funds";
    case ErrorCode::kTxTooLarge: return "tx_too_large";
    case ErrorCode::kUnknownAccount: return "unknown_account";
    case ErrorCode::kMempoolFull: return "mempool_full";
    case ErrorCode::kDuplicateTx: return "duplicate_tx";
    case ErrorCode::kNameTaken: return "name_taken";
    case ErrorCode::kNameNotFound: return "name_not_found";
    case ErrorCode::kNotOwner: return "not_owner";
    case ErrorCode::kNameRevoked: return "name_revoked";
    case ErrorCode::kNameExpired: return "name_expired";
    case ErrorCode::kPreorderNotFound: return "preorder_not_found";
    case ErrorCode::kPreorderTooEarly: return "preorder_too_early";
    case ErrorCode::kPreorderTooLate: return "preorder_too_late";
    case ErrorCode::kPreorderExists: return "preorder_exists";
    case ErrorCode::kBadName: return "bad_name";
    case ErrorCode::kValueTooLarge: return "value_too_large";
    case ErrorCode::kBadValidity: return "bad_validity";
    case ErrorCode::kNotTrustee: return "not_trustee";
    case ErrorCode::kProposalNotFound: return "proposal_not_found";
    case ErrorCode::kAlreadyApproved: return "already_approved";
    case ErrorCode::kProposalClosed: return "proposal_closed";
    case ErrorCode::kBadParams: return "bad_params";
    case ErrorCode::kSelfTransfer: return "self_transfer";
    case ErrorCode::kAmountOverflow: return "amount_overflow";
    case ErrorCode::kBadEvidence: return "bad_evidence";
    case ErrorCode::kDuplicateEvidence: return "duplicate_evidence";
    case ErrorCode::kBadStage: return "bad_stage";
    case ErrorCode::kNameRetired: return "name_retired";
    case ErrorCode::kNotMember: return "not_in_membership_list";
    case ErrorCode::kVerificationFailure: return "verification_failure";
    case ErrorCode::kMskFailure: return "msk_generation_failure";
    case ErrorCode::kLedgerUnavailable: return "ledger_unavailable";
    case ErrorCode::kStaleNonce: return "stale_nonce";
    case ErrorCode::kWrongState: return "wrong_state";
    case ErrorCode::kNotMaster: return "not_master";
    case ErrorCode::kDecryptFailed: return "decrypt_failed";
    case ErrorCode::kOrgNotFound: return "org_not_found";
    case ErrorCode::kOrgExists: return "org_exists";
    case ErrorCode::kNotOrgAdmin: return "not_org_admin";
    case ErrorCode::kMissingRole: return "missing_role";
    case ErrorCode::kBadCertificate: return "bad_certificate";
    case ErrorCode::kCertNotFound: return "cert_not_found";
    case ErrorCode::kCertRevoked: return "cert_revoked";
    case ErrorCode::kModelNotFound: return "model_not_found";
    case ErrorCode::kReleaseNotFound: return "release_not_found";
    case ErrorCode::kReleaseExists: return "release_exists";
    case ErrorCode::kClaimNotFound: return "claim_not_found";
    case ErrorCode::kBadClaim: return "bad_claim";
    case ErrorCode::kClaimWithdrawn: return "claim_withdrawn";
    case ErrorCode::kBadPolicy: return "bad_policy";
    case ErrorCode::kBadCrl: return "bad_crl";
    case ErrorCode::kDomainNotFound: return "domain_not_found";
    case ErrorCode::kDomainExists: return "domain_exists";
    case ErrorCode::kMissingRight: return "missing_right";
    case ErrorCode::kLastAdministrator: return "last_administrator";
    case ErrorCode::kAccessDenied: return "access_denied";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string s(error_code_name(code));
  s += " (" + std::to_string(static_cast<unsigned>(code)) + "): " + message;
  return s;
}

}  // namespace trustmesh
