// vote_sign_bytes (see vote_bytes.h).
#include "ledger/vote_bytes.h"

#include "core/cbor.h"

namespace trustmesh::ledger {

Bytes vote_sign_bytes(std::string_view chain_id, uint8_t type, uint64_t height, uint64_t round,
                      const std::optional<Hash32>& block) {
  constexpr std::string_view kVoteDomain = "trustmesh/vote/v1";
  using cbor::Value;
  Bytes out(kVoteDomain.begin(), kVoteDomain.end());
  out.push_back(0);
  cbor::encode_to(out, Value::map({
                           {Value::text("chain"), Value::text(std::string(chain_id))},
                           {Value::text("type"), Value::uint(type)},
                           {Value::text("height"), Value::uint(height)},
                           {Value::text("round"), Value::uint(round)},
                           {Value::text("block"), block ? Value::bytes(ByteView(*block)) : Value::null()},
                       }));
  return out;
}

}  // namespace trustmesh::ledger
