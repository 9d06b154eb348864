#!/usr/bin/env bash
# Edge identity servers (`trustmesh edge serve`), measured on 127.0.0.1:
#   * sync time: an edge server with COUNT device names in its domain, from its
#     start to holding a verified entry for every key it tracks (each name,
#     the claims about it and its access domain: 3 keys a device), pulled
#     from a ledger node (POST /v1/proofs, 1,000 items a request) and then, for a second
#     edge server with no ledger node, from the first as its --peer;
#   * memory (peak RSS, VmHWM) and disk (du of --data) of an edge server for
#     MEM_COUNT devices (target: under 100 MiB of RAM), and for COUNT;
#   * status answers per second from the MEM_COUNT edge server over HTTP
#     (ab, 16 clients, new connections and keep-alive) and over CoAP
#     (bench/coap_load, 16 clients), side by side in one run with the ledger
#     node's own proven answer (GET /v1/names/{name}/status?prove=true), the
#     same content; medians of 3 interleaved rounds.
#
#   scripts/bench_edge.sh [BUILD_DIR] [--json OUT]   COUNT: $EDGE_COUNT (100000), MEM_COUNT: $EDGE_MEM_COUNT (10000)
#
# bench/edge_load registers the names (name.preorder + name.register) on a fresh
# single-validator chain first. The temp dir is removed on exit (KEEP_TMP=1 keeps it).
set -euo pipefail
BUILD=build
JSON_OUT=""
while [ $# -gt 0 ]; do
  case $1 in
    --json) JSON_OUT=${2:?}; shift 2 ;;
    *) BUILD=$1; shift ;;
  esac
done
COUNT=${EDGE_COUNT:-100000}
MEM_COUNT=${EDGE_MEM_COUNT:-10000}
REQUESTS=${EDGE_REQUESTS:-20000}
TM="./$BUILD/trustmesh"
for b in trustmesh edge_load coap_load; do
  [ -x "./$BUILD/$b" ] || { echo "bench_edge: build first (make build; needs $b)" >&2; exit 1; }
done
if ! command -v ab >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends apache2-utils >/dev/null
fi

TMP=$(mktemp -d /tmp/tm-edge-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

PORT=$(free_port)
"$TM" init --data "$TMP/chain" --port "$PORT" --block-interval-ms 200 >/dev/null
echo "bench_edge: registering $COUNT device names" >&2
"./$BUILD/edge_load" "$TMP/chain" "$TMP/names.txt" "$COUNT"
head -n "$MEM_COUNT" "$TMP/names.txt" >"$TMP/names-mem.txt"
"$TM" node --data "$TMP/chain" >"$TMP/node.log" 2>&1 &
PIDS+=($!)
NODE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -fs "$NODE/v1/status" >/dev/null && break; sleep 0.1; done
curl -fs "$NODE/v1/genesis" >"$TMP/genesis.json"

# start_edge TAG NAMES_FILE ARGS...: starts an edge server; sets EDGE_PID, EDGE_HTTP, EDGE_COAP.
start_edge() {
  local tag=$1 names=$2; shift 2
  "$TM" edge serve --genesis "$TMP/genesis.json" --data "$TMP/$tag" --names-file "$names" \
    --listen 127.0.0.1:0 --coap 127.0.0.1:0 --interval-ms 3600000 "$@" >"$TMP/$tag.log" 2>&1 &
  EDGE_PID=$!
  PIDS+=("$EDGE_PID")
  for _ in $(seq 300); do grep -q '"ready"' "$TMP/$tag.log" && break; sleep 0.05; done
  local ready; ready=$(grep '"ready"' "$TMP/$tag.log" | head -1)
  EDGE_HTTP=$(echo "$ready" | field http)
  EDGE_COAP=$(echo "$ready" | field coap)
}
# wait_held URL N: waits until the edge server, tracking N device names (each
# with its claim count and domain place: 3 keys), holds every key it tracks.
wait_held() {
  for _ in $(seq 12000); do
    st=$(curl -fs "$1/v1/edge" || echo '{}')
    if python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d.get('tracked',0) >= 3*$2 and d['held'] >= d['tracked'] else 1)" "$st"; then
      return 0
    fi
    sleep 0.05
  done
  echo "bench_edge: $1 never held all keys of $2 devices" >&2; exit 1
}
rss_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
disk_kib() { du -sk "$1" | cut -f1; }

echo "bench_edge: sync of $COUNT device records from the ledger node" >&2
t0=$(now_ms); start_edge big "$TMP/names.txt" --node "$NODE"; wait_held "$EDGE_HTTP" "$COUNT"; t1=$(now_ms)
BIG_HTTP=$EDGE_HTTP BIG_PID=$EDGE_PID
SYNC_NODE_MS=$((t1 - t0)); BIG_RSS=$(rss_kib "$BIG_PID"); BIG_DISK=$(disk_kib "$TMP/big")
echo "bench_edge: sync of $COUNT device records from a peer edge server" >&2
t0=$(now_ms); start_edge peer "$TMP/names.txt" --peer "$BIG_HTTP"; wait_held "$EDGE_HTTP" "$COUNT"; t1=$(now_ms)
SYNC_PEER_MS=$((t1 - t0))
kill "$EDGE_PID" "$BIG_PID"

