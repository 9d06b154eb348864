// A proof bundle: signed block headers and state entries proven against
// them, in one CBOR message. Ledger nodes answer POST /v1/proofs with one,
// edge servers keep their light replica as one and push them to each other,
// so a site that never reaches a ledger node still learns of a revocation.
//
// Wire form (deterministic CBOR, RFC 8949 §4.2.1):
//   {"chain_id": text,
//    "headers": [{"header": bstr (BlockHeader CBOR), "commit": bstr (Commit CBOR)}, ...],
//    "entries": [{"key": bstr (state key), "height": uint, "value": bstr | null,
//                 "proof": bstr (store::encode_proof)}, ...]}
// An entry is the state key's value (null: absent) in the state after block
// `height`, which must be the height of one of the bundle's headers.
//
// Invariants: decode_bundle is strict (unknown or missing fields, wrong
// types, more than the limits below are errors) and re-encodes to the same
// bytes; it checks only the form. Nothing in a bundle is trusted until
// light::verify_bundle has checked the headers' commits against a trust
// anchor and every entry's proof against its header's state root.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace trustmesh::store {

inline constexpr size_t kMaxBundleHeaders = 1024;
inline constexpr size_t kMaxBundleEntries = 200'000;
inline constexpr size_t kMaxBundleKey = 256;

struct BundleHeader {
  Bytes header;  // consensus::BlockHeader CBOR
  Bytes commit;  // consensus::Commit CBOR
  bool operator==(const BundleHeader&) const = default;
};

struct BundleEntry {
  Bytes key;
  uint64_t height = 0;
  std::optional<Bytes> value;  // nullopt: the key is absent (non-membership proof)
  Bytes proof;
  bool operator==(const BundleEntry&) const = default;
};

struct ProofBundle {
  std::string chain_id;
  std::vector<BundleHeader> headers;
  std::vector<BundleEntry> entries;
  bool operator==(const ProofBundle&) const = default;
};

Bytes encode_bundle(const ProofBundle& b);
// One header or entry alone, in the same form (a replica stores them one by one).
Bytes encode_bundle_header(const BundleHeader& h);
Result<BundleHeader> decode_bundle_header(ByteView data);
Bytes encode_bundle_entry(const BundleEntry& e);
Result<BundleEntry> decode_bundle_entry(ByteView data);
// kMalformed / kNonCanonical / kTooLarge for anything but a well-formed bundle.
Result<ProofBundle> decode_bundle(ByteView data);

}  // namespace trustmesh::store
