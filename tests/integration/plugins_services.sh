#!/bin/sh
# plugins_services.sh - every host service, through tp_all, in both
# isolation modes, with the same records either way; secrets never leak.
#
# tp_all (tests/plugins/tp_all) reports each service's outcome in a
# tp.service_check resource (tp_all:svc:NAME). A local HTTP server
# (python3 -m http.server on 127.0.0.1) answers its GET. Events,
# indicators, advisories and packages are emitted on every collect: a
# refused emit would fail the task, so exit status 0 shows they were taken.

. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need python3 "for the loopback HTTP server"

# ---- a loopback HTTP server ---------------------------------------------------
mkdir -p "$TMP/www"
printf 'hello from the tp_all test server\n' >"$TMP/www/hello.txt"
BODY_LEN=$(wc -c <"$TMP/www/hello.txt" | tr -d ' ')
python3 -c '
import http.server, os, sys
os.chdir(sys.argv[1])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
' "$TMP/www" "$TMP/port" >"$TMP/httpd.log" 2>&1 &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$TMP/port" ]; then
    echo "FAIL: the loopback HTTP server did not start" >&2
    cat "$TMP/httpd.log" >&2
    exit 1
fi
URL="http://127.0.0.1:$(cat "$TMP/port")/hello.txt"

# ---- the secret ---------------------------------------------------------------
SECRET="tp-secret-$$-$(date +%s)-Zq8vX3pL"
TP_TEST_TOKEN=$SECRET
export TP_TEST_TOKEN
SECRET_LEN=${#SECRET}

DIR=$(plugin_dir plugins tp_all) || exit 1

# data DB UID PATH : data.PATH of resource UID in the latest scan of the
# store DB. (Read from the store: the service results must be there whatever
# outputs were asked for; the jsonl output is checked on its own below.)
data() {
    sqlite3 -batch -noheader -readonly "$1" "SELECT json_extract(data,'\$.$3') FROM resources
        WHERE uid='$2' AND scan_id=(SELECT max(scan_id) FROM resources);" 2>&1
}

# store_sql DB SQL : one query on a store, read-only.
store_sql() {
    sqlite3 -batch -noheader -readonly "$1" "$2" 2>&1
}

for iso in process none; do
    out="$TMP/svc-$iso"
    run_parapet "$out" -vv --plugin-dir "$DIR" --db "$out.db" scan tp_all --isolation "$iso" \
        -o "tp_all.url=$URL" -o tp_all.token_ref=env:TP_TEST_TOKEN \
        --output "jsonl:$out.jsonl" -o jsonl.resources=true --output "tpout:$out.tpout"
    expect_rc "$out" 0 "scan tp_all ($iso)"
    if [ ! -f "$out.jsonl" ]; then
        fail "scan tp_all ($iso) wrote $out.jsonl"
        show "$out"
        continue
    fi

    want=$( (expected_uids tp_all "t0 t1 t2" 5
        for s in alloc http secret kv service; do echo "tp_all:svc:$s"; done) | LC_ALL=C sort)
    same_lines "$iso: all tp_all resources in the store" \
        "$(store_sql "$out.db" "SELECT uid FROM resources WHERE uid LIKE 'tp_all:%' ORDER BY 1;")" "$want"
    same_lines "$iso: all tp_all resources in the jsonl output (-o jsonl.resources=true)" \
        "$(resource_uids "$out.jsonl" 'tp_all:%')" "$want"

    # One event, indicator, advisory and package per collect (3 tasks).
    got=$(store_sql "$out.db" "SELECT group_concat(uid, ' ') FROM (SELECT uid FROM events WHERE uid LIKE 'tp_all:%' ORDER BY uid);")
    check "$iso: events stored (got '$got')" test "$got" = "tp_all:event:t0 tp_all:event:t1 tp_all:event:t2"
    got=$(store_sql "$out.db" "SELECT group_concat(value, ' ') FROM (SELECT value FROM indicators WHERE feed='tp_all' ORDER BY value);")
    check "$iso: indicators stored (got '$got')" test "$got" = "192.0.2.100 192.0.2.101 192.0.2.102"
    got=$(store_sql "$out.db" "SELECT group_concat(id, ' ') FROM (SELECT id FROM advisories WHERE source='tp_all' ORDER BY id);")
    check "$iso: advisories stored (got '$got')" test "$got" = "TP-t0 TP-t1 TP-t2"
    got=$(store_sql "$out.db" "SELECT group_concat(resource_uid || '@' || version, ' ') FROM (SELECT resource_uid, version FROM packages WHERE name='tp-pkg' ORDER BY 1);")
    check "$iso: packages stored (got '$got')" test "$got" = "tp_all:t0:0@1.0.0 tp_all:t1:0@1.0.1 tp_all:t2:0@1.0.2"

    check "$iso: alloc/free round trip" test "$(data "$out.db" tp_all:svc:alloc ok)" = 1
    check "$iso: http GET made" test "$(data "$out.db" tp_all:svc:http requested)" = 1
    check "$iso: http rc PP_OK" test "$(data "$out.db" tp_all:svc:http rc)" = 0
    check "$iso: http status 200" test "$(data "$out.db" tp_all:svc:http status)" = 200
    check "$iso: http body length $BODY_LEN" test "$(data "$out.db" tp_all:svc:http body_len)" = "$BODY_LEN"
    check "$iso: http one attempt" test "$(data "$out.db" tp_all:svc:http attempts)" = 1
    check "$iso: secret resolved" test "$(data "$out.db" tp_all:svc:secret resolved)" = 1
    check "$iso: secret length $SECRET_LEN" test "$(data "$out.db" tp_all:svc:secret length)" = "$SECRET_LEN"
    check "$iso: secret length matches the string" test "$(data "$out.db" tp_all:svc:secret length_matches)" = 1
    check "$iso: a literal secret is refused" test "$(data "$out.db" tp_all:svc:secret literal_refused)" = 1
    check "$iso: kv available" test "$(data "$out.db" tp_all:svc:kv available)" = 1
    check "$iso: kv counter starts at 1 in a new store" test "$(data "$out.db" tp_all:svc:kv counter)" = 1
    check "$iso: kv_set returned PP_OK" test "$(data "$out.db" tp_all:svc:kv set_rc)" = 0
    check "$iso: service() available" test "$(data "$out.db" tp_all:svc:service available)" = 1
    check "$iso: service(\"nonexistent\",1) is NULL" test "$(data "$out.db" tp_all:svc:service nonexistent_is_null)" = 1

    # Logs at every level come through, each at its own level.
    for lvl in error warn info debug; do
        line=$(grep "tp_all: log check at level $lvl" "$out.err" | head -n 1)
        if [ -z "$line" ]; then
            fail "$iso: the $lvl-level log line reached stderr with -vv"
        else
            case "$line" in
                *"level=$lvl"* | *"$lvl:"* | *"[$lvl]"*) pass "$iso: $lvl log line shown at level $lvl" ;;
                *) fail "$iso: $lvl log line shown at the wrong level: $line" ;;
            esac
        fi
    done

    # Policy: evaluate judged every resource; only the bad ones fail.
    got=$(jsonl_sql "$out.jsonl" "SELECT json_extract(value,'\$.resource_uid') || ' ' || json_extract(value,'\$.status')
        || ' ' || json_extract(value,'\$.severity') FROM $FND WHERE json_extract(value,'\$.rule_id')='tp-all-bad' ORDER BY 1;")
    want=$(printf 'tp_all:t0:0 fail high\ntp_all:t1:0 fail high\ntp_all:t2:0 fail high')
    same_lines "$iso: evaluate() fails exactly the resources with data.bad (jsonl)" "$got" "$want"
    got=$(store_sql "$out.db" "SELECT resource_uid || ' ' || status || ' ' || severity FROM findings
        WHERE rule_id='tp-all-bad' ORDER BY 1;")
    same_lines "$iso: evaluate() fails exactly the resources with data.bad (store)" "$got" "$want"
    got=$(jsonl_sql "$out.jsonl" "SELECT count(*) FROM $FND WHERE json_extract(value,'\$.rule_id')='tp-all-double'
        AND json_extract(value,'\$.status') IN ('fail','error');")
    check "$iso: the CEL rule using tp.double() never fails or errors (got $got)" test "$got" = 0

    # Output plugin: tpout received every finding the jsonl sink received.
    if [ -f "$out.tpout" ]; then
        got=$(grep -v '^package ' "$out.tpout" | LC_ALL=C sort)
        want=$(jsonl_sql "$out.jsonl" "SELECT json_extract(value,'\$.rule_id') || ' ' || json_extract(value,'\$.resource_uid') FROM $FND ORDER BY 1;")
        same_lines "$iso: the tpout sink got the same findings as jsonl" "$got" "$want"
        check "$iso: tpout has tp-all-bad for tp_all:t1:0" grep -q -x 'tp-all-bad tp_all:t1:0' "$out.tpout"
        # ABI 1.3: write_package received every stored package, once.
        got=$(grep '^package ' "$out.tpout" | LC_ALL=C sort)
        want=$(store_sql "$out.db" "SELECT 'package ' || resource_uid || ' ' || name || '@' || version FROM packages ORDER BY 1;")
        check "$iso: the tpout sink got packages" test -n "$got"
        same_lines "$iso: the tpout sink got every stored package through write_package" "$got" "$want"
    else
        fail "$iso: the tpout output was written to $out.tpout"
    fi

    # Comparable view of the stored records (everything but times), for the
    # cross-mode comparison below.
    store_sql "$out.db" "SELECT uid, type, provider, account, region, name, json(tags), json(data), source,
            source_line, source_column FROM resources ORDER BY uid;
        SELECT rule_id, resource_uid, resource_type, status, severity, title, message, json(evidence),
            remediation, json(compliance) FROM findings ORDER BY rule_id, resource_uid;
        SELECT uid, type, provider, account, region, time, actor, action, source_ip, json(data) FROM events ORDER BY uid;
        SELECT kind, value, feed, json(attributes), expires_at FROM indicators ORDER BY kind, value;
        SELECT id, source, modified, json(document) FROM advisories ORDER BY id;
        SELECT resource_uid, ecosystem, name, version, purl, location FROM packages ORDER BY resource_uid;" \
        >"$out.records"
done

if [ -f "$TMP/svc-process.records" ] && [ -f "$TMP/svc-none.records" ]; then
    if cmp -s "$TMP/svc-process.records" "$TMP/svc-none.records"; then
        pass "--isolation process and none yield the same records"
    else
        fail "--isolation process and none yield the same records"
        diff "$TMP/svc-process.records" "$TMP/svc-none.records" | sed -n '1,20p' >&2
    fi
fi

# ---- kv persists across scans; file: secrets; unresolvable secrets -----------
printf '%s\n' "$SECRET" >"$TMP/token.txt"
chmod 600 "$TMP/token.txt" # the host refuses secret files others can read
out="$TMP/svc-process2"
run_parapet "$out" --plugin-dir "$DIR" --db "$TMP/svc-process.db" scan tp_all \
    -o "tp_all.token_ref=file:$TMP/token.txt" --output "jsonl:$out.jsonl" -o jsonl.resources=true
expect_rc "$out" 0 "second scan into the same store"
check "kv counter is 2 on the second scan of the same store" test "$(data "$TMP/svc-process.db" tp_all:svc:kv counter)" = 2
check "file: secret resolved" test "$(data "$TMP/svc-process.db" tp_all:svc:secret resolved)" = 1
check "file: secret length excludes the trailing newline" test "$(data "$TMP/svc-process.db" tp_all:svc:secret length)" = "$SECRET_LEN"
check "no url: http not requested" test "$(data "$TMP/svc-process.db" tp_all:svc:http requested)" = 0

out="$TMP/svc-unset"
run_parapet "$out" --plugin-dir "$DIR" --db "$out.db" scan tp_all \
    -o tp_all.token_ref=env:TP_TEST_TOKEN_NOT_SET_ANYWHERE --output "jsonl:$out.jsonl" -o jsonl.resources=true
expect_rc "$out" 0 "scan with an unresolvable secret reference"
check "an unset env: secret does not resolve" test "$(data "$out.db" tp_all:svc:secret resolved)" = 0
check "an unset env: secret is PP_ERR_NOTFOUND (-5)" test "$(data "$out.db" tp_all:svc:secret rc)" = -5

# ---- the secret value appears nowhere -----------------------------------------
leaks=""
for f in "$TMP"/svc-*; do
    [ -f "$f" ] || continue
    if grep -a -q -F -- "$SECRET" "$f"; then leaks="$leaks $f"; fi
done
check "the secret value is in no output, log, jsonl or store file (leaks:${leaks:- none})" test -z "$leaks"
n=$(ls "$TMP"/svc-*.db 2>/dev/null | wc -l)
check "the secret check covered the store files ($n)" test "$n" -ge 3

finish
