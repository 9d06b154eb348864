#!/usr/bin/env bash
# `make run`: creates a development chain under ./data if there is none
# (`trustmesh init`: a validator key, a funded dev account that is also the
# trustee, in the keyring data/keys), prints what to try, then runs the node in
# the foreground on 127.0.0.1 until Ctrl-C. A second `make run` reuses the chain.
set -euo pipefail
BUILD=${1:-build}
DATA=${2:-data}
PORT=${PORT:-8080}
TM="./$BUILD/trustmesh"

if [ ! -f "$DATA/genesis.json" ]; then
  echo "== creating a development chain in ./$DATA"
  "$TM" init --data "$DATA" --port "$PORT"
else
  echo "== reusing the chain in ./$DATA (delete it to start over)"
fi
LISTEN=$(sed -n 's/^listen = "\(.*\)"/\1/p' "$DATA/node.toml")
URL="http://$LISTEN"
CERT_HASH=$(printf 'my first device certificate' | sha256sum | cut -d' ' -f1)
cat <<MSG

The node's HTTP API will be at $URL (OpenAPI: $URL/v1/openapi.json).
In another terminal, try:

  export TRUSTMESH_NODE=$URL TRUSTMESH_KEYRING=\$PWD/$DATA/keys
  $TM status                                                    # height, chain, mempool
  $TM name register dev-1 --key dev --cert-hash $CERT_HASH   # preorder + register
  $TM verify dev-1 --anchor $DATA/genesis.json                  # check it with the light client

Two devices that authenticate each other with no CA (each in its own terminal, after the export above):

  $TM device run --state lamp.json --dm-listen 127.0.0.1:7001 --iotake-listen 127.0.0.1:7002 --anchor $DATA/genesis.json
  $TM device run --state switch.json --dm-listen 127.0.0.1:7011 --iotake-listen 127.0.0.1:7012 --anchor $DATA/genesis.json
  $TM dm setup --device 127.0.0.1:7001 --key dev && $TM dm setup --device 127.0.0.1:7011 --key dev
  $TM device connect --state switch.json --to 127.0.0.1:7002 --message on --anchor $DATA/genesis.json

A manufacturer, a model, a device and a gateway's admission decision (ADMIT, with the reasons):

  $TM cert issue --cn 'Acme Root' --ca --out acme-root
  $TM cert issue --cn 'Acme Bulb' --ca --issuer-cert acme-root.pem --issuer-key acme-root.key --out bulb-model
  $TM cert issue --cn bulb-1 --issuer-cert bulb-model.pem --issuer-key bulb-model.key --out bulb-1
  $TM org register acme --kind manufacturer --root acme-root.pem --root-key acme-root.key --key dev
  $TM gov propose --vendor-id 4660:acme --key dev   # the trustees assign vendor ids to registered orgs
  $TM model register --org acme --vid 4660 --pid 1 --name 'Smart Bulb' --key dev
  $TM cert add --org acme --level model --cert bulb-model.pem --vid 4660 --pid 1 --key dev
  $TM admit --policy examples/policies/backyard-lighting.json --cert bulb-1.pem --anchor $DATA/genesis.json
  $TM admit --policy examples/policies/building-security.json --cert bulb-1.pem   # DENY: says what is missing
  $TM cert revoke --cert bulb-model.pem --reason keyCompromise --key dev
  $TM crl publish --org acme --issuer-cert acme-root.pem --issuer-key acme-root.key --key dev
  $TM org show acme   # history, and the CRL's URL for curl / openssl crl

Stop the node with Ctrl-C; \`make run\` again continues the same chain.

MSG
exec "$TM" node --data "$DATA"
