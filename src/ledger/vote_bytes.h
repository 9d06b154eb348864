// The bytes a consensus vote signs, defined here (below consensus) so the
// ledger can check evidence of equivocation without knowing consensus types:
//   "trustmesh/vote/v1" 0x00 || CBOR {"chain", "type" (1 prevote, 2
//   precommit), "height", "round", "block": bstr32 | null (nil)}
// consensus::Vote::sign_bytes is exactly this function.
#pragma once

#include <optional>
#include <string_view>

#include "core/bytes.h"

namespace trustmesh::ledger {

Bytes vote_sign_bytes(std::string_view chain_id, uint8_t type, uint64_t height, uint64_t round,
                      const std::optional<Hash32>& block);

}  // namespace trustmesh::ledger
