#!/usr/bin/env bash
# `make fuzz`: runs each libFuzzer target for FUZZ_SECONDS (default 60) on its
# seed corpus under fuzz/corpus/<name>/. Crashes are written to $BUILD/fuzz-artifacts/.
set -euo pipefail
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-60}
mkdir -p "$BUILD/fuzz-artifacts"
for target in cbor_fuzz tx_fuzz proof_fuzz x509_fuzz; do
  [ -x "$BUILD/$target" ] || continue
  name=${target%_fuzz}
  mkdir -p "fuzz/corpus/$name" "$BUILD/corpus/$name"
  echo "== $target for ${SECONDS_EACH}s"
  "$BUILD/$target" -max_total_time="$SECONDS_EACH" -artifact_prefix="$BUILD/fuzz-artifacts/" \
    "$BUILD/corpus/$name" "fuzz/corpus/$name"
done
