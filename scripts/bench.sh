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
echo "== name_disk_bench"
"./$BUILD/name_disk_bench" --benchmark_out="$OUT/name_disk_bench.json" --benchmark_out_format=json
if [ -x "./$BUILD/tree_bench" ]; then
  echo "== tree_bench"
  "./$BUILD/tree_bench" --benchmark_format=console --benchmark_out="$OUT/tree_bench.json" \
    --benchmark_out_format=json
fi
