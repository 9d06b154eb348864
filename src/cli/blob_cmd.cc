// Implementation of `trustmesh blob put|get` (blob_cmd.h).
#include "cli/blob_cmd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_opts.h"
#include "cli/compliance_util.h"
#include "cli/http_client.h"
#include "cli/progress.h"
#include "cli/tx_flow.h"
#include "core/hash.h"

namespace trustmesh::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Files at least this large show progress on stderr.
constexpr uint64_t kProgressFrom = 1 << 20;

struct PutOptions {
  NodeOptions node;
  std::string file, name, claim;
};

struct GetOptions {
  NodeOptions node;
  std::string sha256, out, key, keyring;
  std::optional<uint64_t> size;
};

std::string mib(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1 << 20));
  return buf;
}

// Progress in steps of 5%, so a log (stderr not a terminal) gets 20 lines at most.
TransferProgress progress_for(Progress& p, const std::string& verb, uint64_t total) {
  if (total < kProgressFrom) return nullptr;
  return [&p, verb, total](uint64_t done, uint64_t) {
    uint64_t pct = done * 100 / total;
    p.show(verb + " " + std::to_string(pct - pct % 5) + "% of " + mib(total));
  };
}

Done run_put(const PutOptions& o) {
  if (!o.name.empty() && !o.claim.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "give --name (a device configuration) or --claim (a test report), not both");
  TM_CLI_ASSIGN(auto hs, hash_file(o.file));
  const auto [hash, size] = hs;
  std::string path = "/v1/blobs/" + to_hex(hash);
  if (!o.name.empty()) path += "?name=" + path_segment(o.name);
  if (!o.claim.empty()) path += "?claim=" + path_segment(o.claim);
  TM_CLI_ASSIGN(NodeClient node, NodeClient::open(o.node.node, o.node.timeout_s));
  Progress progress;
  TM_CLI_ASSIGN(json answer, node.put_file(path, o.file, size, progress_for(progress, "uploading", size)));
  progress.clear();
  if (o.node.json) {
    std::cout << answer.dump() << "\n";
  } else {
    std::cout << (answer.value("stored", "") == "already" ? "already stored " : "stored ") << to_hex(hash)
              << " (" << size << " bytes, matches the ledger's " << answer.value("matched", "record")
              << "), served at " << node.url() << "/v1/blobs/" << to_hex(hash) << "\n";
  }
  return kDone;
}

