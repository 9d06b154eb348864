#!/usr/bin/env bash
# OCSP over HTTP: the node's responder (GET /v1/ocsp/{base64}) over a ledger
# holding COUNT device certificates, side by side in one run with `openssl
# ocsp` over an index.txt of COUNT lines (scripts/bench_status.sh runs both
# with ab, 16 clients, and prints requests/s, p50/p99 and the ratios).
#
#   scripts/bench_ocsp.sh [BUILD_DIR] [--json OUT]     COUNT: $OCSP_COUNT (default 100000)
#
# Steps: `trustmesh init` a single-validator chain in a temp dir; bench/ocsp_load
# issues COUNT device certificates under a fresh root and records each on the
# chain (cert.add, level device); `trustmesh node --ocsp-signer` serves it; one
# `openssl ocsp` request for device 0 must verify and say "good" before timing.
# Everything runs on 127.0.0.1; the temp dir is removed on exit (KEEP_TMP=1 keeps it).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=build
JSON_OUT=""
while [ $# -gt 0 ]; do
  case $1 in
    --json) JSON_OUT=${2:?}; shift 2 ;;
    *) BUILD=$1; shift ;;
  esac
done
COUNT=${OCSP_COUNT:-100000}
TM="./$BUILD/trustmesh"
[ -x "$TM" ] && [ -x "./$BUILD/ocsp_load" ] || { echo "bench_ocsp: build first (make build)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/tm-ocsp-XXXXXX)
NODE_PID=""
cleanup() {
  [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null
  wait 2>/dev/null || true
  [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$TM" init --data "$TMP/chain" --port "$PORT" --block-interval-ms 200 >/dev/null
echo "bench_ocsp: loading $COUNT device certificates onto the chain" >&2
"./$BUILD/ocsp_load" "$TMP/chain" "$TMP/pki" "$COUNT"
"$TM" node --data "$TMP/chain" --ocsp-signer "$TMP/pki/resp.pem:$TMP/pki/resp.key" >"$TMP/node.log" 2>&1 &
NODE_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -fs "$URL/v1/status" >/dev/null && break; sleep 0.1; done

cd "$TMP/pki"
openssl ocsp -issuer ca.pem -cert dev.pem -no_nonce -reqout req.der >/dev/null
check=$(openssl ocsp -issuer ca.pem -cert dev.pem -url "$URL/v1/ocsp" -CAfile ca.pem 2>&1)
case $check in
  *"Response verify OK"*"dev.pem: good"*) ;;
  *) echo "bench_ocsp: the node's answer is not a verified 'good': $check" >&2; exit 1 ;;
esac
ENC=$(base64 -w0 req.der | sed -e 's|+|%2B|g' -e 's|/|%2F|g' -e 's|=|%3D|g')
cd - >/dev/null
echo "bench_ocsp: node answers 'good' for device 0 of $COUNT; timing" >&2
OCSP_FIXTURE_LINES=$COUNT bash "$HERE/bench_status.sh" ${JSON_OUT:+--json "$JSON_OUT"} \
  "ocsp-get=$URL/v1/ocsp/$ENC"
