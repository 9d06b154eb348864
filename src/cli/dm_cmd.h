// `trustmesh dm ...`: the device manager, run by a device's owner with the
// owner's ledger key. Each command talks to the device (DM protocol over TCP,
// device/dm.h) and to a ledger node (transactions), in the order the
// protocol needs: the ledger first wherever the device will check it.
//   setup   init -> certificate -> register the name (preorder, register) -> registered
//   adopt   (after `trustmesh name transfer` by the old owner) the new owner takes over
//   rekey   rekey -> new certificate -> name update -> registered (confirm)
//   config  name update with the config hash -> config (optionally sealed, with a seed)
//   revoke  name revoke -> revoked
//   status  the device's own report
// Nonces: the device reports its last accepted nonce; the DM sends one above it.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {
void add_dm_commands(CLI::App& app);
}
