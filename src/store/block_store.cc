// Block store key layout and reads (see block_store.h).
#include "store/block_store.h"

namespace trustmesh::store {

namespace {
std::string height_key(char prefix, uint64_t height) {
  std::string k(1, prefix);
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((height >> (8 * i)) & 0xff));
  return k;
}

std::string tx_key(const Hash32& h) {
  return "T" + std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string owner_prefix(const Address& a) {
  return "O" + std::string(reinterpret_cast<const char*>(a.bytes().data()), a.bytes().size());
}

std::string str(ByteView b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

Bytes bytes_of(const std::string& s) {
  return Bytes(s.begin(), s.end());
}
}  // namespace

std::vector<RawWrite> block_writes(uint64_t height, ByteView header, ByteView block, ByteView commit,
                                   ByteView results, const std::vector<Hash32>& tx_hashes,
                                   const std::vector<OwnerIndexChange>& owners) {
  std::vector<RawWrite> w;
  w.push_back({height_key('H', height), str(header)});
  w.push_back({height_key('B', height), str(block)});
  w.push_back({height_key('C', height), str(commit)});
  w.push_back({height_key('R', height), str(results)});
  for (size_t i = 0; i < tx_hashes.size(); ++i) {
    std::string loc = height_key('x', height).substr(1);
    uint32_t idx = static_cast<uint32_t>(i);
    for (int b = 3; b >= 0; --b) loc.push_back(static_cast<char>((idx >> (8 * b)) & 0xff));
    w.push_back({tx_key(tx_hashes[i]), loc});
  }
  for (const OwnerIndexChange& o : owners) {
    std::string k = owner_prefix(o.owner) + o.name;
    w.push_back({k, o.add ? std::optional<std::string>("") : std::nullopt});
  }
  return w;
}

Result<std::optional<StoredBlock>> read_block(const ReadView& view, uint64_t height) {
  TM_ASSIGN_OR_RETURN(auto b, view.get_raw(height_key('B', height)));
  if (!b) return std::optional<StoredBlock>();
  TM_ASSIGN_OR_RETURN(auto h, view.get_raw(height_key('H', height)));
  TM_ASSIGN_OR_RETURN(auto c, view.get_raw(height_key('C', height)));
  TM_ASSIGN_OR_RETURN(auto r, view.get_raw(height_key('R', height)));
  if (!h || !c || !r) {
    return make_error(ErrorCode::kIo, "corrupt block store: block " + std::to_string(height) +
                                          " without its commit or results");
  }
  return std::optional<StoredBlock>(StoredBlock{bytes_of(*h), bytes_of(*b), bytes_of(*c), bytes_of(*r)});
}

Result<std::optional<std::pair<Bytes, Bytes>>> read_header_commit(const ReadView& view, uint64_t height) {
  using Out = std::optional<std::pair<Bytes, Bytes>>;
  TM_ASSIGN_OR_RETURN(auto h, view.get_raw(height_key('H', height)));
  if (!h) return Out();
  TM_ASSIGN_OR_RETURN(auto c, view.get_raw(height_key('C', height)));
  if (!c)
    return make_error(ErrorCode::kIo,
                      "corrupt block store: header " + std::to_string(height) + " without commit");
  return Out(std::make_pair(bytes_of(*h), bytes_of(*c)));
}

Result<std::optional<TxLocation>> find_tx(const ReadView& view, const Hash32& tx_hash) {
  TM_ASSIGN_OR_RETURN(auto v, view.get_raw(tx_key(tx_hash)));
  if (!v) return std::optional<TxLocation>();
  if (v->size() != 12) return make_error(ErrorCode::kIo, "corrupt tx index entry");
  Bytes b = bytes_of(*v);
  TxLocation loc;
  for (int i = 0; i < 8; ++i) loc.height = (loc.height << 8) | b[static_cast<size_t>(i)];
  for (int i = 8; i < 12; ++i) loc.index = (loc.index << 8) | b[static_cast<size_t>(i)];
  return std::optional<TxLocation>(loc);
}

Result<std::vector<std::string>> names_of(const ReadView& view, const Address& owner, size_t limit) {
  std::string prefix = owner_prefix(owner);
  TM_ASSIGN_OR_RETURN(auto entries, view.scan_raw(prefix, limit));
  std::vector<std::string> names;
  for (auto& [k, v] : entries) names.push_back(k.substr(prefix.size()));
  return names;
}

}  // namespace trustmesh::store
