#!/usr/bin/env bash
# OCSP fixture for the status-check baselines (docs: /work/shared/ENVIRONMENT.md,
# "Baselines for the status-check benchmark").
#
#   scripts/ocsp_fixture.sh DIR        # or: source it and call make_ocsp_fixture DIR
#
# Writes into DIR (created if needed), with OpenSSL only, no network:
#   ca.key  ca.pem    P-256 CA (self-signed, 10 years); also the OCSP signer
#   dev.key dev.pem   a P-256 device certificate issued by the CA, serial in the index
#   index.txt         100,000 lines in `openssl ca` format, all valid (status V),
#                     serials 1000000000000000 + i (hex), /CN=device-<i>
#   req.der           OCSP request for dev.pem (SHA-1 CertID, no nonce), as a client sends it
#   resp.der          the signed OCSP response to req.der, made offline by the same code
#                     as the `openssl ocsp` responder (signer cert included, nextUpdate
#                     = now + OCSP_FIXTURE_NMIN minutes, default 5); status "good"
#
# resp.der + ca.pem are what a C++ benchmark loads to time OCSP_basic_verify:
# d2i_OCSP_RESPONSE(resp.der) -> OCSP_response_get1_basic; X509_STORE holding ca.pem;
# OCSP_basic_verify(bs, NULL, store, 0); then OCSP_resp_find_status with
# OCSP_cert_to_id(NULL, dev, ca). Regenerate rather than check in: nextUpdate expires.

OCSP_FIXTURE_DEVICE=${OCSP_FIXTURE_DEVICE:-4242}   # which index line dev.pem is
OCSP_FIXTURE_LINES=${OCSP_FIXTURE_LINES:-100000}

make_ocsp_fixture() {
  local dir=$1 i=$OCSP_FIXTURE_DEVICE n=$OCSP_FIXTURE_LINES serial
  mkdir -p "$dir"
  (
    set -euo pipefail
    cd "$dir"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
    openssl req -new -x509 -key ca.key -sha256 -days 3650 -subj "/CN=trustmesh bench CA" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" -out ca.pem
    serial=$(printf '%016X' $((0x1000000000000000 + i)))
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out dev.key 2>/dev/null
    openssl req -new -key dev.key -subj "/CN=device-$i" -out dev.csr
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' > dev.ext
    openssl x509 -req -in dev.csr -CA ca.pem -CAkey ca.key -set_serial "0x$serial" -days 3650 \
      -sha256 -extfile dev.ext -out dev.pem 2>/dev/null
    rm -f dev.csr dev.ext
    # Same serial formatting as `openssl ca` (upper-case hex, even length).
    awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
        printf "V\t301231235959Z\t\t1%015X\tunknown\t/CN=device-%d\n", i, i }' > index.txt
    grep -q "^V	301231235959Z		$serial	" index.txt   # dev.pem must be in the index
    openssl ocsp -issuer ca.pem -cert dev.pem -reqout req.der -no_nonce >/dev/null
    openssl ocsp -index index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem \
      -nmin "${OCSP_FIXTURE_NMIN:-5}" -reqin req.der -respout resp.der >/dev/null
    # Check: signature verifies against ca.pem and the status is good.
    openssl ocsp -respin resp.der -CAfile ca.pem -issuer ca.pem -cert dev.pem -no_nonce \
      2>&1 | grep -q '^dev.pem: good$' || { echo "ocsp_fixture: resp.der not good" >&2; exit 1; }
  )
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  [ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
  make_ocsp_fixture "$1"
  echo "ocsp_fixture: wrote $1/{ca.key,ca.pem,dev.key,dev.pem,index.txt,req.der,resp.der}" >&2
fi
