// Command-line options every device-side command shares (`trustmesh device
// run|connect`): the ledger membership list and how to check answers.
//   --ledger URL      a ledger node of the membership list (repeat; default $TRUSTMESH_NODE)
//   --anchor FILE     the chain's genesis JSON: the light client's trust anchor (proof mode)
//   --lookup MODE     proof (default) | quorum
//   --quorum N        agreeing nodes needed in quorum mode (default: a majority)
//   --fail POLICY     hard (default) | soft: when no ledger node answers
//   --max-stale S     soft-fail: oldest cached answer used (default 3600)
//   --max-age S       freshness bound on proven headers (default 60)
//   --peer ID         membership list of peer devices for IoTAKE (repeat; default: any)
//   --members FILE    the ledger membership list as a file, re-read periodically by
//                     `device run` (--refresh S): {"ledger": [URL...], "anchor": "genesis.json"}
//                     (anchor optional; relative paths are relative to the file)
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/failure.h"
#include "device/iotake.h"
#include "device/ledger_client.h"

namespace trustmesh::cli {

struct DeviceLedgerOptions {
  std::vector<std::string> ledger;
  std::string anchor;
  std::string lookup = "proof";
  size_t quorum = 0;
  std::string fail = "hard";
  uint64_t max_stale_s = 3600;
  uint64_t max_age_s = 60;
  std::vector<std::string> peers;
  std::string members;
  uint64_t refresh_s = 60;
};

struct Members {
  std::vector<std::string> ledger;
  std::optional<light::TrustAnchor> anchor;
};
Outcome<Members> load_members(const std::string& path);

void add_device_ledger_options(CLI::App* cmd, DeviceLedgerOptions& o);
Outcome<std::unique_ptr<device::LedgerClient>> open_ledger_client(const DeviceLedgerOptions& o);
device::IotakeOptions iotake_options(const DeviceLedgerOptions& o);

}  // namespace trustmesh::cli