echo "bench_edge: an edge server for $MEM_COUNT devices" >&2
t0=$(now_ms); start_edge small "$TMP/names-mem.txt" --node "$NODE"; wait_held "$EDGE_HTTP" "$MEM_COUNT"; t1=$(now_ms)
SYNC_SMALL_MS=$((t1 - t0))
NAME=device-1
curl -fs "$EDGE_HTTP/v1/names/$NAME/status" >/dev/null
"$TM" verify "$NAME" --node "$EDGE_HTTP" --anchor "$TMP/genesis.json" --max-age 3600 >/dev/null
"$TM" edge ask "$EDGE_COAP" "$NAME" --genesis "$TMP/genesis.json" >/dev/null
COAP_HOST=${EDGE_COAP#coap://}; COAP_PORT=${COAP_HOST##*:}; COAP_HOST=${COAP_HOST%:*}

# One measurement: prints requests/s.
run_ab() {  # URL [-k]
  ab -q -c 16 -n "$REQUESTS" ${2:-} "$1" 2>/dev/null | awk '/Requests per second/ {print $4}'
}
run_coap() {
  "./$BUILD/coap_load" --host "$COAP_HOST" --port "$COAP_PORT" --path "/v1/status/$NAME" --clients 16 --seconds 5 |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["rps"] if d["errors"] == 0 else 0)'
}
declare -A R
TARGETS=(node-prove edge-http edge-http-keepalive edge-coap node-prove-keepalive)
for round in 1 2 3; do
  for t in "${TARGETS[@]}"; do
    case $t in
      node-prove) v=$(run_ab "$NODE/v1/names/$NAME/status?prove=true") ;;
      node-prove-keepalive) v=$(run_ab "$NODE/v1/names/$NAME/status?prove=true" -k) ;;
      edge-http) v=$(run_ab "$EDGE_HTTP/v1/names/$NAME/status") ;;
      edge-http-keepalive) v=$(run_ab "$EDGE_HTTP/v1/names/$NAME/status" -k) ;;
      edge-coap) v=$(run_coap) ;;
    esac
    R[$t]="${R[$t]:-} $v"
    echo "bench_edge: round $round $t $v/s" >&2
  done
  TARGETS=("${TARGETS[@]:1}" "${TARGETS[0]}")
done
SMALL_RSS=$(rss_kib "$EDGE_PID"); SMALL_DISK=$(disk_kib "$TMP/small")
ANSWER_BYTES=$(curl -fs "$EDGE_HTTP/v1/names/$NAME/status" | wc -c)
COAP_BYTES=$("$TM" edge ask "$EDGE_COAP" "$NAME" --genesis "$TMP/genesis.json" --json | field bytes)

python3 - "$JSON_OUT" <<PY
import json, statistics, sys
r = {k: statistics.median(float(x) for x in v.split()) for k, v in {
    "node-prove": "${R[node-prove]}", "node-prove-keepalive": "${R[node-prove-keepalive]}",
    "edge-http": "${R[edge-http]}", "edge-http-keepalive": "${R[edge-http-keepalive]}",
    "edge-coap": "${R[edge-coap]}"}.items()}
out = {
  "count": $COUNT, "mem_count": $MEM_COUNT,
  "sync_from_node_s": $SYNC_NODE_MS / 1000, "sync_from_peer_s": $SYNC_PEER_MS / 1000,
  "sync_small_s": $SYNC_SMALL_MS / 1000,
  "rss_mib_count": $BIG_RSS / 1024, "disk_mib_count": $BIG_DISK / 1024,
  "rss_mib_mem_count": $SMALL_RSS / 1024, "disk_mib_mem_count": $SMALL_DISK / 1024,
  "answer_bytes_http": $ANSWER_BYTES, "answer_bytes_coap": $COAP_BYTES,
  "rps": r,
}
print(f"sync of {$COUNT} device records: {out['sync_from_node_s']:.1f} s from a ledger node "
      f"({$COUNT / out['sync_from_node_s']:.0f} records/s), {out['sync_from_peer_s']:.1f} s from a peer edge server")
print(f"edge server for {$COUNT} devices: peak RSS {out['rss_mib_count']:.1f} MiB, disk {out['disk_mib_count']:.1f} MiB")
print(f"edge server for {$MEM_COUNT} devices: peak RSS {out['rss_mib_mem_count']:.1f} MiB (target < 100), "
      f"disk {out['disk_mib_mem_count']:.1f} MiB; synced in {out['sync_small_s']:.1f} s")
print(f"status answer: {out['answer_bytes_http']} bytes JSON over HTTP, {out['answer_bytes_coap']} bytes CBOR over CoAP")
for k in ("edge-coap", "edge-http", "edge-http-keepalive", "node-prove", "node-prove-keepalive"):
    print(f"  {k:22s} {r[k]:9.0f} answers/s")
print(f"ratio edge HTTP / node (same proven answer, new connections) = {r['edge-http'] / r['node-prove']:.2f}")
print(f"ratio edge HTTP keep-alive / node keep-alive = {r['edge-http-keepalive'] / r['node-prove-keepalive']:.2f}")
print(f"ratio edge CoAP / edge HTTP new connections = {r['edge-coap'] / r['edge-http']:.2f}")
if sys.argv[1]:
    json.dump(out, open(sys.argv[1], "w"), indent=1)
PY
