// EST base64 bodies; see est_base64.h.
#include "pki/est_base64.h"

#include <openssl/evp.h>

namespace trustmesh::pki {

Result<Bytes> base64_decode(std::string_view text) {
  if (text.size() > kMaxEstBody) return make_error(ErrorCode::kTooLarge, "base64 body over 64 KiB");
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '+' || c == '/' || c == '=';
    if (!alpha)
      return make_error(ErrorCode::kMalformed,
                        "the body is not base64 (a character outside A-Z a-z 0-9 + / =)");
    clean.push_back(c);
  }
  if (clean.empty()) return make_error(ErrorCode::kMalformed, "the body is empty (expected base64 DER)");
  if (clean.size() % 4 != 0) return make_error(ErrorCode::kMalformed, "the base64 body has a wrong length");
  const size_t pad = clean.find('=');
  if (pad != std::string::npos &&
      (pad < clean.size() - 2 || clean.find_first_not_of('=', pad) != std::string::npos))
    return make_error(ErrorCode::kMalformed, "the base64 body has '=' before its end");
  Bytes out(clean.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return make_error(ErrorCode::kMalformed, "the body is not valid base64");
  // EVP_DecodeBlock keeps the bytes the padding stands for: drop them.
  const size_t padding = clean.size() - (pad == std::string::npos ? clean.size() : pad);
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::string base64_encode(ByteView data) {
  std::string out;
  for (size_t i = 0; i < data.size(); i += 48) {  // 48 bytes -> one 64-character line
    const size_t len = std::min<size_t>(48, data.size() - i);
    std::string line(4 * ((len + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(line.data()), data.data() + i,
                                  static_cast<int>(len));
    line.resize(static_cast<size_t>(n));
    out += line;
    out += "\n";
  }
  return out;
}

}  // namespace trustmesh::pki
