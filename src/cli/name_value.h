// The value a device name is bound to (ledger::NameValue), built from the
// command line: a certificate file (PEM or DER, read with OpenSSL) or its
// SHA-256 given in hex, an optional configuration hash, and --include-cert
// to carry the certificate DER itself on chain.
//
// Invariants: cert_hash is SHA-256 of the certificate's DER encoding (as
// re-encoded by OpenSSL from the parsed certificate, so PEM and DER files of
// one certificate give one hash); cert_der is set only with --include-cert and
// then hashes to cert_hash.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "ledger/records.h"

namespace trustmesh::cli {

struct ValueOptions {
  std::string cert;         // --cert FILE
  std::string cert_hash;    // --cert-hash HEX
  std::string config_hash;  // --config-hash HEX
  bool include_cert = false;
};

// Adds --cert, --cert-hash (one of them required), --config-hash, --include-cert.
void add_value_options(CLI::App* cmd, ValueOptions& o);

// The certificate in a PEM or DER file, as DER. kMalformed if it is neither.
Result<Bytes> read_certificate_der(const std::string& path);

Result<ledger::NameValue> build_name_value(const ValueOptions& o);

}  // namespace trustmesh::cli
