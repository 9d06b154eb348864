#!/usr/bin/env bash
# Certificate status checks over HTTP: trustmesh against the usual baselines,
# measured side by side in one run (absolute figures drift between runs; compare
# the ratios). See /work/shared/ENVIRONMENT.md, "Baselines for the status-check
# benchmark".
#
#   scripts/bench_status.sh [--requests N] [--rounds R] [--json OUT] LABEL=URL [LABEL=URL...]
#   e.g. scripts/bench_status.sh status=http://127.0.0.1:8080/v1/names/NAME/status \
#                                prove='http://127.0.0.1:8080/v1/names/NAME/status?prove=true'
#
# What it measures: `ab` (apache2-utils), 16 concurrent clients, N requests per run
# (default 20000), on 127.0.0.1, for
#   openssl-ocsp  `openssl ocsp` responder: P-256 CA as signer, index.txt of 100,000
#                 lines, -nmin 5; POST of a DER request for one device in the index.
#                 It closes every connection, so only new connections are measured.
#                 Restarted for every run (see start_ossl: it hangs after some ab runs).
#   cfssl         `cfssl ocspserve` with a responses file from `cfssl ocspsign`; POST;
#                 new connections and keep-alive (ab -k).
#   nginx-<S>B    nginx serving a static file of S bytes = the size of a trustmesh
#                 answer (one file per distinct size); new connections and keep-alive.
#                 The HTTP ceiling of the machine.
#   tm:<LABEL>    the URLs given (GET), new connections and keep-alive. This script does
#                 not start trustmesh.
# After a warm-up run of N/20 requests per target/mode (none for openssl-ocsp), R rounds
# (default 3); each round runs every target/mode once, in an order rotated by one per round. Reported per target/mode: the MEDIAN over rounds of requests/s and of
# the 50% and 99% latencies (ab's percentile table, from `ab -e` at µs resolution),
# non-2xx responses, and failed requests split into Length (expected for OCSP: ECDSA
# signatures vary in length) and the rest (connect/receive/exceptions). Then ratios of
# each trustmesh target to openssl-ocsp (new connections), nginx (same mode, same size)
# and cfssl (same mode). Exit status 1 if a trustmesh target had non-2xx answers or
# connect/receive/exception failures.
#
# Before measuring it checks each answer once: openssl ocsp and cfssl must return a
# successful, verifying OCSP response saying "good" for the device; nginx 200 with the
# right length; each trustmesh URL a 2xx.
#
# Installs apache2-utils nginx-light golang-cfssl openssl curl with apt-get if missing.
# Everything runs from a temp dir under /tmp on ephemeral ports; every process it starts
# is killed on exit. KEEP_TMP=1 keeps the temp dir (ab outputs, logs, fixture).
# Progress goes to stderr, the table to stdout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/ocsp_fixture.sh disable=SC1091
source "$HERE/ocsp_fixture.sh"

REQUESTS=20000
ROUNDS=3
JSON_OUT=""
CONC=16

