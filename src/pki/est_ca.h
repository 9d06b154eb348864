// The CA of the EST service: an organisation's CA certificate (intermediate,
// or any CA of the org on the ledger), the chain above it, and its private key.
// It issues device (end-entity) certificates for verified CSRs:
//   subject CN = the device name; basicConstraints critical CA:FALSE;
//   keyUsage critical digitalSignature; extendedKeyUsage clientAuth,
//   serverAuth; subjectAltName dNSName from the CSR (when the RA allowed it);
//   a random positive serial of up to 16 bytes; SKID and AKID; validity from
//   now - 5 minutes for `days` days, never past the CA certificate's notAfter.
//
// Invariants: the key matches the CA certificate, which is a CA (checked at
// load); the key file is refused unless its mode is exactly 0600 (owner
// read/write only), with the fix in the message.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/x509_issue.h"
#include "pki/est_csr.h"

namespace trustmesh::pki {

class EstCa {
 public:
  // chain[0] is the issuing CA certificate, then optionally its issuers.
  static Result<std::unique_ptr<EstCa>> create(std::vector<Bytes> chain, x509::PkeyPtr key, uint32_t days);
  // The same from a PEM chain file and a PEM key file (mode 0600).
  static Result<std::unique_ptr<EstCa>> load(const std::string& cert_path, const std::string& key_path,
                                             uint32_t days);

  const Bytes& ca_cert() const { return chain_.front(); }
  const std::vector<Bytes>& chain() const { return chain_; }
  uint32_t days() const { return days_; }
  EVP_PKEY* key() const { return key_.get(); }  // e.g. to sign the CA's CRLs

  // A certificate for the CSR's key (dns SANs included iff with_dns).
  Result<Bytes> issue(const Csr& csr, bool with_dns, int64_t now) const;

 private:
  EstCa(std::vector<Bytes> chain, x509::PkeyPtr key, uint32_t days, int64_t ca_not_after)
      : chain_(std::move(chain)), key_(std::move(key)), days_(days), ca_not_after_(ca_not_after) {}
  std::vector<Bytes> chain_;
  x509::PkeyPtr key_;
  uint32_t days_;
  int64_t ca_not_after_;
};

// Ok iff the file's mode is 0600 (kInvalidArgument "... chmod 600 FILE" otherwise).
Status check_key_file_mode(const std::string& path);

}  // namespace trustmesh::pki
