// OCSP questions to the ledger's node; see est_revocation.h.
#include "pki/est_revocation.h"

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <memory>

#include "pki/ossl.h"

namespace trustmesh::pki {

using namespace detail;

namespace {

Result<CertIdPtr> cert_id(ByteView cert_der, ByteView issuer_der) {
  X509Ptr cert = decode_x509(cert_der), issuer = decode_x509(issuer_der);
  if (!cert || !issuer)
    return make_error(ErrorCode::kMalformed, "a certificate for the OCSP question does not parse");
  CertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert.get(), issuer.get()));
  if (!id) return make_error(ErrorCode::kCryptoFailure, "building the OCSP CertID failed");
  return id;
}

}  // namespace

Result<Bytes> ocsp_request_for(ByteView cert_der, ByteView issuer_der) {
  TM_ASSIGN_OR_RETURN(CertIdPtr id, cert_id(cert_der, issuer_der));
  RequestPtr req(OCSP_REQUEST_new());
  if (!req || !OCSP_request_add0_id(req.get(), id.get()))
    return make_error(ErrorCode::kCryptoFailure, "building the OCSP request failed");
  id.release();  // owned by the request now
  unsigned char* der = nullptr;
  const int n = i2d_OCSP_REQUEST(req.get(), &der);
  if (n <= 0) return make_error(ErrorCode::kCryptoFailure, "encoding the OCSP request failed");
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

Result<LedgerCertStatus> read_ocsp_answer(ByteView response_der, ByteView cert_der, ByteView issuer_der) {
  const unsigned char* p = response_der.data();
  ResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response_der.size())));
  if (!resp) return make_error(ErrorCode::kMalformed, "the node's answer is not an OCSP response");
  const int status = OCSP_response_status(resp.get());
  if (status == OCSP_RESPONSE_STATUS_UNAUTHORIZED) return LedgerCertStatus::kUnavailable;
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return make_error(ErrorCode::kMalformed,
                      std::string("the node's OCSP responder answered ") + OCSP_response_status_str(status));
  BasicPtr basic(OCSP_response_get1_basic(resp.get()));
  if (!basic) return make_error(ErrorCode::kMalformed, "the node's OCSP response has no basic response");
  TM_ASSIGN_OR_RETURN(CertIdPtr id, cert_id(cert_der, issuer_der));
  int cert_status = -1, reason = -1;
  if (OCSP_resp_find_status(basic.get(), id.get(), &cert_status, &reason, nullptr, nullptr, nullptr) != 1)
    return make_error(ErrorCode::kMalformed, "the node's OCSP response does not answer for this certificate");
  switch (cert_status) {
    case V_OCSP_CERTSTATUS_GOOD: return LedgerCertStatus::kGood;
    case V_OCSP_CERTSTATUS_REVOKED: return LedgerCertStatus::kRevoked;
    default: return LedgerCertStatus::kUnknown;
  }
}

}  // namespace trustmesh::pki
