// Is a certificate this CA issued still good on the ledger? Asked of the
// node's OCSP responder (pki/ocsp_responder.h, GET /v1/ocsp/{base64}), which
// answers from the ledger: the EST service uses it before it re-enrols a
// client that authenticated with a certificate this CA issued.
//
// Invariants: the request names exactly that certificate (CertID with
// SHA-1, as `openssl ocsp` sends it) and no nonce; read_ocsp_answer trusts
// the node as much as the service trusts its other ledger reads (the same
// node), so it checks the response's shape and the CertID, not its signer.
#pragma once

#include <string>

#include "core/bytes.h"

namespace trustmesh::pki {

enum class LedgerCertStatus {
  kGood,         // on the ledger, unrevoked
  kRevoked,      // revoked on the ledger (or its CA is)
  kUnknown,      // this CA recorded no such certificate on the ledger
  kUnavailable,  // the node has no OCSP responder for this CA (unauthorized, or no answer)
};

// DER OCSPRequest for cert (issued by issuer).
Result<Bytes> ocsp_request_for(ByteView cert_der, ByteView issuer_der);
// The status the response gives for cert; kMalformed if it is not an OCSP response.
Result<LedgerCertStatus> read_ocsp_answer(ByteView response_der, ByteView cert_der, ByteView issuer_der);

}  // namespace trustmesh::pki
