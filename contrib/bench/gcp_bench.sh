#!/bin/sh
# contrib/bench/gcp_bench.sh - how fast `parapet scan gcp` collects a large
# estate: about 10,000 resources over 5 projects (every service) served by
# the local Google stand-in tests/support/gcp_mock.py (scenario bench:N:P).
#
#   contrib/bench/gcp_bench.sh [RESOURCES [PROJECTS [JOBS]]]   (from a built tree)
#
# Reports wall time, resources per second and API calls per resource
# (every call the mock answered, token included). The mock is Python over
# TLS on the same 2 cores, so the numbers are a floor for the plugin, not
# for Google. Build without sanitizers for meaningful numbers.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
PARAPET=${PARAPET:-$top_builddir/parapet}
export top_srcdir top_builddir PARAPET
N=${1:-10000}
NP=${2:-5}
JOBS=${3:-8}
. "$top_srcdir/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/gcp_lib.sh"
gcp_start "bench:$N:$NP"

t0=$(date +%s%N)
# shellcheck disable=SC2086
run_parapet "$TMP/b" --plugin-dir "$PD" scan gcp --db "$TMP/b.db" $GCP_OPTS --jobs "$JOBS" --no-default-rules \
    --output "jsonl:$TMP/b.jsonl" -o jsonl.resources=true
t1=$(date +%s%N)
[ "$RC" -eq 0 ] || { echo "gcp_bench: the scan failed (rc $RC):" >&2; cat "$TMP/b.err" >&2; exit 1; }
res=$(jsonl_sql "$TMP/b.jsonl" "SELECT count(*) FROM $RES;")
projects=$(jsonl_sql "$TMP/b.jsonl" "SELECT count(DISTINCT json_extract(value,'\$.account')) FROM $RES;")
calls=$(grep -c -E '^(GET|POST|TOKEN) ' "$MOCK_LOG")
errors=$(jsonl_sql "$TMP/b.jsonl" "SELECT count(*) FROM $FND WHERE json_extract(value,'\$.status')='error';")
ms=$(( (t1 - t0) / 1000000 ))
# CPU seconds the mock spent (utime + stime of its /proc stat), to tell its share of the wall time
mock_pid=${CLEANUP_PIDS##* }
mock_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$mock_pid/stat" 2>/dev/null || echo "?")
echo "gcp_bench: $res resources in $projects projects, $JOBS jobs: ${ms} ms wall," \
    "$(( res * 1000 / (ms > 0 ? ms : 1) )) resources/s; $calls API calls," \
    "$(awk -v c="$calls" -v r="$res" 'BEGIN { printf "%.3f", c / r }') calls/resource; $errors error findings;" \
    "the mock used ${mock_cpu} s of CPU"
jsonl_sql "$TMP/b.jsonl" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 2 DESC;" |
    sed 's/^/  /'
finish
