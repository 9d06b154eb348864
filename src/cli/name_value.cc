// Certificate files and name values (name_value.h).
#include "cli/name_value.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "cli/private_files.h"
#include "core/hash.h"

namespace trustmesh::cli {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

}  // namespace

void add_value_options(CLI::App* cmd, ValueOptions& o) {
  auto* cert =
      cmd->add_option("--cert", o.cert, "Device certificate, PEM or DER (its SHA-256 is bound to the name)");
  auto* hash = cmd->add_option("--cert-hash", o.cert_hash,
                               "SHA-256 of the certificate's DER, hex (instead of --cert)");
  cert->excludes(hash);
  hash->excludes(cert);
  cmd->add_option("--config-hash", o.config_hash, "SHA-256 of the device configuration, hex (optional)");
  cmd->add_flag("--include-cert", o.include_cert,
                "Also carry the certificate DER itself on chain (needs --cert)");
}

Result<Bytes> read_certificate_der(const std::string& path) {
  TM_ASSIGN_OR_RETURN(std::string data, read_small_file(path, 256 * 1024));
  std::unique_ptr<X509, X509Free> x509;
  if (data.find("-----BEGIN") != std::string::npos) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio) return make_error(ErrorCode::kCryptoFailure, "BIO_new_mem_buf failed");
    x509.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    x509.reset(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
    if (x509 && p != reinterpret_cast<const unsigned char*>(data.data()) + data.size()) x509.reset();
  }
  if (!x509) {
    return make_error(ErrorCode::kMalformed,
                      path + " is not an X.509 certificate in PEM (-----BEGIN CERTIFICATE-----) or DER form");
  }
  unsigned char* der = nullptr;
  int len = i2d_X509(x509.get(), &der);
  if (len <= 0 || der == nullptr) return make_error(ErrorCode::kCryptoFailure, "i2d_X509 failed for " + path);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<ledger::NameValue> build_name_value(const ValueOptions& o) {
  ledger::NameValue v;
  if (!o.cert.empty()) {
    TM_ASSIGN_OR_RETURN(Bytes der, read_certificate_der(o.cert));
    v.cert_hash = sha256(der);
    if (o.include_cert) v.cert_der = std::move(der);
  } else if (!o.cert_hash.empty()) {
    if (o.include_cert) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--include-cert needs the certificate itself: use --cert FILE");
    }
    Result<Hash32> h = hash32_from_hex(o.cert_hash);
    if (!h.ok()) return make_error(ErrorCode::kInvalidArgument, "--cert-hash: " + h.error().message);
    v.cert_hash = *h;
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      "give the device certificate: --cert FILE or --cert-hash HEX");
  }
  if (!o.config_hash.empty()) {
    Result<Hash32> h = hash32_from_hex(o.config_hash);
    if (!h.ok()) return make_error(ErrorCode::kInvalidArgument, "--config-hash: " + h.error().message);
    v.config_hash = *h;
  }
  return v;
}

}  // namespace trustmesh::cli
