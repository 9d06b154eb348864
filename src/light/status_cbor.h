// The compact status answer of edge servers over CoAP (docs/API.md, Edge
// servers), and its one-call check by a constrained device:
//   {"name": text, "status": text, "height": uint, "header_time": uint,
//    "header_age_s": uint, "header": bstr, "commit": bstr,
//    "value": bstr | null, "proof": bstr}
// `value` is the name's record CBOR (null: not registered) and `proof` its
// sparse Merkle proof against the header's state root.
//
// Invariants: as verify_status_json: nothing in the result comes from the
// plain fields (name, status, height, header_time); each one present must
// agree with what was verified or the answer is refused. header_age_s is the
// server's own clock reading and is only reported, never trusted: the device
// applies its Freshness to the verified header time.
#pragma once

#include "light/name_status.h"

namespace trustmesh::light {

struct StatusAnswer {
  std::string name;
  std::string status;
  uint64_t height = 0;
  uint64_t header_time = 0;
  uint64_t header_age_s = 0;
  Bytes header;
  Bytes commit;
  std::optional<Bytes> value;
  Bytes proof;
};

Bytes encode_status_answer(const StatusAnswer& a);

// kMalformed for an answer that does not decode, kInvalidArgument for a plain
// field that disagrees with the verified record; otherwise the errors of
// verify_header and verify_name_status. Unknown fields are ignored.
Result<VerifiedNameStatus> verify_status_cbor(const TrustAnchor& anchor, std::string_view name, ByteView body,
                                              const Freshness& fresh);

}  // namespace trustmesh::light
