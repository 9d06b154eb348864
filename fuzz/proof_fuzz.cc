// libFuzzer target: state proof decoding and verification on arbitrary bytes.
// Properties: never crashes; a decoded proof re-encodes to the input; a proof
// can never verify both membership and non-membership of one key.
#include <cstdlib>

#include "store/proof.h"

using namespace trustmesh;
using namespace trustmesh::store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  auto p = decode_proof(in);
  if (!p.ok()) return 0;
  if (encode_proof(*p) != Bytes(in.begin(), in.end())) std::abort();
  Bytes key = {'k'};
  Bytes value = {'v'};
  Hash32 root = proof_root(tree_key(key), *p);
  bool member = verify_membership(root, key, value, *p).ok();
  bool absent = verify_non_membership(root, key, *p).ok();
  if (member && absent) std::abort();
  return 0;
}
