// NodeConfig TOML parsing with strict keys and bounds (see config.h).
#include "node/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/request_auth.h"

namespace trustmesh::node {

namespace {

Error bad(const std::string& msg) {
  return make_error(ErrorCode::kInvalidArgument, "node.toml: " + msg);
}

Status check_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                  const std::string& where) {
  for (const auto& [k, v] : t) {
    if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end())
      return bad("unknown key '" + std::string(k.str()) + "' in " + where);
  }
  return Status::Ok();
}

// Reads an integer key within [lo, hi] into out, if present.
template <typename T>
Status read_int(const toml::table& t, std::string_view key, const std::string& where, T& out, int64_t lo,
                int64_t hi) {
  const toml::node* n = t.get(key);
  if (!n) return Status::Ok();
  std::optional<int64_t> v = n->value<int64_t>();
  if (!n->is_integer() || !v) return bad(where + "." + std::string(key) + " must be an integer");
  if (*v < lo || *v > hi) {
    return bad(where + "." + std::string(key) + " = " + std::to_string(*v) + " is outside [" +
               std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  out = static_cast<T>(*v);
  return Status::Ok();
}

Status read_string(const toml::table& t, std::string_view key, const std::string& where, std::string& out) {
  const toml::node* n = t.get(key);
  if (!n) return Status::Ok();
  if (!n->is_string()) return bad(where + "." + std::string(key) + " must be a string");
  out = *n->value<std::string>();
  return Status::Ok();
}

Status split_host_port(const std::string& listen, const std::string& what, std::string& host,
                       uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad(what + " must be host:port, not '" + listen + "'");
  try {
    size_t used = 0;
    int p = std::stoi(listen.substr(colon + 1), &used);
    if (p < 0 || p > 65535 || used != listen.size() - colon - 1) throw std::out_of_range("port");
    port = static_cast<uint16_t>(p);
  } catch (const std::exception&) {
    return bad(what + " has a bad port: " + listen);
  }
  host = listen.substr(0, colon);
  return Status::Ok();
}

// `public_hosts = [...]`, or a comment showing the key when there are none.
std::string public_hosts_line(const std::vector<std::string>& hosts) {
  if (hosts.empty())
    return "# public_hosts = [\"node.example.com:8080\"]  # Host values of signed requests; default: the "
           "listen address\n";
  std::string out = "public_hosts = [";
  for (size_t i = 0; i < hosts.size(); ++i) out += (i ? ", \"" : "\"") + hosts[i] + "\"";
  return out + "]\n";
}

const toml::table* sub(const toml::table& t, std::string_view key) {
  const toml::node* n = t.get(key);
  return n ? n->as_table() : nullptr;
}

}  // namespace

Result<NodeConfig> NodeConfig::from_toml(std::string_view text, const std::string& data_dir) {
  // Debian's toml++ is built with exceptions: catch them here (the edge).
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return bad("line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  NodeConfig c;
  c.data_dir = data_dir;
  TM_TRY(check_keys(root, {"genesis", "validator_key", "api", "consensus", "mempool", "storage", "p2p"},
                    "the file"));
  TM_TRY(read_string(root, "genesis", "", c.genesis));
  TM_TRY(read_string(root, "validator_key", "", c.validator_key));
  for (std::string_view tbl : {"api", "consensus", "mempool", "storage", "p2p"}) {
    if (root.get(tbl) && !sub(root, tbl)) return bad("[" + std::string(tbl) + "] must be a table");
  }
  if (const toml::table* api = sub(root, "api")) {
    TM_TRY(check_keys(*api,
                      {"listen", "threads", "max_body_bytes", "max_header_bytes", "request_timeout_ms",
                       "max_blob_bytes", "public_hosts"},
                      "[api]"));
    std::string listen;
    TM_TRY(read_string(*api, "listen", "api", listen));
    if (!listen.empty()) TM_TRY(split_host_port(listen, "api.listen", c.api.host, c.api.port));
    TM_TRY(read_int(*api, "threads", "api", c.api.threads, 1, 64));
    TM_TRY(read_int(*api, "max_body_bytes", "api", c.api.max_body_bytes, 1024, 64 << 20));
    TM_TRY(read_int(*api, "max_header_bytes", "api", c.api.max_header_bytes, 1024, 1 << 20));
    TM_TRY(read_int(*api, "request_timeout_ms", "api", c.api.request_timeout_ms, 100, 3600000));
    TM_TRY(read_int(*api, "max_blob_bytes", "api", c.api.max_blob_bytes, 1024, int64_t{64} << 30));
    if (const toml::node* n = api->get("public_hosts")) {
      const toml::array* arr = n->as_array();
      if (!arr) return bad("api.public_hosts must be an array of \"host:port\" strings");
      for (const toml::node& e : *arr) {
        std::optional<std::string> h = e.value<std::string>();
        if (!e.is_string() || !h) return bad("api.public_hosts entries must be \"host:port\" strings");
        if (auto a = auth::parse_authority(*h); !a.ok()) return bad("api.public_hosts: " + a.error().message);
        c.api.public_hosts.push_back(*h);
      }
    }
  }
  if (const toml::table* cons = sub(root, "consensus")) {
    TM_TRY(check_keys(*cons,
                      {"block_interval_ms", "max_block_bytes", "max_block_txs", "timeout_propose_ms",
                       "timeout_propose_delta_ms", "timeout_prevote_ms", "timeout_prevote_delta_ms",
                       "timeout_precommit_ms", "timeout_precommit_delta_ms", "gossip_interval_ms"},
                      "[consensus]"));
    TM_TRY(read_int(*cons, "block_interval_ms", "consensus", c.block_interval_ms, 10, 3600000));
    TM_TRY(read_int(*cons, "max_block_bytes", "consensus", c.max_block_bytes, 64 << 10, 64 << 20));
    TM_TRY(read_int(*cons, "max_block_txs", "consensus", c.max_block_txs, 1, 1000000));
    TM_TRY(read_int(*cons, "timeout_propose_ms", "consensus", c.timeout_propose_ms, 10, 600000));
    TM_TRY(read_int(*cons, "timeout_propose_delta_ms", "consensus", c.timeout_propose_delta_ms, 0, 600000));
    TM_TRY(read_int(*cons, "timeout_prevote_ms", "consensus", c.timeout_prevote_ms, 10, 600000));
    TM_TRY(read_int(*cons, "timeout_prevote_delta_ms", "consensus", c.timeout_prevote_delta_ms, 0, 600000));
    TM_TRY(read_int(*cons, "timeout_precommit_ms", "consensus", c.timeout_precommit_ms, 10, 600000));
    TM_TRY(
        read_int(*cons, "timeout_precommit_delta_ms", "consensus", c.timeout_precommit_delta_ms, 0, 600000));
    TM_TRY(read_int(*cons, "gossip_interval_ms", "consensus", c.gossip_interval_ms, 10, 60000));
  }
  if (const toml::table* mp = sub(root, "mempool")) {
    TM_TRY(check_keys(*mp, {"max_txs", "max_bytes"}, "[mempool]"));
    TM_TRY(read_int(*mp, "max_txs", "mempool", c.mempool.max_txs, 1, 10000000));
    TM_TRY(read_int(*mp, "max_bytes", "mempool", c.mempool.max_bytes, 64 << 10, int64_t{4} << 30));
  }
  if (const toml::table* p2p = sub(root, "p2p")) {
    TM_TRY(check_keys(*p2p, {"listen", "external", "seeds", "max_peers", "pex", "node_key"}, "[p2p]"));
    std::string listen;
    TM_TRY(read_string(*p2p, "listen", "p2p", listen));
    if (!listen.empty()) TM_TRY(split_host_port(listen, "p2p.listen", c.p2p.host, c.p2p.port));
    TM_TRY(read_string(*p2p, "external", "p2p", c.p2p.external));
    if (!c.p2p.external.empty()) {
      std::string h;
      uint16_t port = 0;
      TM_TRY(split_host_port(c.p2p.external, "p2p.external", h, port));
    }
    if (const toml::node* n = p2p->get("seeds")) {
      const toml::array* arr = n->as_array();
      if (!arr) return bad("p2p.seeds must be an array of \"host:port\" or \"<node id>@host:port\" strings");
      for (const toml::node& e : *arr) {
        std::optional<std::string> seed = e.value<std::string>();
        if (!e.is_string() || !seed || seed->empty())
          return bad("p2p.seeds entries must be non-empty strings");
        std::string h;
        uint16_t port = 0;
        size_t at = seed->find('@');
        TM_TRY(split_host_port(at == std::string::npos ? *seed : seed->substr(at + 1), "p2p.seeds entry", h,
                               port));
        c.p2p.seeds.push_back(*seed);
      }
    }
    TM_TRY(read_int(*p2p, "max_peers", "p2p", c.p2p.max_peers, 1, 1000));
    if (const toml::node* n = p2p->get("pex")) {
      if (!n->is_boolean()) return bad("p2p.pex must be true or false");
      c.p2p.pex = *n->value<bool>();
    }
    TM_TRY(read_string(*p2p, "node_key", "p2p", c.p2p.node_key));
  }
  if (const toml::table* st = sub(root, "storage")) {
    TM_TRY(check_keys(*st, {"sync"}, "[storage]"));
    if (const toml::node* n = st->get("sync")) {
      if (!n->is_boolean()) return bad("storage.sync must be true or false");
      c.sync = *n->value<bool>();
    }
  }
  return c;
}

Result<NodeConfig> NodeConfig::load(const std::string& data_dir) {
  std::string file = (std::filesystem::path(data_dir) / "node.toml").string();
  std::ifstream in(file);
  if (!in) {
    NodeConfig c;
    c.data_dir = data_dir;
    return c;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return from_toml(ss.str(), data_dir);
}

std::string NodeConfig::to_toml() const {
  std::ostringstream o;
  o << "# trustmesh node configuration (paths are relative to this directory)\n"
    << "genesis = \"" << genesis << "\"\n"
    << "validator_key = \"" << validator_key << "\"\n\n"
    << "[api]\n"
    << "listen = \"" << api.host << ":" << api.port << "\"\n"
    << "threads = " << api.threads << "\n"
    << "max_body_bytes = " << api.max_body_bytes << "\n"
    << "max_header_bytes = " << api.max_header_bytes << "\n"
    << "request_timeout_ms = " << api.request_timeout_ms << "\n"
    << "max_blob_bytes = " << api.max_blob_bytes << "\n"
    << public_hosts_line(api.public_hosts) << "\n"
    << "[consensus]\n"
    << "block_interval_ms = " << block_interval_ms << "\n"
    << "max_block_bytes = " << max_block_bytes << "\n"
    << "max_block_txs = " << max_block_txs << "\n"
    << "timeout_propose_ms = " << timeout_propose_ms << "\n"
    << "timeout_propose_delta_ms = " << timeout_propose_delta_ms << "\n"
    << "timeout_prevote_ms = " << timeout_prevote_ms << "\n"
    << "timeout_prevote_delta_ms = " << timeout_prevote_delta_ms << "\n"
    << "timeout_precommit_ms = " << timeout_precommit_ms << "\n"
    << "timeout_precommit_delta_ms = " << timeout_precommit_delta_ms << "\n"
    << "gossip_interval_ms = " << gossip_interval_ms << "\n\n"
    << "[mempool]\n"
    << "max_txs = " << mempool.max_txs << "\n"
    << "max_bytes = " << mempool.max_bytes << "\n\n"
    << "[storage]\n"
    << "sync = " << (sync ? "true" : "false") << "\n";
  if (p2p.enabled()) {
    o << "\n[p2p]\n"
      << "listen = \"" << p2p.host << ":" << p2p.port << "\"\n"
      << "external = \"" << p2p.external << "\"\n"
      << "seeds = [";
    for (size_t i = 0; i < p2p.seeds.size(); ++i) o << (i ? ", " : "") << "\"" << p2p.seeds[i] << "\"";
    o << "]\n"
      << "max_peers = " << p2p.max_peers << "\n"
      << "pex = " << (p2p.pex ? "true" : "false") << "\n"
      << "node_key = \"" << p2p.node_key << "\"\n";
  }
  return o.str();
}

std::string NodeConfig::path(const std::string& relative) const {
  std::filesystem::path p(relative);
  if (p.is_absolute()) return relative;
  return (std::filesystem::path(data_dir) / p).string();
}

}  // namespace trustmesh::node
