// The blocks file read by `trustmesh ledger apply`: JSON Lines, one block per
// line, heights consecutive:
//   {"height": 1, "time": 1767225606, "txs": ["a66266...", ...]}
// Each tx is the hex of its canonical CBOR encoding. Blank lines and lines
// starting with '#' are ignored. Errors name the line.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.h"

namespace trustmesh::cli {

struct BlockLine {
  uint64_t height = 0;
  uint64_t time = 0;
  std::vector<Bytes> txs;
};

Result<std::vector<BlockLine>> parse_blocks_file(const std::string& text);
std::string block_to_json_line(const BlockLine& b);

Result<std::string> read_file(const std::string& path);
Status write_file(const std::string& path, const std::string& content);

}  // namespace trustmesh::cli
