#!/usr/bin/env bash
# Local testnet: `testnet.sh start BUILD DIR` creates DIR with 4 validators and
# 1 full node (trustmesh testnet init) unless it exists, starts every node in
# the background (logs and pid files in each node's directory), waits for
# their APIs and prints the addresses. `testnet.sh stop DIR` stops them
# (SIGTERM, then SIGKILL after 10 s).
set -euo pipefail

cmd=${1:?usage: testnet.sh start|stop BUILD DIR}
build=${2:?build directory}
dir=${3:-testnet}
bin="$build/trustmesh"

node_dirs() { find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'node*' | sort -V; }

case "$cmd" in
start)
  if [ ! -f "$dir/testnet.json" ]; then
    "$bin" testnet init --dir "$dir" --validators "${VALIDATORS:-4}" --full-nodes "${FULL_NODES:-1}" \
      --base-port "${BASE_PORT:-26600}"
  fi
  for d in $(node_dirs); do
    if [ -f "$d/node.pid" ] && kill -0 "$(cat "$d/node.pid")" 2>/dev/null; then
      echo "$(basename "$d") already running (pid $(cat "$d/node.pid"))"
      continue
    fi
    nohup "$bin" node --data "$d" --json >"$d/node.out" 2>"$d/node.log" &
    echo $! >"$d/node.pid"
  done
  echo "waiting for the nodes' APIs..."
  for d in $(node_dirs); do
    port=$(sed -n 's/^listen = "127.0.0.1:\([0-9]*\)"/\1/p' "$d/node.toml" | head -1)
    for _ in $(seq 1 100); do
      if curl -fsS "http://127.0.0.1:$port/v1/status" >/dev/null 2>&1; then break; fi
      if ! kill -0 "$(cat "$d/node.pid")" 2>/dev/null; then
        echo "$(basename "$d") exited; its log:" >&2
        tail -20 "$d/node.log" >&2
        exit 1
      fi
      sleep 0.1
    done
    printf '  %-6s pid %-7s api http://127.0.0.1:%s  %s\n' "$(basename "$d")" "$(cat "$d/node.pid")" "$port" \
      "$(grep -o '"p2p":"[^"]*"' "$d/node.out" | head -1)"
  done
  base=${BASE_PORT:-26600}
  cert=$(printf 'a device certificate' | sha256sum | cut -d' ' -f1)
  cat <<MSG

Try (any node's API will do; node4 is the full node):
  export TRUSTMESH_KEYRING=\$PWD/$dir/keys
  $bin status --node http://127.0.0.1:$base
  $bin name register dev-1 --key dev --cert-hash $cert --node http://127.0.0.1:$base
  $bin name show dev-1 --node http://127.0.0.1:$((base + 8))
Logs: $dir/node*/node.log   Stop: make testnet-stop
MSG
  ;;
stop)
  [ -d "$dir" ] || { echo "no testnet in $dir"; exit 0; }
  pids=()
  for d in $(node_dirs); do
    if [ -f "$d/node.pid" ]; then
      pid=$(cat "$d/node.pid")
      if kill -TERM "$pid" 2>/dev/null; then pids+=("$pid"); echo "stopping $(basename "$d") (pid $pid)"; fi
      rm -f "$d/node.pid"
    fi
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  echo "testnet stopped (data kept in $dir; remove it to start afresh)"
  ;;
*) echo "usage: testnet.sh start|stop BUILD DIR" >&2; exit 2 ;;
esac
