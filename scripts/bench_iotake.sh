#!/usr/bin/env bash
# IoTAKE benchmarks (called by scripts/bench.sh, or alone):
#   bash scripts/bench_iotake.sh [BUILD]
# Sets up, on 127.0.0.1: a single-validator node (100 ms blocks), two devices
# set up by `trustmesh dm setup` (timed: the set-up figure), the OCSP fixture
# and an `openssl ocsp` responder on its 100,000-line index; then runs
# bench/iotake_bench (IoTAKE vs TLS 1.3 with a CA chain, with and without an
# OCSP check) and prints the ratios docs/BENCHMARKS.md reports.
set -euo pipefail
BUILD=${1:-build}
OUT="$BUILD/bench"
BIN="./$BUILD/trustmesh"
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/tm-iotake-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# shellcheck source=scripts/ocsp_fixture.sh
source scripts/ocsp_fixture.sh
make_ocsp_fixture "$TMP/ocsp"
OCSP_PORT=$(port)
(cd "$TMP/ocsp" && exec openssl ocsp -index index.txt -port "$OCSP_PORT" -rsigner ca.pem -rkey ca.key \
  -CA ca.pem -nmin 5 >/dev/null 2>&1) &
PIDS+=($!)

NODE_PORT=$(port)
"$BIN" init --data "$TMP/chain" --port "$NODE_PORT" --block-interval-ms 100 >/dev/null
"$BIN" node --data "$TMP/chain" >"$TMP/node.log" 2>&1 &
PIDS+=($!)
URL="http://127.0.0.1:$NODE_PORT"
for _ in $(seq 100); do curl -fs "$URL/v1/status" >/dev/null && break; sleep 0.1; done
export TRUSTMESH_NODE="$URL" TRUSTMESH_KEYRING="$TMP/chain/keys"
LEDGER="--ledger $URL --anchor $TMP/chain/genesis.json"

start_device() {  # name -> prints its DM address
  "$BIN" device run --state "$TMP/$1.json" $LEDGER >"$TMP/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do grep -q '"ready"' "$TMP/$1.log" 2>/dev/null && break; sleep 0.05; done
}
SETUP_MS=()
for d in a b c d e; do
  start_device "$d"
  DM=$(python3 -c "import json,sys; print(json.loads(open('$TMP/$d.log').readline())['dm'])")
  T0=$(date +%s%N)
  "$BIN" dm setup --device "$DM" --key dev --json >/dev/null
  SETUP_MS+=($(( ($(date +%s%N) - T0) / 1000000 )))
done
echo "device set-up end to end (init, certificate, preorder + register on the ledger, registered), 100 ms blocks:"
echo "  ${SETUP_MS[*]} ms  (median $(printf '%s\n' "${SETUP_MS[@]}" | sort -n | sed -n 3p) ms)"

TM_OCSP_FIXTURE="$TMP/ocsp" TM_OCSP_URL="127.0.0.1:$OCSP_PORT" TM_IOTAKE_NODE="$URL" \
  TM_IOTAKE_ANCHOR="$TMP/chain/genesis.json" TM_IOTAKE_A="$TMP/a.json" TM_IOTAKE_B="$TMP/b.json" \
  "./$BUILD/iotake_bench" --benchmark_repetitions=3 --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true --benchmark_out="$OUT/iotake_bench.json" --benchmark_out_format=json
python3 - "$OUT/iotake_bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ms = {b["run_name"].replace("/real_time", ""): b["real_time"] for b in d["benchmarks"] if b.get("aggregate_name") == "median"}
tls, ocsp = ms.get("BM_Tls13CaChain"), ms.get("BM_Tls13CaChainOcsp")
for k in ("BM_IotakeProof", "BM_IotakeQuorum"):
    if k in ms and tls and ocsp:
        print(f"{k}: {ms[k]:.2f} ms = {ms[k] / tls:.2f}x TLS 1.3 with a CA chain ({tls:.2f} ms), "
              f"{ms[k] / ocsp:.2f}x TLS 1.3 + OCSP ({ocsp:.2f} ms)")
PY
