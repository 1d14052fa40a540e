#!/bin/sh
# Hostile YAML: every file fails alone, with FILE:LINE:COLUMN and a reason,
# quickly, without a crash, and the good files of the same scan still count.
set -u
. "${top_srcdir:-.}/tests/integration/iac_lib.sh"

mkdir "$tmp/in"
cp "$fx"/hostile/billion-laughs.yaml "$fx"/hostile/tabs.yaml "$fx"/hostile/duplicate-keys.yaml \
    "$fx"/hostile/self-alias.yaml "$fx/k8s/suppressed.yaml" "$tmp/in/"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\351\377\n' >"$tmp/in/bad-utf8.yaml"
python3 -c "print('a: ' + '[' * 5000)" >"$tmp/in/deep.yaml"
python3 -c "print('apiVersion: v1\nkind: ConfigMap\ndata:\n  x: \"' + 'A' * (2 << 20) + '\"')" >"$tmp/in/huge-scalar.yaml"
# 10 MB of a valid manifest List: read or refused, but never a crash.
python3 - "$tmp/in/ten-mb.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("apiVersion: v1\nkind: List\nitems:\n")
    i = 0
    while f.tell() < 10 * 1024 * 1024:
        f.write("  - {apiVersion: v1, kind: Service, metadata: {name: s%d}, spec: {type: ClusterIP}}\n" % i)
        i += 1
PY
start=$(date +%s)
scan iac "$tmp/in"
took=$(( $(date +%s) - start ))
[ "$took" -le 60 ] || fail "the hostile scan took ${took}s"
[ "$rc" -lt 128 ] || fail "parapet died with status $rc"
check() { # FILE LINE:COL TEXT
    grep -q "$tmp/in/$1:$2: .*$3" "$tmp/err" || fail "$1: no error '$2: ...$3' in: $(grep "$1" "$tmp/err" | head -1)"
}
check billion-laughs.yaml 7:29 "expands to more than"
check tabs.yaml 4:1 "a tab"
check duplicate-keys.yaml 7:1 "duplicate key 'metadata' (first at line 3)"
check self-alias.yaml 4:5 "refers to its own ancestor"
check bad-utf8.yaml 4:13 "not valid UTF-8"
check deep.yaml 1:67 "nesting deeper than 64"
check huge-scalar.yaml 4:6 "longer than"
grep -q "Pod/ops/debug-shell" "$tmp/out.jsonl" || fail "the good file next to the hostile ones was not scanned"

[ "$fails" -eq 0 ] || exit 1
echo "PASS: iac_hostile"
