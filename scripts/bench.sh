#!/usr/bin/env bash
# `make bench`: runs every benchmark under bench/ and prints the ratios that
# docs/BENCHMARKS.md reports. Results (JSON) go to $BUILD/bench/.
# TM_BENCH_10M=1 also runs the 10M-key tree benchmark (long).
set -euo pipefail
BUILD=${1:-build}
OUT="$BUILD/bench"
mkdir -p "$OUT"
echo "== machine: $(nproc) cores, $(uname -r), $(date -u +%FT%TZ)"
echo "== tx_bench (one core)"
# Repetitions in random interleaving, so that machine noise hits the baseline
# and trustmesh alike; ratios use the medians.
taskset -c 0 "./$BUILD/tx_bench" --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true --benchmark_format=console --benchmark_out="$OUT/tx_bench.json" \
  --benchmark_out_format=json
python3 - "$OUT/tx_bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rate = {b["run_name"]: b.get("items_per_second", 0) for b in d["benchmarks"]
        if b.get("aggregate_name") == "median"}
raw = rate.get("BM_RawEcdsaP256Verify", 0)
if raw:
    for k in ("BM_TxVerifyExecute", "BM_TxNameRegister", "BM_BlockExecuteCommit/iterations:5"):
        if k in rate:
            print(f"ratio {k} / BM_RawEcdsaP256Verify = {rate[k] / raw:.2f}  ({rate[k]:.0f}/s vs {raw:.0f}/s)")
PY
echo "== node_bench: committed tx/s with one validator, next to raw P-256 verify"
"./$BUILD/node_bench" --benchmark_format=console --benchmark_out="$OUT/node_bench.json" --benchmark_out_format=json
python3 - "$OUT/node_bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rate = {b["run_name"]: b.get("items_per_second", 0) for b in d["benchmarks"]}
raw = rate.get("BM_RawEcdsaP256Verify", 0)
node = next((v for k, v in rate.items() if k.startswith("BM_NodeCommittedTxs")), 0)
if raw and node:
    print(f"ratio committed tx/s / raw P-256 verify (one core) = {node / raw:.2f}  ({node:.0f}/s vs {raw:.0f}/s)")
PY

echo "== network_bench: 4 validators over TLS 1.3 on 127.0.0.1 (tx/s, commit p50/p99, block time)"
"./$BUILD/network_bench" --benchmark_format=console --benchmark_out="$OUT/network_bench.json" --benchmark_out_format=json 2>/dev/null
python3 - "$OUT/network_bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = {x["run_name"]: x for x in d["benchmarks"]}
raw = b.get("BM_RawEcdsaP256Verify", {}).get("items_per_second", 0)
net = next((v for k, v in b.items() if k.startswith("BM_Network4Validators")), None)
if raw and net:
    print(f"4 validators: {net['items_per_second']:.0f} committed tx/s, p50 {net['p50_ms']:.0f} ms, p99 {net['p99_ms']:.0f} ms, "
          f"block every {net['block_ms']:.0f} ms; ratio to raw P-256 verify on one core = {net['items_per_second'] / raw:.2f}")
PY

echo "== simulator: seeds per second (4 and 7 validators)"
TM_SIM_SEEDS=100 "./$BUILD/test_sim_sim_test" --gtest_filter='Sim.*Validators*' | grep 'seeds/s'

echo "== light_bench: status proof verification at 1M names vs OpenSSL OCSP_basic_verify"
# shellcheck source=scripts/ocsp_fixture.sh
source scripts/ocsp_fixture.sh
rm -rf "$OUT/ocsp" && OCSP_FIXTURE_NMIN=120 make_ocsp_fixture "$OUT/ocsp"
TM_OCSP_FIXTURE="$OUT/ocsp" "./$BUILD/light_bench" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_out="$OUT/light_bench.json" --benchmark_out_format=json

echo "== OCSP over HTTP: the node's /v1/ocsp over 100,000 device certificates vs openssl ocsp (ab, 16 clients)"
bash scripts/bench_ocsp.sh "$BUILD" --json "$OUT/ocsp_bench.json"

echo "== EST enrolments per second through trustmesh ca serve (each recorded on the ledger first)"
bash scripts/bench_est.sh "$BUILD" --json "$OUT/est_bench.json"

echo "== edge servers: sync of 100,000 device records, memory for 10,000, status answers/s over HTTP and CoAP"
bash scripts/bench_edge.sh "$BUILD" --json "$OUT/edge_bench.json"

echo "== status check over HTTP: trustmesh vs openssl ocsp, cfssl, nginx (ab, 16 clients)"
TMP=$(mktemp -d /tmp/tm-bench-XXXXXX)
NODE_PID=""
cleanup() { [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"./$BUILD/trustmesh" init --data "$TMP/chain" --port "$PORT" --block-interval-ms 200 >/dev/null
"./$BUILD/trustmesh" node --data "$TMP/chain" >"$TMP/node.log" 2>&1 &
NODE_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -fs "$URL/v1/status" >/dev/null && break; sleep 0.1; done
CERT_HASH=$(printf 'bench device certificate' | sha256sum | cut -d' ' -f1)
"./$BUILD/trustmesh" name register bench-device-1 --key dev --cert-hash "$CERT_HASH" --node "$URL" \
  --keyring "$TMP/chain/keys" >/dev/null
bash scripts/bench_status.sh --json "$OUT/status_bench.json" \
  status="$URL/v1/names/bench-device-1/status" prove="$URL/v1/names/bench-device-1/status?prove=true"
cleanup
trap - EXIT

echo "== name_disk_bench"
"./$BUILD/name_disk_bench" --benchmark_out="$OUT/name_disk_bench.json" --benchmark_out_format=json
if [ -x "./$BUILD/tree_bench" ]; then
  echo "== tree_bench"
  "./$BUILD/tree_bench" --benchmark_format=console --benchmark_out="$OUT/tree_bench.json" \
    --benchmark_out_format=json
fi

echo "== admission: 10,000 orgs and 100,000 claims, from a node (p99 target 5 ms) and from a light client"
"./$BUILD/admission_bench" --benchmark_out="$OUT/admission_bench.json" --benchmark_out_format=json
python3 - "$OUT/admission_bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for b in d["benchmarks"]:
    print(f"{b['run_name']}: p50 {b['p50_us'] / 1000:.2f} ms, p99 {b['p99_us'] / 1000:.2f} ms")
PY

echo "== IoTAKE handshake vs TLS 1.3 with a CA chain, with and without OCSP; device set-up time"
bash scripts/bench_iotake.sh "$BUILD"
