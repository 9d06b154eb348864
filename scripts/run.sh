#!/usr/bin/env bash
# `make run` until the node exists: replays the bundled example chain
# (examples/genesis.json + examples/blocks.jsonl) into the data directory,
# printing the state root after each block, then says what to try next.
# A second run finds the blocks already applied and only checks the genesis.
set -euo pipefail
BUILD=${1:-build}
DATA=${2:-data}
TM="./$BUILD/trustmesh"

echo "== trustmesh: replaying the example chain into ./$DATA (RocksDB) =="
"$TM" ledger apply --genesis examples/genesis.json --blocks examples/blocks.jsonl --data "$DATA"
NAME=$(sed -n 's/^name: //p' examples/README.md | head -1)
cat <<MSG

The ledger node (HTTP API, consensus) is not built yet; these offline tools are:

  $TM ledger name $NAME --data $DATA            # a device name, its history and a verified proof
  $TM ledger apply --genesis examples/genesis.json --blocks examples/blocks.jsonl --data /tmp/audit --json
                                                # audit: replay elsewhere, compare the roots
  $TM ledger demo --out /tmp/chain --blocks 500 --txs 50   # generate a bigger chain to replay

Run \`$TM --help\` for everything else.
MSG
