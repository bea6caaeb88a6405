#!/bin/sh
# Ingest CPU of two builds on one archive, alternating, in the same run (BENCHMARKS.md,
# "Stories"): bench/stories_cpu.sh BEFORE_BIN AFTER_BIN ARCHIVE [ROUNDS]
# BEFORE_BIN `off` runs AFTER_BIN with stories switched off (NEWSFIND_NO_STORIES=1): the
# same build without what stories add.
# Prints one line per run: build, round, wall, user and sys seconds, peak RSS; then an
# unchanged re-index of the same index.
set -e
before=$1 after=$2 archive=$3 rounds=${4:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$rounds"); do
  for who in before after; do
    off=0
    if [ $who = before ]; then bin=$before; else bin=$after; fi
    if [ "$bin" = off ]; then bin=$after off=1; fi
    NEWSFIND_NO_STORIES=$off /usr/bin/time -f "$who round$round fresh %e wall %U user %S sys %M KB" \
      "$bin" index "$archive" --index "$work/$who" -q 2>&1 | grep "round$round" || true
    NEWSFIND_NO_STORIES=$off /usr/bin/time -f "$who round$round unchanged %e wall %U user %S sys" \
      "$bin" index "$archive" --index "$work/$who" -q 2>&1 | grep "round$round" || true
    rm -rf "${work:?}/$who"
  done
done
