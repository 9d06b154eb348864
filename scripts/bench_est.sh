#!/usr/bin/env bash
# EST enrolments per second: `trustmesh ca serve` (RFC 7030 simpleenroll over
# TLS 1.3) in front of a single-validator node, each enrolment parsed, checked
# against the ledger (the name's owner and stage), issued, recorded on the
# ledger with cert.add and waited for until committed, then returned.
#
#   scripts/bench_est.sh [BUILD_DIR] [--json OUT]
#   EST_ENROLMENTS (default 400) enrolments, EST_CONCURRENCY (default "1 16 64")
#   concurrent curl clients, blocks every EST_BLOCK_MS (default 200) ms.
#
# All enrolments are for one device name, authenticated by its owner's ledger
# key; the CSRs (P-256, made by `openssl req`) are made before timing. Reports
# per concurrency: enrolments/s over the wall time, p50/p99 of curl's
# time_total, and how many answers were not 200 (must be 0). Everything runs on
# 127.0.0.1 in a temp dir, removed on exit (KEEP_TMP=1 keeps it).
set -euo pipefail
BUILD=build
JSON_OUT=""
while [ $# -gt 0 ]; do
  case $1 in
    --json) JSON_OUT=${2:?}; shift 2 ;;
    *) BUILD=$1; shift ;;
  esac
done
N=${EST_ENROLMENTS:-400}
CONCS=${EST_CONCURRENCY:-"1 16 64"}
BLOCK_MS=${EST_BLOCK_MS:-200}
TM="$(pwd)/$BUILD/trustmesh"
[ -x "$TM" ] || { echo "bench_est: build first (make build)" >&2; exit 1; }
log() { echo "bench_est: $*" >&2; }

TMP=$(mktemp -d /tmp/tm-est-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
"$TM" init --data chain --port "$PORT" --block-interval-ms "$BLOCK_MS" >/dev/null
"$TM" node --data chain >node.log 2>&1 &
PIDS+=($!)
NODE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -fs "$NODE/v1/status" >/dev/null && break; sleep 0.1; done
tm() { "$TM" "$@" --node "$NODE" --keyring chain/keys; }

"$TM" cert issue --cn 'Bench Root' --ca --out root >/dev/null
"$TM" cert issue --cn 'Bench Devices CA' --ca --issuer-cert root.pem --issuer-key root.key --out ca >/dev/null
chmod 600 ca.key
tm org register bench --kind manufacturer --root root.pem --root-key root.key --key dev >/dev/null
tm cert add --org bench --level intermediate --cert ca.pem --key dev >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.pem \
  -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -days 2 2>/dev/null
chmod 600 tls.key
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout mfg.key -out mfg.pem \
  -subj /CN=bench-dev -days 2 2>/dev/null
tm name register bench-dev --cert mfg.pem --key dev >/dev/null
openssl req -x509 -new -key chain/keys/dev.pem -subj /CN=owner -days 2 -out owner.pem
cp chain/keys/dev.pem owner.key

EST_PORT=$(free_port)
"$TM" ca serve --org bench --ca-cert ca.pem --ca-key ca.key --tls-cert tls.pem --tls-key tls.key \
  --listen "127.0.0.1:$EST_PORT" --key dev --keyring chain/keys --node "$NODE" >est.out 2>est.log &
PIDS+=($!)
for _ in $(seq 100); do [ -s est.out ] && break; sleep 0.1; done
URL="https://127.0.0.1:$EST_PORT/.well-known/est/simpleenroll"

log "making $N CSRs"
mkdir -p csr
for i in $(seq "$N"); do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj /CN=bench-dev \
    -outform DER 2>/dev/null | base64 > "csr/$i.b64"
done

enrol() {  # one enrolment: prints "<http code> <seconds>"
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --cacert tls.pem --cert owner.pem --key owner.key \
    -H 'Content-Type: application/pkcs10' --data-binary "@csr/$1.b64" "$URL"
}
export -f enrol
export URL
curl -s -o /dev/null --cacert tls.pem --cert owner.pem --key owner.key -H 'Content-Type: application/pkcs10' \
  --data-binary @csr/1.b64 "$URL"  # warm-up

RESULTS=()
for c in $CONCS; do
  log "$N enrolments, $c concurrent"
  start=$(date +%s.%N)
  seq "$N" | xargs -P "$c" -I{} bash -c 'enrol {}' > "times-$c.txt"
  end=$(date +%s.%N)
  RESULTS+=("$(python3 - "$c" "$start" "$end" "times-$c.txt" <<'PY'
import json, sys
c, start, end, path = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rows = [l.split() for l in open(path) if l.strip()]
ok = sorted(float(t) for code, t in rows if code == "200")
bad = sum(1 for code, _ in rows if code != "200")
pct = lambda p: ok[min(len(ok) - 1, int(p * len(ok)))] * 1000 if ok else 0
print(json.dumps({"concurrency": c, "enrolments": len(rows), "failed": bad,
                  "per_second": len(ok) / (end - start), "p50_ms": pct(0.5), "p99_ms": pct(0.99)}))
PY
)")
done
committed=$(curl -fs "$NODE/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])')
python3 - "$BLOCK_MS" "$committed" "${JSON_OUT:-}" "${RESULTS[@]}" <<'PY'
import json, sys
block_ms, height, out = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(r) for r in sys.argv[4:]]
print(f"EST simpleenroll, blocks every {block_ms} ms (chain at height {height}):")
for r in rows:
    print(f"  {r['concurrency']:>3} clients: {r['per_second']:7.1f} enrolments/s, p50 {r['p50_ms']:7.1f} ms, "
          f"p99 {r['p99_ms']:7.1f} ms, {r['failed']} failed of {r['enrolments']}")
if out:
    json.dump({"block_ms": int(block_ms), "runs": rows}, open(out, "w"), indent=1)
sys.exit(1 if any(r["failed"] for r in rows) else 0)
PY
