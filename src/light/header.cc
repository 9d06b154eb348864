// verify_header and check_freshness (header.h).
#include "light/header.h"

#include <array>

#include "consensus/vote.h"
#include "core/hash.h"

namespace trustmesh::light {

namespace {
std::string short_hex(const Hash32& h) {
  return to_hex(ByteView(h.data(), 8));
}

// A gateway checks many answers proven under the same block: the headers it
// verified last, per thread, keyed by SHA-256 of everything the verdict
// depends on (anchor chain id and set, header and commit bytes). Only
// successes are kept, so the memo never changes an answer.
struct HeaderMemo {
  static constexpr size_t kSize = 4;
  std::array<std::pair<Hash32, std::optional<VerifiedHeader>>, kSize> slots{};
  size_t next = 0;
};

Hash32 memo_key(const TrustAnchor& anchor, ByteView header_cbor, ByteView commit_cbor) {
  Sha256 h;
  h.update(as_bytes(anchor.chain_id)).update(0).update(anchor.validators.hash());
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(header_cbor.size() >> (8 * i));
  h.update(ByteView(len, 8)).update(header_cbor).update(commit_cbor);
  return h.finish();
}

Result<VerifiedHeader> verify_header_uncached(const TrustAnchor& anchor, ByteView header_cbor,
                                              ByteView commit_cbor);
}  // namespace

Result<VerifiedHeader> verify_header(const TrustAnchor& anchor, ByteView header_cbor, ByteView commit_cbor) {
  thread_local HeaderMemo memo;
  Hash32 key = memo_key(anchor, header_cbor, commit_cbor);
  for (const auto& [k, v] : memo.slots) {
    if (v && k == key) return *v;
  }
  Result<VerifiedHeader> r = verify_header_uncached(anchor, header_cbor, commit_cbor);
  if (r.ok()) {
    memo.slots[memo.next] = {key, *r};
    memo.next = (memo.next + 1) % HeaderMemo::kSize;
  }
  return r;
}

namespace {
Result<VerifiedHeader> verify_header_uncached(const TrustAnchor& anchor, ByteView header_cbor,
                                              ByteView commit_cbor) {
  Result<consensus::BlockHeader> header = consensus::BlockHeader::decode(header_cbor);
  if (!header.ok()) return make_error(header.error().code, "header: " + header.error().message);
  Result<consensus::Commit> commit = consensus::Commit::decode(commit_cbor);
  if (!commit.ok()) return make_error(commit.error().code, "commit: " + commit.error().message);
  const consensus::BlockHeader& h = *header;
  std::string at = "header at height " + std::to_string(h.height);
  if (h.chain_id != anchor.chain_id) {
    return make_error(ErrorCode::kInvalidArgument, at + " is for chain '" + h.chain_id +
                                                       "', the trust anchor is '" + anchor.chain_id + "'");
  }
  Hash32 set_hash = anchor.validators.hash();
  if (h.validators_hash != set_hash) {
    return make_error(ErrorCode::kInvalidArgument,
                      at + " names validator set " + short_hex(h.validators_hash) +
                          "..., the trust anchor's is " + short_hex(set_hash) +
                          "... (this light client follows only the genesis set)");
  }
  Status st = consensus::verify_commit(anchor.validators, h, *commit);
  if (!st.ok()) return make_error(st.error().code, at + ": " + st.error().message);
  return VerifiedHeader{std::move(header).value(), commit->block};
}
}  // namespace

Result<uint64_t> check_freshness(const consensus::BlockHeader& header, const Freshness& fresh) {
  if (fresh.now == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "freshness: now is 0; set Freshness::now to the current time");
  }
  auto at = [&] {  // built only on failure
    return "header at height " + std::to_string(header.height) + " (time " + std::to_string(header.time) +
           ", now " + std::to_string(fresh.now) + ")";
  };
  if (header.time > fresh.now) {
    uint64_t ahead = header.time - fresh.now;
    if (ahead > fresh.max_future_s) {
      return make_error(ErrorCode::kInvalidArgument,
                        "header is " + std::to_string(ahead) + " s in the future, more than the " +
                            std::to_string(fresh.max_future_s) + " s allowed clock skew: " + at() +
                            "; check this device's clock");
    }
    return uint64_t{0};
  }
  uint64_t age = fresh.now - header.time;
  if (age > fresh.max_age_s) {
    return make_error(ErrorCode::kInvalidArgument,
                      "header is " + std::to_string(age) + " s old, more than the " +
                          std::to_string(fresh.max_age_s) + " s freshness bound: " + at() +
                          "; ask for a newer one");
  }
  return age;
}

}  // namespace trustmesh::light
