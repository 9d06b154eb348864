// An OCSP responder (RFC 6960) that answers from ledger state.
//
// An organisation gives it delegated responder certificates (each issued by
// one of its CA certificates on the ledger, with extendedKeyUsage
// id-kp-OCSPSigning) and their keys. For each CertID of a request it finds
// that CA on the ledger and answers from what the ledger says about the
// serial: `good` (a certificate of that CA on the ledger, unrevoked),
// `revoked` (with the block time of its revocation and its reason; every
// certificate under a revoked CA, or under a revoked certificate above it, is
// revoked too: cACompromise) or `unknown` (that CA recorded
// no such serial). thisUpdate is the time of the newest block; nextUpdate is
// `validity_s` later. Nonces are echoed.
//
// Invariants: answer() never throws and always returns an OCSPResponse DER:
// successful, or malformedRequest (bytes that are not a request, no or too
// many CertIDs), unauthorized (a CA this responder does not serve) or
// internalError (a storage fault). It reads state only through the reader it
// is given, so a node's snapshot answers consistently for one height.
// Signature checks of the signers against ledger CAs and the parsed CA
// certificates are remembered (they depend only on the certificates), so a
// request costs state reads and one signature.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/x509_issue.h"
#include "ledger/state.h"

namespace trustmesh::pki {

inline constexpr size_t kMaxOcspRequest = 16 * 1024;
inline constexpr int kMaxCertIdsPerRequest = 16;

struct OcspSigner {
  Bytes cert_der;  // the delegated responder certificate
  x509::PkeyPtr key;
};

class OcspResponder {
 public:
  // kInvalidArgument if a certificate lacks id-kp-OCSPSigning or does not match its key.
  static Result<std::unique_ptr<OcspResponder>> create(std::vector<OcspSigner> signers);
  // Reads "CERT.pem:KEY.pem" pairs (the node's --ocsp-signer option).
  static Result<std::unique_ptr<OcspResponder>> load(const std::vector<std::string>& pairs);
  ~OcspResponder();

  Bytes answer(const ledger::StateReader& state, ByteView request, int64_t block_time,
               int64_t validity_s) const;

  // answer() for the state at `height`, remembered: the same request bytes at
  // the same height get the same answer (the same statuses, thisUpdate and
  // nonce) without signing again, the way OCSP responders pre-sign. Only the
  // newest height's answers are kept (at most kMaxCachedAnswers).
  Bytes answer_at(const ledger::StateReader& state, uint64_t height, ByteView request, int64_t block_time,
                  int64_t validity_s) const;
  static constexpr size_t kMaxCachedAnswers = 4096;

 private:
  struct Impl;
  explicit OcspResponder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trustmesh::pki
