// Blocks file parsing and writing; see blocks_file.h.
#include "cli/blocks_file.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace trustmesh::cli {

using nlohmann::json;

Result<std::vector<BlockLine>> parse_blocks_file(const std::string& text) {
  std::vector<BlockLine> out;
  std::istringstream in(text);
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string where = "blocks file line " + std::to_string(lineno) + ": ";
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
      return make_error(ErrorCode::kMalformed, where + "not a JSON object");
    for (const auto& [k, v] : j.items()) {
      if (k != "height" && k != "time" && k != "txs") {
        return make_error(ErrorCode::kMalformed, where + "unknown field '" + k + "'");
      }
    }
    if (!j.contains("height") || !j["height"].is_number_unsigned()) {
      return make_error(ErrorCode::kMalformed, where + "height (non-negative integer) is required");
    }
    if (!j.contains("txs") || !j["txs"].is_array())
      return make_error(ErrorCode::kMalformed, where + "txs must be an array");
    BlockLine b;
    b.height = j["height"].get<uint64_t>();
    if (j.contains("time")) {
      if (!j["time"].is_number_unsigned())
        return make_error(ErrorCode::kMalformed, where + "time must be an integer");
      b.time = j["time"].get<uint64_t>();
    }
    if (!out.empty() && b.height != out.back().height + 1) {
      return make_error(ErrorCode::kInvalidArgument, where + "height " + std::to_string(b.height) +
                                                         " does not follow " +
                                                         std::to_string(out.back().height));
    }
    size_t i = 0;
    for (const auto& t : j["txs"]) {
      if (!t.is_string())
        return make_error(ErrorCode::kMalformed, where + "txs[" + std::to_string(i) + "] must be hex");
      auto bytes = from_hex(t.get<std::string>());
      if (!bytes.ok()) {
        return make_error(ErrorCode::kMalformed,
                          where + "txs[" + std::to_string(i) + "]: " + bytes.error().message);
      }
      b.txs.push_back(std::move(bytes).value());
      ++i;
    }
    out.push_back(std::move(b));
  }
  return out;
}

std::string block_to_json_line(const BlockLine& b) {
  json txs = json::array();
  for (const auto& t : b.txs) txs.push_back(to_hex(t));
  json j = {{"height", b.height}, {"time", b.time}, {"txs", txs}};
  return j.dump();
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error(ErrorCode::kIo, "cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Status write_file(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return make_error(ErrorCode::kIo, "cannot write " + path);
  f << content;
  if (!f) return make_error(ErrorCode::kIo, "error writing " + path);
  return Status::Ok();
}

}  // namespace trustmesh::cli
