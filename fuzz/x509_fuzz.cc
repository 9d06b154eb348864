// libFuzzer target for the X.509 parsers the state machine runs on untrusted
// bytes (core/x509.h parse_certificate, core/x509_crl.h parse_crl): org roots,
// cert.add and crl.publish all start there.
//
// Properties checked on every input (abort on violation):
//  * neither parser crashes, and a failure carries kMalformed or kTooLarge
//    with a message;
//  * a success is deterministic: parsing the same bytes again gives the same
//    facts (hash, names, ids, serials), and the hash is the bytes' SHA-256;
//  * a parsed CRL's serials are sorted and unique; a parsed certificate's
//    path_len is -1 unless it is a CA.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/hash.h"
#include "core/x509.h"
#include "core/x509_crl.h"

namespace {

using trustmesh::ByteView;
using trustmesh::ErrorCode;
namespace x509 = trustmesh::x509;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "x509_fuzz: property violated: %s\n", what);
    std::abort();
  }
}

bool parse_error(const trustmesh::Error& e) {
  return (e.code == ErrorCode::kMalformed || e.code == ErrorCode::kTooLarge) && !e.message.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  auto cert = x509::parse_certificate(in);
  if (!cert.ok()) {
    check(parse_error(cert.error()), "certificate failure with an unexpected code or no message");
  } else {
    auto again = x509::parse_certificate(in);
    check(again.ok() && again->hash == cert->hash && again->subject == cert->subject &&
              again->serial == cert->serial && again->vid == cert->vid && again->pid == cert->pid,
          "certificate parse not deterministic");
    check(cert->hash == trustmesh::sha256(in), "certificate hash is not the SHA-256 of its bytes");
    check(cert->is_ca || cert->path_len == -1, "path_len on a non-CA certificate");
  }
  auto crl = x509::parse_crl(in);
  if (!crl.ok()) {
    check(parse_error(crl.error()), "CRL failure with an unexpected code or no message");
  } else {
    auto again = x509::parse_crl(in);
    check(again.ok() && again->hash == crl->hash && again->number == crl->number &&
              again->serials == crl->serials && again->this_update == crl->this_update,
          "CRL parse not deterministic");
    check(std::is_sorted(crl->serials.begin(), crl->serials.end()) &&
              std::adjacent_find(crl->serials.begin(), crl->serials.end()) == crl->serials.end(),
          "CRL serials not sorted and unique");
  }
  return 0;
}
