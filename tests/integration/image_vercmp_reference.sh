#!/bin/sh
# image_vercmp_reference.sh - `parapet vercmp` against the reference
# implementations Debian ships, on thousands of generated pairs:
# dpkg --compare-versions (dpkg), rpm.labelCompare (python3-rpm) and
# packaging.version (python3-packaging). A missing reference is a failure.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

PY3=/usr/bin/python3
need dpkg "Debian's dpkg"
if [ ! -x "$PY3" ]; then
    fail "needs /usr/bin/python3 (apt-get install python3)"
    finish
fi
for mod in rpm:python3-rpm packaging.version:python3-packaging; do
    if ! "$PY3" -c "import ${mod%%:*}" 2>/dev/null; then
        fail "needs the Python module ${mod%%:*} (apt-get install ${mod#*:})"
    fi
done
[ "$FAILURES" -eq 0 ] || finish

PAIRS="$top_srcdir/tests/integration/image_vercmp_pairs.py"
for spec in dpkg:3000 rpm:5000 pep440:5000; do
    scheme=${spec%%:*}
    n=${spec#*:}
    if "$PY3" "$PAIRS" "$PARAPET" "$scheme" "$n" 20261128 >"$TMP/$scheme.log" 2>&1; then
        pass "$(tail -n 1 "$TMP/$scheme.log")"
    else
        fail "$scheme ordering differs from the reference"
        sed -n '1,25p' "$TMP/$scheme.log" >&2
    fi
done

# The command line itself
out=$("$PARAPET" vercmp debian 1:1.0 2.0 2>&1)
check "vercmp debian 1:1.0 2.0 prints >" [ "$out" = ">" ]
"$PARAPET" vercmp npm 1.2 1.2.3 >"$TMP/bad.out" 2>"$TMP/bad.err"
rc=$?
check "an invalid semver exits 2" [ "$rc" -eq 2 ]
check "the error names the version" grep -q "invalid version '1.2'" "$TMP/bad.err"
finish
