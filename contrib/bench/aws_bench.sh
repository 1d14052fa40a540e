#!/bin/sh
# aws_bench.sh - how fast `parapet scan aws` goes against a slow, large estate.
#
# A local AWS stand-in (contrib/bench/aws/estate_mock.py over tests/support/aws_mock.py:
# HTTPS, SigV4 checked on every request, answers served concurrently) adds LATENCY ms to
# every call and serves a generated estate of RESOURCES resources (security groups,
# instances, volumes, buckets, IAM users) over ACCOUNTS accounts (through sts:AssumeRole)
# and REGIONS regions. The scan collects ec2, s3 and iam. Printed:
#   wall     the scan's wall time
#   ideal    calls x latency / concurrency: the time a perfect scheduler would need for the
#            same calls with CONCURRENCY requests in flight (min of --jobs and max_per_host)
#   ratio    wall / ideal (1.0 is perfect)
#   calls    requests the mock answered, and calls per resource
#   rss      peak resident set size of parapet and its workers (/usr/bin/time -v)
#
# Usage: contrib/bench/aws_bench.sh [BUILD_DIR]   (default: the current directory)
# Environment: RESOURCES (10000), LATENCY_MS (50), JOBS (8), MAX_PER_HOST (8),
#   ACCOUNTS (111111111111,222222222222,333333333333),
#   REGIONS (us-east-1,eu-west-1,us-west-2,ap-southeast-2), SERVICES (ec2,s3,iam), KEEP=1.
# Needs python3, openssl, sqlite3, /usr/bin/time (Debian: time). Never reaches AWS: every
# endpoint is the local mock, the machine's AWS settings are ignored, keys are fake.
set -eu

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-.}" && pwd)
PARAPET="$BUILD/parapet"
AWS_SO="$BUILD/plugins/aws/.libs/aws.so"
RESOURCES=${RESOURCES:-10000}
LATENCY_MS=${LATENCY_MS:-50}
JOBS=${JOBS:-8}
MAX_PER_HOST=${MAX_PER_HOST:-8}
ACCOUNTS=${ACCOUNTS:-111111111111,222222222222,333333333333}
REGIONS=${REGIONS:-us-east-1,eu-west-1,us-west-2,ap-southeast-2}
SERVICES=${SERVICES:-ec2,s3,iam}

for t in python3 openssl sqlite3 /usr/bin/time; do
    command -v "$t" >/dev/null 2>&1 || { echo "aws_bench: needs $t" >&2; exit 1; }
done
[ -x "$PARAPET" ] && [ -f "$AWS_SO" ] || { echo "aws_bench: build parapet and plugins/aws first ($BUILD)" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-aws-bench.XXXXXX")
MOCK_PID=""
cleanup() {
    [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null || true
    if [ -n "${KEEP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT INT TERM

# an isolated AWS environment with fake keys
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$TMP/home" AWS_CONFIG_FILE="$TMP/none" AWS_SHARED_CREDENTIALS_FILE="$TMP/none"
export AWS_EC2_METADATA_DISABLED=true PARAPET_TEST=1 NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
export AWS_ACCESS_KEY_ID=AKIABENCHEXAMPLE0001 AWS_SECRET_ACCESS_KEY="benchSECRET$$"
export AWS_MOCK_SECRET="$AWS_SECRET_ACCESS_KEY"
unset PARAPET_PLUGIN_DIR
mkdir -p "$HOME" "$TMP/plugins"
ln -s "$AWS_SO" "$TMP/plugins/aws.so"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 \
    -subj "/CN=parapet bench CA" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >"$TMP/san.ext"
openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial -out "$TMP/srv.pem" \
    -days 2 -extfile "$TMP/san.ext" >/dev/null 2>&1

python3 "$SRC/contrib/bench/aws/estate_mock.py" --resources "$RESOURCES" --accounts "$ACCOUNTS" --regions "$REGIONS" \
    --cert "$TMP/srv.pem" --key "$TMP/srv.key" --port-file "$TMP/port" --log "$TMP/mock.log" \
    --akid "$AWS_ACCESS_KEY_ID" --secret - --latency-ms "$LATENCY_MS" 2>"$TMP/mock.err" &
MOCK_PID=$!
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/port" ] || { echo "aws_bench: the mock did not start: $(cat "$TMP/mock.err")" >&2; exit 1; }
EP="https://127.0.0.1:$(cat "$TMP/port")"

start=$(date +%s.%N)
set +e
/usr/bin/time -v -o "$TMP/time.txt" "$PARAPET" --plugin-dir "$TMP/plugins" --progress=never scan aws \
    --db "$TMP/bench.db" --jobs "$JOBS" -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" \
    -o aws.http.max_per_host="$MAX_PER_HOST" -o aws.regions="$REGIONS" -o aws.services="$SERVICES" \
    -o aws.accounts="$ACCOUNTS" -o 'aws.role=arn:aws:iam::{account}:role/ParapetBench' \
    >"$TMP/scan.out" 2>"$TMP/scan.err"
rc=$?
set -e
end=$(date +%s.%N)

calls=$(grep -c '^OK ' "$TMP/mock.log" || true)
resources=$(sqlite3 "$TMP/bench.db" "SELECT count(*) FROM scan_resources WHERE scan_id = (SELECT max(scan_id) FROM scan_resources);")
rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
conc=$JOBS
[ "$MAX_PER_HOST" -lt "$conc" ] && conc=$MAX_PER_HOST
awk -v s="$start" -v e="$end" -v calls="$calls" -v lat="$LATENCY_MS" -v conc="$conc" -v res="$resources" \
    -v rss="$rss" -v rc="$rc" -v jobs="$JOBS" -v mph="$MAX_PER_HOST" 'BEGIN {
    wall = e - s; ideal = calls * lat / 1000.0 / conc;
    printf "scan exit status   %d\n", rc;
    printf "resources          %d\n", res;
    printf "calls              %d (%.2f per resource)\n", calls, res ? calls / res : 0;
    printf "concurrency        %d (--jobs %d, max_per_host %d)\n", conc, jobs, mph;
    printf "latency            %d ms per call\n", lat;
    printf "wall               %.1f s\n", wall;
    printf "ideal              %.1f s (calls x latency / concurrency)\n", ideal;
    printf "ratio              %.2f\n", ideal > 0 ? wall / ideal : 0;
    printf "peak RSS           %.1f MiB\n", rss / 1024.0;
}'
if [ "$rc" -ne 0 ]; then
    echo "--- the scan's last lines:" >&2
    tail -5 "$TMP/scan.err" >&2
fi
