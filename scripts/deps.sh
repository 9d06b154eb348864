#!/usr/bin/env bash
# Installs the Debian packages trustmesh needs to build, test and benchmark.
# Idempotent: when every package is already installed it does nothing and
# touches no network. Non-interactive; needs root (or sudo) only to install.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build ccache pkg-config clang clang-format
  libclang-rt-14-dev
  libssl-dev openssl librocksdb-dev curl
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libcpp-httplib-dev libboost-dev libcoap3-dev
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
