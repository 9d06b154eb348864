// `trustmesh device run|show|connect`: a device agent as a process (its DM
// port and its IoTAKE port), its saved state, and an IoTAKE handshake with a
// peer device followed by an encrypted message. See docs/API.md, Devices.
#pragma once

#include <CLI/CLI.hpp>

namespace trustmesh::cli {
void add_device_commands(CLI::App& app);
}
