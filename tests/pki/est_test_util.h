// Helpers for the EST unit tests: CSRs made with OpenSSL's own PKCS#10 API
// (any key type, subject, SANs), so the parser is tested against what real
// tools produce.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/x509_issue.h"

namespace trustmesh::esttest {

inline x509::PkeyPtr make_key(const std::string& type) {
  if (type == "p256") return x509::PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (type == "p384") return x509::PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  if (type == "ed25519") return x509::PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  return x509::PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
}

// DER of a CSR signed by `key` with subject CN=cn (none if empty) and the given SAN entries
// ("DNS:x", "URI:y", as openssl's config syntax).
inline Bytes make_csr(EVP_PKEY* key, const std::string& cn, const std::string& san = "") {
  X509_REQ* req = X509_REQ_new();
  X509_REQ_set_version(req, 0);
  X509_NAME* name = X509_NAME_new();
  if (!cn.empty())
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                               static_cast<int>(cn.size()), -1, 0);
  X509_REQ_set_subject_name(req, name);
  X509_NAME_free(name);
  X509_REQ_set_pubkey(req, key);
  if (!san.empty()) {
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
    sk_X509_EXTENSION_push(exts, ext);
    X509_REQ_add_extensions(req, exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  const bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  X509_REQ_sign(req, key, ed ? nullptr : EVP_sha256());
  unsigned char* der = nullptr;
  int n = i2d_X509_REQ(req, &der);
  Bytes out(der, der + n);
  OPENSSL_free(der);
  X509_REQ_free(req);
  return out;
}

}  // namespace trustmesh::esttest
