# plugins_lib.sh - helpers shared by tests/integration/plugins_*.sh.
# Sourced, not run. POSIX sh. The caller's environment (from `make check`)
# has top_srcdir, top_builddir and PARAPET; running a script by hand works
# the same once those three are exported.
#
# JSON is checked with the sqlite3 CLI's JSON functions (sqlite3 is needed
# for the store checks anyway, and CI installs it): no jq, no python.

set -u

TP_LIBS="${top_builddir:?top_builddir is not set}/tests/plugins/.libs"
PARAPET="${PARAPET:?PARAPET is not set}"
TEST_NAME=$(basename "$0" .sh)
FAILURES=0

# Loud, never silent: a missing prerequisite is a failure, not a skip.
need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "FAIL: $TEST_NAME needs '$1' on PATH ($2)" >&2
        exit 1
    fi
}

need sqlite3 "apt-get install sqlite3"
if [ ! -x "$PARAPET" ]; then
    echo "FAIL: $TEST_NAME: the CLI is not built: $PARAPET" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-$TEST_NAME.XXXXXX") || exit 1
CLEANUP_PIDS=""
# Set PP_TEST_KEEP=1 to keep the temporary directory for a post-mortem.
cleanup() {
    for p in $CLEANUP_PIDS; do kill "$p" 2>/dev/null; done
    if [ -n "${PP_TEST_KEEP:-}" ]; then
        echo "kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Plugins run as separate processes under ASan too: let a test plugin's
# deliberate SIGSEGV kill its worker with the real signal instead of
# ASan's report-and-exit(1), so the host can name the signal.
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:handle_segv=0:handle_sigbus=0"
export ASAN_OPTIONS
# A local HTTP test server must not go through any proxy of the machine.
NO_PROXY=127.0.0.1,localhost
no_proxy=$NO_PROXY
export NO_PROXY no_proxy
# The plugin tree of the machine must never leak into a test.
unset PARAPET_PLUGIN_DIR
XDG_DATA_HOME="$TMP/xdg-data"
XDG_CONFIG_HOME="$TMP/xdg-config"
export XDG_DATA_HOME XDG_CONFIG_HOME

fail() {
    echo "FAIL: $*" >&2
    FAILURES=$((FAILURES + 1))
}

pass() {
    echo "ok: $*"
}

# check DESCRIPTION COMMAND... : pass when the command succeeds.
check() {
    _what=$1
    shift
    if "$@"; then pass "$_what"; else fail "$_what"; fi
}

finish() {
    if [ "$FAILURES" -ne 0 ]; then
        echo "$TEST_NAME: $FAILURES check(s) failed" >&2
        exit 1
    fi
    echo "$TEST_NAME: all checks passed"
    exit 0
}

# plugin_dir NAME PLUGIN... : make $TMP/NAME with symlinks to the given
# test plugins (tp_all -> tests/plugins/.libs/tp_all.so) and to the
# first-party jsonl output the checks read; print its path.
JSONL_SO="$top_builddir/plugins/jsonl/.libs/jsonl.so"
plugin_dir() {
    _d="$TMP/$1"
    shift
    mkdir -p "$_d" || exit 1
    if [ ! -f "$JSONL_SO" ]; then
        echo "FAIL: the jsonl output plugin is not built: $JSONL_SO" >&2
        exit 1
    fi
    ln -sf "$JSONL_SO" "$_d/jsonl.so"
    for _p in "$@"; do
        if [ ! -f "$TP_LIBS/$_p.so" ]; then
            echo "FAIL: test plugin not built: $TP_LIBS/$_p.so (run make check)" >&2
            exit 1
        fi
        ln -sf "$TP_LIBS/$_p.so" "$_d/$_p.so"
    done
    echo "$_d"
}

# run_parapet OUT_PREFIX ARGS... : run the CLI (stdin from /dev/null), stdout
# to OUT_PREFIX.out, stderr to OUT_PREFIX.err; sets RC. A run that takes
# more than 120 s is killed and counted as a failure (a hung scan).
run_parapet() {
    _o=$1
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout -s KILL 120 "$PARAPET" "$@" </dev/null >"$_o.out" 2>"$_o.err"
    else
        "$PARAPET" "$@" </dev/null >"$_o.out" 2>"$_o.err"
    fi
    RC=$?
    if [ "$RC" -eq 137 ]; then
        fail "parapet $* did not finish within 120 s"
    fi
    return 0
}

# show OUT_PREFIX : print a run's output, for the log of a failed check.
show() {
    echo "--- stdout of $1:" >&2
    sed -n '1,40p' "$1.out" >&2
    echo "--- stderr of $1:" >&2
    sed -n '1,60p' "$1.err" >&2
}

# expect_rc OUT_PREFIX WANT WHAT : check the exit status of the last run.
expect_rc() {
    if [ "$RC" -eq "$2" ]; then
        pass "$3: exit status $2"
    else
        fail "$3: exit status $RC, expected $2"
        show "$1"
    fi
}

# json_sql JSONFILE SQL : run SQL over a JSON array file; the table
# rec(value) holds one row per element. Prints rows, "|"-separated.
json_sql() {
    sqlite3 -batch -noheader :memory: \
        "CREATE TABLE rec AS SELECT value FROM json_each(CAST(readfile('$1') AS TEXT)); $2"
}

# jsonl_sql JSONLFILE SQL : same over a JSON Lines file (one object per line).
jsonl_sql() {
    _arr="$1.array.json"
    { printf '['; sed -e '/^[[:space:]]*$/d' "$1" | sed -e '$!s/$/,/'; printf ']'; } >"$_arr"
    json_sql "$_arr" "$2"
}

# Views of a jsonl output file (docs/records.md): resources have uid and
# type; findings have rule_id.
RES="(SELECT value FROM rec WHERE json_extract(value,'\$.uid') IS NOT NULL AND json_extract(value,'\$.rule_id') IS NULL)"
FND="(SELECT value FROM rec WHERE json_extract(value,'\$.rule_id') IS NOT NULL)"

# resource_uids JSONLFILE LIKE : sorted uids of resources matching LIKE.
resource_uids() {
    jsonl_sql "$1" "SELECT json_extract(value,'\$.uid') FROM $RES WHERE json_extract(value,'\$.uid') LIKE '$2' ORDER BY 1;"
}

# expected_uids PLUGIN TASKS PER_TASK : the uids PLUGIN:TASK:I, sorted.
expected_uids() {
    _pl=$1
    for _t in $2; do
        _i=0
        while [ "$_i" -lt "$3" ]; do
            echo "$_pl:$_t:$_i"
            _i=$((_i + 1))
        done
    done | LC_ALL=C sort
}

# same_lines WHAT GOT WANT : compare two newline-separated lists.
same_lines() {
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1"
        echo "--- got:" >&2
        echo "$2" | sed -n '1,40p' >&2
        echo "--- want:" >&2
        echo "$3" | sed -n '1,40p' >&2
    fi
}

# error_line OUT_PREFIX PATTERN : the error lines of stderr matching the
# extended regex PATTERN (case-insensitive). docs/cli.md gives errors as
# "parapet: error: ..." and says log lines are logfmt when stderr is not a
# terminal (as here); both forms are accepted.
error_line() {
    grep -E '^parapet: error: |level=error' "$1.err" | grep -i -E "$2"
}
