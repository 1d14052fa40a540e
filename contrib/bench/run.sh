#!/bin/sh
# contrib/bench/run.sh [N] - build parapet and run the pipeline benchmark
# (contrib/bench/pipeline_bench.c) with N resources (default 1,000,000).
set -eu
cd "$(dirname "$0")/../.."
[ -f Makefile ] || { autoreconf -fi >/dev/null && ./configure -q; }
make -s -j"$(nproc)" >/dev/null
make -s contrib/bench/pipeline_bench >/dev/null
d=$(mktemp -d)
ln -s "$PWD/plugins/snapshot/.libs/snapshot.so" "$PWD/plugins/jsonl/.libs/jsonl.so" "$d/"
./contrib/bench/pipeline_bench "$PWD/parapet" "$d" "${1:-1000000}"
rm -rf "$d"
