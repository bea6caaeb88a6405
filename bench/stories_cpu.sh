#!/bin/sh
# Ingest CPU of two builds on one archive, alternating, in the same run (BENCHMARKS.md,
# "Stories"): bench/stories_cpu.sh BEFORE_BIN AFTER_BIN ARCHIVE [ROUNDS]
# Prints one line per run: build, round, wall, user and sys seconds, peak RSS; then an
# unchanged re-index of the same index.
set -e
before=$1 after=$2 archive=$3 rounds=${4:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$rounds"); do
  for who in before after; do
    if [ $who = before ]; then bin=$before; else bin=$after; fi
    /usr/bin/time -f "$who round$round fresh %e wall %U user %S sys %M KB" \
      "$bin" index "$archive" --index "$work/$who" -q 2>&1 | grep "round$round" || true
    /usr/bin/time -f "$who round$round unchanged %e wall %U user %S sys" \
      "$bin" index "$archive" --index "$work/$who" -q 2>&1 | grep "round$round" || true
    rm -rf "${work:?}/$who"
  done
done
