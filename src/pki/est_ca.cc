// The EST service's CA; see est_ca.h.
#include "pki/est_ca.h"

#include <openssl/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/x509.h"
#include "pki/ossl.h"

namespace trustmesh::pki {

using namespace detail;

Status check_key_file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return make_error(ErrorCode::kIo, "cannot read " + path);
  const unsigned mode = st.st_mode & 07777;
  if (mode != 0600) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    return make_error(ErrorCode::kInvalidArgument, "the CA key file " + path + " has mode " + octal +
                                                       "; it must be readable by its owner only: chmod 600 " +
                                                       path);
  }
  return Status::Ok();
}

Result<std::unique_ptr<EstCa>> EstCa::create(std::vector<Bytes> chain, x509::PkeyPtr key, uint32_t days) {
  if (chain.empty()) return make_error(ErrorCode::kInvalidArgument, "no CA certificate");
  if (days == 0 || days > 3650)
    return make_error(ErrorCode::kInvalidArgument, "validity must be 1..3650 days");
  TM_ASSIGN_OR_RETURN(x509::CertFacts ca, x509::parse_certificate(chain.front()));
  if (!ca.is_ca)
    return make_error(ErrorCode::kInvalidArgument,
                      "'" + ca.subject + "' is not a CA certificate (basicConstraints CA:TRUE)");
  const unsigned char* p = chain.front().data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(chain.front().size()));
  const bool match = x && key && X509_check_private_key(x, key.get()) == 1;
  X509_free(x);
  if (!match)
    return make_error(ErrorCode::kInvalidArgument, "the CA key does not belong to '" + ca.subject + "'");
  return std::unique_ptr<EstCa>(new EstCa(std::move(chain), std::move(key), days, ca.not_after));
}

Result<std::unique_ptr<EstCa>> EstCa::load(const std::string& cert_path, const std::string& key_path,
                                           uint32_t days) {
  TM_TRY(check_key_file_mode(key_path));
  TM_ASSIGN_OR_RETURN(std::string cert_text, read_text_file(cert_path));
  TM_ASSIGN_OR_RETURN(std::vector<Bytes> chain, x509::read_certificates(cert_text));
  TM_ASSIGN_OR_RETURN(std::string key_text, read_text_file(key_path));
  TM_ASSIGN_OR_RETURN(x509::PkeyPtr key, x509::key_from_pem(key_text));
  return create(std::move(chain), std::move(key), days);
}

Result<Bytes> EstCa::issue(const Csr& csr, bool with_dns, int64_t now) const {
  x509::CertSpec spec;
  spec.cn = csr.cn;
  spec.ca = false;
  spec.tls_client_server = true;
  spec.not_before = now - 300;
  spec.not_after = std::min<int64_t>(now + static_cast<int64_t>(days_) * 86400, ca_not_after_);
  if (spec.not_after <= now)
    return make_error(ErrorCode::kInvalidArgument, "the CA certificate has expired: renew it before issuing");
  if (with_dns) spec.dns_sans = csr.dns_names;
  return x509::certify(spec, csr.public_key.get(), chain_.front(), key_.get());
}

}  // namespace trustmesh::pki
