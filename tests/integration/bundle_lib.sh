# bundle_lib.sh - helpers shared by tests/integration/bundle_*.sh. Sourced,
# not run. POSIX sh. Needs top_builddir (from `make check`, or exported by
# hand). The bundle commands run through tests/unit/test_bundle_tool, a thin
# front end over bundle_cmd() (the same code `parapet plugin ...` runs);
# set BUNDLE_TOOL to point the tests at another front end.

set -u

TEST_NAME=$(basename "$0" .sh)
TOOL="${BUNDLE_TOOL:-${top_builddir:?top_builddir is not set}/tests/unit/test_bundle_tool}"
FAILURES=0
CHECKS=0

if [ ! -x "$TOOL" ]; then
    echo "FAIL: $TEST_NAME: $TOOL is not built (make check builds it)" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-$TEST_NAME.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL: $TEST_NAME: $*" >&2
    FAILURES=$((FAILURES + 1))
}

# run EXPECTED_STATUS CMD... - run, keep stdout in $TMP/out and stderr in
# $TMP/err, and check the exit status.
run() {
    want=$1
    shift
    CHECKS=$((CHECKS + 1))
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" != "$want" ]; then
        fail "exit $got (want $want): $*"
        sed 's/^/  stderr: /' "$TMP/err" >&2
    fi
}

# has FILE TEXT - FILE contains the fixed string TEXT.
has() {
    CHECKS=$((CHECKS + 1))
    grep -qF -- "$2" "$1" || {
        fail "$1 lacks '$2'"
        sed 's/^/  | /' "$1" >&2
    }
}

finish() {
    echo "$TEST_NAME: $CHECKS checks, $FAILURES failed"
    [ "$FAILURES" -eq 0 ]
    exit $?
}

# make_stage DIR NAME - a staging tree with lib/NAME.so, rules/ and LICENSE.
make_stage() {
    mkdir -p "$1/lib" "$1/rules"
    head -c 20000 /dev/urandom >"$1/lib/$2.so"
    chmod 755 "$1/lib/$2.so"
    echo '[]' >"$1/rules/rules.json"
    echo 'MIT' >"$1/LICENSE"
}