log() { echo "bench_status: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

TM_LABELS=() TM_URLS=()
while [ $# -gt 0 ]; do
  case $1 in
    --requests) REQUESTS=${2:?}; shift 2 ;;
    --requests=*) REQUESTS=${1#*=}; shift ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --rounds=*) ROUNDS=${1#*=}; shift ;;
    --json) JSON_OUT=${2:?}; shift 2 ;;
    --json=*) JSON_OUT=${1#*=}; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *=*)
      label=${1%%=*} url=${1#*=}
      [[ $label =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad label '$label' (letters, digits, _ . -)"
      [[ $url =~ ^http://[^/]+/ ]] || die "bad URL '$url' (http://HOST:PORT/PATH; ab has no TLS here)"
      for l in "${TM_LABELS[@]}"; do [ "$l" != "$label" ] || die "label '$label' given twice"; done
      TM_LABELS+=("$label") TM_URLS+=("$url"); shift ;;
    *) log "expected LABEL=URL, got '$1'"; usage ;;
  esac
done
[ ${#TM_LABELS[@]} -gt 0 ] || usage
if ! [[ $REQUESTS =~ ^[0-9]+$ && $REQUESTS -ge $CONC ]]; then die "--requests must be >= $CONC"; fi
if ! [[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]]; then die "--rounds must be >= 1"; fi

# ---- packages ---------------------------------------------------------------
missing=()
for p in apache2-utils nginx-light golang-cfssl openssl curl; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for b in ab cfssl openssl curl python3 "$NGINX"; do command -v "$b" >/dev/null || die "$b not found"; done

# ---- temp dir, process cleanup ---------------------------------------------
TMP=$(mktemp -d /tmp/bench_status.XXXXXX)
chmod 755 "$TMP"   # nginx workers run as an unprivileged user and read $TMP/www
PIDS=()
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() {  # N: N distinct free ports on 127.0.0.1 (bound together, then released)
  python3 - "$1" <<'PY'
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in ss))
PY
}
read -r P_CFSSL P_NGINX < <(free_ports 2)

# Until NAME answers HTTP on 127.0.0.1:PORT, or (with LOG and PATTERN) until LOG shows
# PATTERN. Not a bare TCP probe: openssl 3.0's ocsp responder spins at 100% CPU forever
# on a connection closed before a request is sent.
wait_ready() {  # PORT PID NAME [LOG PATTERN]
  local i
  for i in $(seq 1 100); do
    kill -0 "$2" 2>/dev/null || die "$3 exited at startup (log in $TMP)"
    if [ $# -ge 5 ]; then
      grep -q "$5" "$4" 2>/dev/null && return 0
    elif curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"; then
      return 0
    fi
    sleep 0.1
  done
  die "$3 not ready on port $1 after 10 s"
}

# ---- fixture and servers ---------------------------------------------------
FX=$TMP/fx
log "fixture: P-256 CA, device cert, index.txt of 100,000 lines, req.der ($FX)"
make_ocsp_fixture "$FX"

# The openssl ocsp responder is started afresh, on a new port, for every ab run and
# stopped right after it: ab (2.3) sometimes opens a connection at the end of a run and
# closes it unused, and openssl 3.0's responder then spins at 100% CPU on that closed
# connection and answers nobody again (openssl/openssl#31129, #23934). Left running, it
# would stall the next run and steal a core from every other target.
# `-port` takes a number only: it listens on all addresses; we query 127.0.0.1.
OSSL_PID="" OSSL_N=0
start_ossl() {  # sets P_OSSL, OSSL_PID
  OSSL_N=$((OSSL_N + 1))
  read -r P_OSSL < <(free_ports 1)
  local logf=$TMP/openssl-ocsp.$OSSL_N.log
  (cd "$FX" && exec openssl ocsp -index index.txt -port "$P_OSSL" -rsigner ca.pem -rkey ca.key \
    -CA ca.pem -nmin 5) >"$logf" 2>&1 &
  OSSL_PID=$!
  PIDS+=("$OSSL_PID")
  wait_ready "$P_OSSL" "$OSSL_PID" openssl-ocsp "$logf" 'waiting for OCSP client'
  # One request before handing it to ab: it answers, and its index is in the cache.
  curl -sS --max-time 10 -o /dev/null --data-binary @"$FX/req.der" \
    -H 'Content-Type: application/ocsp-request' "http://127.0.0.1:$P_OSSL/" ||
    die "openssl ocsp does not answer on port $P_OSSL"
}
stop_ossl() {
  [ -n "$OSSL_PID" ] || return 0
  kill -TERM "$OSSL_PID" 2>/dev/null || true
  wait "$OSSL_PID" 2>/dev/null || true
  local keep=() pid
  for pid in "${PIDS[@]}"; do [ "$pid" = "$OSSL_PID" ] || keep+=("$pid"); done
  PIDS=("${keep[@]}") OSSL_PID=""
}
log "starting openssl ocsp (index of $(wc -l <"$FX/index.txt") lines)"
start_ossl

log "starting cfssl ocspserve on port $P_CFSSL"
(cd "$FX" && cfssl ocspsign -ca ca.pem -responder ca.pem -responder-key ca.key -cert dev.pem \
  -loglevel 3) >"$TMP/ocspsign.json"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ocspResponse"])' \
  "$TMP/ocspsign.json" >"$TMP/cfssl-responses.txt"
cfssl ocspserve -address 127.0.0.1 -port "$P_CFSSL" -responses "$TMP/cfssl-responses.txt" \
  -loglevel 3 >"$TMP/cfssl.log" 2>&1 &
PIDS+=($!); wait_ready "$P_CFSSL" $! cfssl

# trustmesh answers: fetch each once; nginx serves a copy of each distinct size.
mkdir -p "$TMP/www" "$TMP/nginx"
declare -A TM_SIZE=()
SIZES=()
for i in "${!TM_LABELS[@]}"; do
  code=$(curl -sS --max-time 10 -o "$TMP/tm-${TM_LABELS[$i]}.body" -w '%{http_code}' "${TM_URLS[$i]}") ||
    die "tm:${TM_LABELS[$i]}: cannot fetch ${TM_URLS[$i]}"
  [[ $code == 2?? ]] || die "tm:${TM_LABELS[$i]}: HTTP $code from ${TM_URLS[$i]}"
  size=$(stat -c %s "$TMP/tm-${TM_LABELS[$i]}.body")
  TM_SIZE[${TM_LABELS[$i]}]=$size
  log "tm:${TM_LABELS[$i]}: HTTP $code, $size-byte body"
  if [ ! -e "$TMP/www/s$size.bin" ]; then
    cp "$TMP/tm-${TM_LABELS[$i]}.body" "$TMP/www/s$size.bin"; SIZES+=("$size")
  fi
done
chmod -R a+rX "$TMP/www"

log "starting nginx (foreground, prefix $TMP/nginx) on port $P_NGINX"
N=$TMP/nginx
cat >"$N/nginx.conf" <<EOF
worker_processes 2;
pid $N/nginx.pid;
error_log $N/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $N/body;
  proxy_temp_path $N/proxy;
  fastcgi_temp_path $N/fastcgi;
  uwsgi_temp_path $N/uwsgi;
  scgi_temp_path $N/scgi;
  server {
    listen 127.0.0.1:$P_NGINX;
    root $TMP/www;
  }
}
EOF
"$NGINX" -p "$N" -c "$N/nginx.conf" -g 'daemon off;' >"$N/stdout.log" 2>&1 &
PIDS+=($!); wait_ready "$P_NGINX" $! nginx

# ---- correctness, once -----------------------------------------------------
check_ocsp() {  # NAME URL
  local out="$TMP/check-$1.der" code txt
  code=$(curl -sS --max-time 10 -o "$out" -w '%{http_code}' --data-binary @"$FX/req.der" \
    -H 'Content-Type: application/ocsp-request' "$2") || die "$1: request failed"
  [ "$code" = 200 ] || die "$1: HTTP $code"
  txt=$(cd "$FX" && openssl ocsp -respin "$out" -CAfile ca.pem -issuer ca.pem -cert dev.pem \
    -no_nonce -resp_text 2>&1) || die "$1: bad OCSP response: $txt"
  grep -q 'OCSP Response Status: successful' <<<"$txt" || die "$1: OCSP status not successful"
  grep -q 'Response verify OK' <<<"$txt" || die "$1: OCSP signature does not verify"
  grep -q '^dev.pem: good$' <<<"$txt" || die "$1: device not 'good'"
  log "check $1: HTTP 200, successful OCSP response ($(stat -c %s "$out") B), verifies, dev.pem: good"
}
check_ocsp openssl-ocsp "http://127.0.0.1:$P_OSSL/"
stop_ossl
check_ocsp cfssl "http://127.0.0.1:$P_CFSSL/"
for s in "${SIZES[@]}"; do
  r=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$P_NGINX/s$s.bin")
  [ "$r" = "200 $s" ] || die "nginx: expected '200 $s', got '$r'"
  log "check nginx-${s}B: HTTP 200, $s bytes"
done

# ---- targets ---------------------------------------------------------------
# name|mode|kind|url|postfile|nginx target of the same size (trustmesh only)
TARGETS=("openssl-ocsp|new|baseline|OSSL|$FX/req.der")  # OSSL: the port of the fresh responder
for m in new ka; do TARGETS+=("cfssl|$m|baseline|http://127.0.0.1:$P_CFSSL/|$FX/req.der"); done
for s in "${SIZES[@]}"; do
  for m in new ka; do TARGETS+=("nginx-${s}B|$m|baseline|http://127.0.0.1:$P_NGINX/s$s.bin|"); done
done
for i in "${!TM_LABELS[@]}"; do
  for m in new ka; do
    TARGETS+=("tm:${TM_LABELS[$i]}|$m|trustmesh|${TM_URLS[$i]}||nginx-${TM_SIZE[${TM_LABELS[$i]}]}B")
  done
done

RES=$TMP/results.tsv
: >"$RES"
run_ab() {  # ROUND N TARGET-SPEC: one ab run; appends a line to $RES unless ROUND is "warmup"
  local round=$1 n=$2 name mode kind url post peer tag out args=()
  IFS='|' read -r name mode kind url post peer <<<"$3"
  tag="${name//[:\/]/_}.$mode.$round"
  out=$TMP/ab/$tag
  mkdir -p "$TMP/ab"
  args=(-q -r -n "$n" -c "$CONC" -e "$out.csv")
  if [ "$mode" = ka ]; then args+=(-k); fi
  if [ -n "$post" ]; then args+=(-p "$post" -T application/ocsp-request); fi
  if [ "$url" = OSSL ]; then
    [ "$round" != warmup ] || return 0   # no warm-up: it would leave the responder spinning
    start_ossl; url="http://127.0.0.1:$P_OSSL/"
  fi
  local rc=0
  timeout 300 ab "${args[@]}" "$url" >"$out.txt" 2>"$out.err" || rc=$?
  if [ "$name" = openssl-ocsp ]; then stop_ossl; fi
  [ "$round" != warmup ] || return 0
  python3 - "$out" "$round" "$name" "$mode" "$kind" "$url" "$rc" "$peer" >>"$RES" <<'PY'
import re, sys
out, rnd, name, mode, kind, url, rc, peer = sys.argv[1:]
t = open(out + ".txt").read()
def num(pat, default=0.0):
    m = re.search(pat, t, re.M)
    return float(m.group(1)) if m else default
pct = {}
try:
    for line in open(out + ".csv").read().splitlines()[1:]:
        p, ms = line.split(",")
        pct[int(p)] = float(ms)
except (OSError, ValueError):
    pass
def p(k):  # prefer the CSV (µs resolution); fall back to the text table (whole ms)
    return pct.get(k, num(r"^\s+%d%%\s+(\d+)" % k, float("nan")))
fails = re.search(r"\(Connect: (\d+), Receive: (\d+), Length: (\d+), Exceptions: (\d+)\)", t)
c, r, l, e = map(int, fails.groups()) if fails else (0, 0, 0, 0)
row = [rnd, name, mode, kind, url,
       num(r"^Requests per second:\s+([\d.]+)"), p(50), p(99),
       int(num(r"^Complete requests:\s+(\d+)")), int(num(r"^Non-2xx responses:\s+(\d+)")),
       c, r, l, e, int(num(r"^Keep-Alive requests:\s+(\d+)")),
       int(num(r"^Document Length:\s+(\d+)")), int(rc), peer]
print("\t".join(str(x) for x in row))
PY
  local last; last=$(tail -1 "$RES")
  IFS=$'\t' read -r _ _ _ _ _ rps p50 p99 complete non2xx fc fr fl fe ka _ <<<"$last"
  local note=""
  [ "$rc" = 0 ] || note+=" ab exit $rc ($(tail -1 "$out.err"))"
  [ "$non2xx" = 0 ] || note+=" non-2xx $non2xx"
  [ $((fc + fr + fe)) = 0 ] || note+=" failed conn/recv/exc $fc/$fr/$fe"
  [ "$fl" = 0 ] || note+=" length-varied $fl"
  [ "$mode" = new ] || note+=" keep-alive $ka/$complete"
  log "$(printf '[round %s/%s] %-18s %-3s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms%s' \
    "$round" "$ROUNDS" "$name" "$mode" "$rps" "$p50" "$p99" "$note")"
}

K=${#TARGETS[@]}
WARM=$((REQUESTS / 20 > CONC ? REQUESTS / 20 : CONC))
log "warm-up: $WARM requests per target/mode"
for t in "${TARGETS[@]}"; do run_ab warmup "$WARM" "$t"; done
log "measuring: $K target/modes x $ROUNDS rounds, $REQUESTS requests each, $CONC clients"
for ((r = 0; r < ROUNDS; r++)); do
  for ((j = 0; j < K; j++)); do run_ab $((r + 1)) "$REQUESTS" "${TARGETS[$(((r + j) % K))]}"; done
done

# ---- report ----------------------------------------------------------------
MACHINE="$(nproc) cores, $(uname -r), $(date -u +%FT%TZ)"
VERSIONS="$(openssl version | cut -d' ' -f1-2); nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///');"
VERSIONS+=" cfssl $(cfssl version 2>/dev/null | sed -n 's/^Version: //p'); ab $(ab -V | sed -n '1s/.*Version \([^ ]*\).*/\1/p')"
python3 - "$RES" "$JSON_OUT" "$REQUESTS" "$ROUNDS" "$CONC" "$MACHINE" "$VERSIONS" <<'PY'
import json, statistics as st, sys
res, json_out, requests, rounds, conc, machine, versions = sys.argv[1:]
runs = []
for line in open(res):
    f = line.rstrip("\n").split("\t")
    runs.append(dict(round=int(f[0]), target=f[1], mode=f[2], kind=f[3], url=f[4],
                     rps=float(f[5]), p50_ms=float(f[6]), p99_ms=float(f[7]),
                     complete=int(f[8]), non2xx=int(f[9]), fail_connect=int(f[10]),
                     fail_receive=int(f[11]), fail_length=int(f[12]), fail_exceptions=int(f[13]),
                     keepalive=int(f[14]), doc_length=int(f[15]), ab_exit=int(f[16]),
                     nginx_peer=f[17] if len(f) > 17 else ""))
summary, order = {}, []
for r in runs:
    k = (r["target"], r["mode"])
    if k not in summary:
        order.append(k)
        summary[k] = dict(target=r["target"], mode=r["mode"], kind=r["kind"], url=r["url"],
                          doc_length=r["doc_length"], nginx_peer=r["nginx_peer"], runs=[])
    summary[k]["runs"].append(r)
for s in summary.values():
    rs = s.pop("runs")
    ok = [x for x in rs if x["ab_exit"] == 0 and x["complete"] > 0]  # ab runs that finished
    def med(f):
        return st.median(x[f] for x in ok) if ok else 0.0
    s["median_rps"], s["median_p50_ms"], s["median_p99_ms"] = med("rps"), med("p50_ms"), med("p99_ms")
    s["min_rps"] = min((x["rps"] for x in ok), default=0.0)
    s["max_rps"] = max((x["rps"] for x in ok), default=0.0)
    for f in ("complete", "non2xx", "fail_length", "keepalive"):
        s[f] = sum(x[f] for x in rs)
    s["fail_other"] = sum(x["fail_connect"] + x["fail_receive"] + x["fail_exceptions"] for x in rs)
    s["ab_errors"] = sum(1 for x in rs if x["ab_exit"] != 0)
    s["rounds"] = len(rs)
print(f"\n== status checks over HTTP: ab, {conc} clients, {requests} requests per run, "
      f"median of {rounds} interleaved rounds")
print(f"== machine: {machine}\n== {versions}\n")
print("new = a new TCP connection per request; ka = keep-alive (ab -k, HTTP/1.0 Keep-Alive).")
print("openssl ocsp closes every connection (no keep-alive), so it is measured with new connections only.")
print("length-var = ab 'Failed requests: Length' (expected for OCSP: signature length varies).\n")
hdr = f"{'target':<20} {'mode':<4} {'req/s':>9} {'(min-max)':>15} {'p50 ms':>7} {'p99 ms':>7} {'bytes':>6} {'non-2xx':>7} {'fail':>5} {'len-var':>7} {'keep-alive':>10}"
print(hdr); print("-" * len(hdr))
def fmt(s):
    ka = f"{100 * s['keepalive'] / max(s['complete'], 1):.0f}%" if s["mode"] == "ka" else "-"
    return (f"{s['target']:<20} {s['mode']:<4} {s['median_rps']:>9,.0f} "
            f"{'(' + format(s['min_rps'], ',.0f') + '-' + format(s['max_rps'], ',.0f') + ')':>15} "
            f"{s['median_p50_ms']:>7.2f} {s['median_p99_ms']:>7.2f} {s['doc_length']:>6} "
            f"{s['non2xx']:>7} {s['fail_other']:>5} {s['fail_length']:>7} {ka:>10}")
warnings = []
for k in order:
    s = summary[k]
    print(fmt(s))
    if s["kind"] != "trustmesh" and (s["ab_errors"] or s["non2xx"] or s["fail_other"]):
        warnings.append(f"{s['target']} {s['mode']}: ab errors {s['ab_errors']} (left out of the medians), "
                        f"non-2xx {s['non2xx']}, failed connect/receive/exceptions {s['fail_other']}")
if warnings:
    print("\nWARNING (baselines):\n  " + "\n  ".join(warnings))
def get(t, m):
    return summary.get((t, m))
ratios, errors = [], []
print("\n== ratios (median req/s of the trustmesh target / baseline)")
for (t, m), s in summary.items():
    if s["kind"] != "trustmesh":
        continue
    if s["non2xx"] or s["fail_other"] or s["ab_errors"]:
        errors.append(f"{t} {m}: non-2xx {s['non2xx']}, failed connect/receive/exceptions "
                      f"{s['fail_other']}, ab errors {s['ab_errors']}")
    if m == "ka" and s["keepalive"] < 0.9 * s["complete"]:
        print(f"   note: {t} ka: only {s['keepalive']}/{s['complete']} requests reused a connection")
    parts = []
    for name, b in (("openssl-ocsp new", get("openssl-ocsp", "new")),
                    (f"{s['nginx_peer']} {m}", get(s["nginx_peer"], m)),
                    (f"cfssl {m}", get("cfssl", m))):
        if b and b["median_rps"] > 0:
            x = s["median_rps"] / b["median_rps"]
            ratios.append(dict(target=t, mode=m, baseline=name, ratio=round(x, 4)))
            parts.append(f"vs {name}: {x:.2f}")
    print(f"{t + ' ' + m:<24} " + "   ".join(parts))
if json_out:
    with open(json_out, "w") as fh:
        json.dump(dict(machine=machine, versions=versions,
                       config=dict(requests=int(requests), rounds=int(rounds), concurrency=int(conc)),
                       summary=[summary[k] for k in order], ratios=ratios, runs=runs,
                       warnings=warnings, errors=errors), fh, indent=1)
    print(f"\n== JSON: {json_out}")
if errors:
    print("\nERROR (trustmesh targets):\n  " + "\n  ".join(errors))
    sys.exit(1)
PY
