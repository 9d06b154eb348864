// UTF-8 well-formedness check for CBOR text strings (Unicode 15, table 3-7).
//
// Invariants: never reads past s.size(); accepts exactly the shortest-form
// encodings of U+0000..U+D7FF and U+E000..U+10FFFF.
#include "core/cbor_internal.h"

namespace trustmesh::cbor::internal {

size_t utf8_error_offset(std::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint8_t lo = 0x80;  // allowed range of the second byte
    uint8_t hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c == 0xe0) {
      len = 3, lo = 0xa0;  // excludes overlong 3-byte forms
    } else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
      len = 3;
    } else if (c == 0xed) {
      len = 3, hi = 0x9f;  // excludes surrogates U+D800..U+DFFF
    } else if (c == 0xf0) {
      len = 4, lo = 0x90;  // excludes overlong 4-byte forms
    } else if (c >= 0xf1 && c <= 0xf3) {
      len = 4;
    } else if (c == 0xf4) {
      len = 4, hi = 0x8f;  // excludes code points above U+10FFFF
    } else {
      return i;  // continuation byte, C0/C1 overlong lead, or F5..FF
    }
    if (n - i < len) return i;
    const auto c1 = static_cast<uint8_t>(s[i + 1]);
    if (c1 < lo || c1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if ((static_cast<uint8_t>(s[i + k]) & 0xc0) != 0x80) return i;
    }
    i += len;
  }
  return kUtf8Valid;
}

}  // namespace trustmesh::cbor::internal