// Writes the download into a temp file beside the output; removed unless committed.
class TempOut {
 public:
  explicit TempOut(const std::string& out) {
    fs::path p(out);
    std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    tmp_ = dir + "/." + p.filename().string() + ".part-XXXXXX";
    fd_ = ::mkstemp(tmp_.data());
  }
  ~TempOut() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return tmp_; }
  bool write(ByteView data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  Status commit(const std::string& out) {
    if (::fsync(fd_) != 0 || ::fchmod(fd_, 0644) != 0)
      return make_error(ErrorCode::kIo, "cannot write " + tmp_ + ": " + std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    if (::rename(tmp_.c_str(), out.c_str()) != 0)
      return make_error(ErrorCode::kIo, "cannot rename " + tmp_ + " to " + out + ": " + std::strerror(errno));
    committed_ = true;
    return Status::Ok();
  }

 private:
  std::string tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

Done run_get(const GetOptions& o) {
  auto h = hash32_from_hex(o.sha256);
  if (!h.ok() || o.sha256.size() != 64)
    return make_error(ErrorCode::kInvalidArgument, "'" + o.sha256 + "' is not a SHA-256 (64 hex digits)");
  const std::string hex = to_hex(*h);
  const std::string out = o.out.empty() ? hex : o.out;
  TM_CLI_ASSIGN(NodeClient node, open_reader(o.node, o.keyring, o.key));

  // The size to expect: --size, or the release record when the hash is a release's.
  std::optional<uint64_t> size = o.size;
  std::string size_from = "--size";
  if (!size) {
    auto rel = node.get_json("/v1/releases/" + hex);
    if (rel.ok() && (*rel)["size"].is_number_unsigned()) {
      size = (*rel)["size"].get<uint64_t>();
      size_from = "the ledger's release record";
    } else if (!rel.ok() && rel.failure().error.code != ErrorCode::kReleaseNotFound &&
               rel.failure().error.code != ErrorCode::kNotFound) {  // an edge server keeps no releases
      return rel.failure();
    }
  }

  TempOut tmp(out);
  if (!tmp.ok())
    return make_error(ErrorCode::kIo, "cannot create a file beside " + out + ": " + std::strerror(errno));
  Sha256 hasher;
  uint64_t received = 0;
  std::optional<Error> stop;
  auto sink = [&](ByteView data) {
    received += data.size();
    if (size && received > *size) {
      stop = make_error(ErrorCode::kVerificationFailure,
                        "the node sent more than the " + std::to_string(*size) + " bytes expected (" +
                            size_from + ") for " + hex + "; refused, " + out + " not written");
      return false;
    }
    hasher.update(data);
    if (!tmp.write(data)) {
      stop = make_error(ErrorCode::kIo, "cannot write " + tmp.path() + ": " + std::strerror(errno));
      return false;
    }
    return true;
  };
  Progress progress;
  TransferProgress show = size ? progress_for(progress, "downloading", *size)
                               : TransferProgress([&](uint64_t done, uint64_t total) {
                                   if (total >= kProgressFrom)
                                     progress.show("downloading " + mib(done) + " of " + mib(total));
                                 });
  TM_CLI_ASSIGN(StreamReply reply, node.get_stream(
                                       "/v1/blobs/" + hex, sink, [&] { return *stop; }, show));
  progress.clear();
  Hash32 got = hasher.finish();
  if (got != *h)
    return make_error(ErrorCode::kVerificationFailure, "the node sent content hashing to " + to_hex(got) +
                                                           ", not " + hex + "; refused, " + out +
                                                           " not written");
  if (size && received != *size)
    return make_error(ErrorCode::kVerificationFailure, "the node sent " + std::to_string(received) +
                                                           " bytes, not the " + std::to_string(*size) +
                                                           " expected (" + size_from + "); refused, " + out +
                                                           " not written");
  TM_CLI_TRY(tmp.commit(out));
  if (o.node.json) {
    json j{{"sha256", hex}, {"size", received}, {"file", out}, {"verified", true}};
    if (size) j["size_from"] = size_from;
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "verified " << hex << " (" << received << " bytes"
              << (size ? ", size from " + size_from : "") << ") -> " << out << "\n";
  }
  return kDone;
}

}  // namespace

void add_blob_commands(CLI::App& app) {
  CLI::App* blob = app.add_subcommand(
      "blob", "Off-chain content store: firmware images, configurations and test reports, by SHA-256");
  blob->require_subcommand(1);

  auto po = std::make_shared<PutOptions>();
  CLI::App* put = blob->add_subcommand(
      "put",
      "Upload a file to a node's store (streamed). The node takes it only if a ledger record carries its "
      "SHA-256 and size: a release (default), a device name's config hash (--name) or a claim's "
      "report_sha256/report_size (--claim)");
  put->add_option("file", po->file, "The file to upload")->required()->check(CLI::ExistingFile);
  put->add_option("--name", po->name, "Device name whose config_hash is this file's hash (a configuration)");
  put->add_option("--claim", po->claim, "Claim id whose data has report_sha256 of this file (a test report)");
  add_node_options(put, po->node);
  set_examples(put,
               "Example: trustmesh release publish --org acme --vid 4660 --pid 1 --version 2 --file fw2.bin "
               "--key acme\n"
               "Then:    trustmesh blob put fw2.bin\n"
               "         trustmesh blob put lamp.conf --name site/lamp-7");
  on_run_done(put, [po] { return run_put(*po); });

  auto go = std::make_shared<GetOptions>();
  CLI::App* get = blob->add_subcommand(
      "get",
      "Download a blob by SHA-256, verify its hash (and size: --size, or the release record) and only then "
      "write it; content that does not match is refused and no output file is left");
  get->add_option("sha256", go->sha256, "SHA-256 of the content (64 hex digits)")->required();
  get->add_option("-o,--out", go->out, "Output file (default: the hash, in the current directory)");
  get->add_option("--size", go->size, "Expected size in bytes (default: the release's, if it is one)");
  get->add_option(
      "--key", go->key,
      "Sign the request as this keyring key: a configuration of a device in a private access domain "
      "is given only to members holding read (see `trustmesh domain`)");
  add_keyring_option(get, go->keyring);
  add_node_options(get, go->node);
  set_examples(get, "Example: trustmesh blob get $(sha256sum fw2.bin | cut -c1-64) -o fw2.bin");
  on_run_done(get, [go] { return run_get(*go); });
}

}  // namespace trustmesh::cli
