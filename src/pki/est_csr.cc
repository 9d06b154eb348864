// PKCS#10 parsing and checks for EST; see est_csr.h.
#include "pki/est_csr.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "ledger/executor.h"
#include "pki/est_base64.h"

namespace trustmesh::pki {

namespace {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using ReqPtr = std::unique_ptr<X509_REQ, Free<X509_REQ, X509_REQ_free>>;

void free_exts(STACK_OF(X509_EXTENSION) * exts) {
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}
using ExtsPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), Free<STACK_OF(X509_EXTENSION), free_exts>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES, GENERAL_NAMES_free>>;

std::string one_line(const X509_NAME* n) {
  BIO* b = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<size_t>(len > 0 ? len : 0));
  BIO_free(b);
  return s;
}

Status read_cn(const X509_NAME* name, Csr& out) {
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0)
    return make_error(
        ErrorCode::kInvalidArgument,
        "the CSR's subject has no commonName: use CN=<device name> (openssl req -subj /CN=NAME)");
  if (X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0)
    return make_error(ErrorCode::kInvalidArgument, "the CSR's subject has more than one commonName");
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
  if (n < 0) return make_error(ErrorCode::kMalformed, "the CSR's commonName is not a string");
  out.cn.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  if (auto st = ledger::check_name(out.cn, 255); !st.ok())
    return make_error(ErrorCode::kInvalidArgument,
                      "the CSR's commonName '" + out.cn + "' is not a device name: " + st.error().message);
  return Status::Ok();
}

Status read_sans(X509_REQ* req, Csr& out) {
  ExtsPtr exts(X509_REQ_get_extensions(req));
  if (!exts) return Status::Ok();
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    // What openssl req adds by default is harmless; the CA decides these itself.
    if (nid == NID_basic_constraints || nid == NID_key_usage || nid == NID_ext_key_usage ||
        nid == NID_subject_key_identifier)
      continue;
    if (nid != NID_subject_alt_name)
      return make_error(
          ErrorCode::kInvalidArgument,
          "the CSR requests an extension this CA does not grant (only subjectAltName DNS names)");
    NamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    if (!names) return make_error(ErrorCode::kMalformed, "the CSR's subjectAltName does not parse");
    for (int j = 0; j < sk_GENERAL_NAME_num(names.get()); ++j) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), j);
      if (g->type != GEN_DNS)
        return make_error(ErrorCode::kInvalidArgument,
                          "the CSR's subjectAltName may hold DNS names only (the operational domain name)");
      const ASN1_STRING* s = g->d.dNSName;
      std::string dns(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<size_t>(ASN1_STRING_length(s)));
      TM_TRY(check_dns_name(dns));
      out.dns_names.push_back(dns);
    }
  }
  if (out.dns_names.size() > kMaxDnsNames)
    return make_error(ErrorCode::kInvalidArgument,
                      "the CSR names more than " + std::to_string(kMaxDnsNames) + " DNS names");
  return Status::Ok();
}

}  // namespace

Status check_dns_name(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "DNS name '" + std::string(name) + "' " + why);
  };
  if (name.empty() || name.size() > 253) return bad("must be 1..253 characters");
  size_t labels = 0, start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return bad("has a label that is empty or over 63 characters");
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
        return bad("may hold only letters, digits, '-' and '.' (no wildcards)");
    if (label.front() == '-' || label.back() == '-') return bad("has a label that starts or ends with '-'");
    ++labels;
    start = dot + 1;
  }
  if (labels < 2) return bad("must have at least two labels (e.g. lamp.building.example)");
  return Status::Ok();
}

Result<Csr> parse_csr(ByteView der) {
  if (der.size() > kMaxCsrDer) return make_error(ErrorCode::kTooLarge, "the CSR is over 16 KiB");
  const unsigned char* p = der.data();
  ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req || p != der.data() + der.size())
    return make_error(ErrorCode::kMalformed, "the body is not one DER PKCS#10 certification request");
  Csr out;
  out.der = to_bytes(der);
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (!key) return make_error(ErrorCode::kMalformed, "the CSR's public key does not parse");
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
    out.key_type = "ed25519";
  } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1 ||
        std::string_view(group) != "prime256v1")
      return make_error(ErrorCode::kUnsupported, "the CSR's key is on curve '" + std::string(group) +
                                                     "': only P-256 and Ed25519 are accepted");
    out.key_type = "p256";
  } else {
    const int id = EVP_PKEY_get_base_id(key);
    const std::string type = id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS ? "RSA" : OBJ_nid2sn(id);
    return make_error(
        ErrorCode::kUnsupported,
        "the CSR's key is " + type +
            ": only P-256 (openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256) and Ed25519 "
            "are accepted");
  }
  if (X509_REQ_verify(req.get(), key) != 1)
    return make_error(ErrorCode::kBadSignature,
                      "the CSR's signature does not verify under its own key (no proof of possession)");
  const X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  unsigned char* sd = nullptr;
  const int sn = i2d_X509_NAME(subject, &sd);
  if (sn <= 0) return make_error(ErrorCode::kMalformed, "the CSR's subject does not encode");
  out.subject_der.assign(sd, sd + sn);
  OPENSSL_free(sd);
  out.subject = one_line(subject);
  TM_TRY(read_cn(subject, out));
  TM_TRY(read_sans(req.get(), out));
  EVP_PKEY_up_ref(key);
  out.public_key.reset(key);
  return out;
}

Result<Csr> parse_csr_base64(std::string_view body) {
  TM_ASSIGN_OR_RETURN(Bytes der, base64_decode(body));
  return parse_csr(der);
}

Result<Bytes> csr_attrs_der() {
  // CsrAttrs ::= SEQUENCE SIZE (0..MAX) OF AttrOrOID; here plain OIDs, and
  // the EC key type as an Attribute { id-ecPublicKey, SET { prime256v1 } }.
  Bytes body;
  auto append_oid = [&](Bytes& to, int nid) -> bool {
    ASN1_OBJECT* obj = OBJ_nid2obj(nid);
    unsigned char* d = nullptr;
    const int n = obj ? i2d_ASN1_OBJECT(obj, &d) : -1;
    if (n <= 0) return false;
    to.insert(to.end(), d, d + n);
    OPENSSL_free(d);
    return true;
  };
  auto wrap = [](uint8_t tag, const Bytes& content) {  // short-form lengths: everything here is < 128 bytes
    Bytes out{tag, static_cast<uint8_t>(content.size())};
    out.insert(out.end(), content.begin(), content.end());
    return out;
  };
  Bytes curve, attr;
  if (!append_oid(curve, NID_X9_62_prime256v1) || !append_oid(attr, NID_X9_62_id_ecPublicKey) ||
      !append_oid(body, NID_ecdsa_with_SHA256))
    return make_error(ErrorCode::kCryptoFailure, "encoding an OID failed");
  Bytes set = wrap(0x31, curve);
  attr.insert(attr.end(), set.begin(), set.end());
  Bytes seq_attr = wrap(0x30, attr);
  body.insert(body.begin(), seq_attr.begin(), seq_attr.end());
  return wrap(0x30, body);
}

}  // namespace trustmesh::pki
