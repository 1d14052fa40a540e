#!/bin/sh
# packaging_man.sh - the man pages are clean roff and complete.
#
# 1. mandoc -Tlint (style level) and `man --warnings` report nothing for
#    parapet(1), parapet.conf(5), parapet-rules(5) and parapet-plugin(7).
# 2. parapet(1) documents every command and subcommand the built CLI's own
#    help lists, and every global option of the usage text.
# 3. parapet.conf(5) documents every [core] key of docs/configuration.md.
# 4. The lint catches a broken page (so the check can fail).
# mandoc and man are required: when either is missing this test fails.

set -u
TEST_NAME=packaging_man
: "${top_srcdir:?}" "${PARAPET:?}"
FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

for tool in mandoc man; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAIL: $TEST_NAME needs '$tool' (apt-get install mandoc man-db)" >&2
        exit 1
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-$TEST_NAME.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

MAN="$top_srcdir/packaging/man"
pages="parapet.1 parapet.conf.5 parapet-rules.5 parapet-plugin.7"

# Lint every page with both tools. man's --warnings runs groff with -ww.
lint() {
    mandoc -Tlint -W style "$1" >"$TMP/lint.log" 2>&1 || return 1
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$1" 2>>"$TMP/lint.log" >"$TMP/page.txt" || return 1
    [ ! -s "$TMP/lint.log" ] && [ -s "$TMP/page.txt" ]
}
for p in $pages; do
    if [ ! -f "$MAN/$p" ]; then
        fail "$p exists"
    elif lint "$MAN/$p"; then
        pass "$p: mandoc -Tlint and man --warnings are silent"
    else
        fail "$p lints clean:"
        cat "$TMP/lint.log" >&2
    fi
done

# A page with an unclosed font and an unknown macro must not lint clean.
printf '.TH BROKEN 1\n.SH NAME\nbroken \\- test\n.XX unknown\n\\fBbold\n' >"$TMP/broken.1"
if lint "$TMP/broken.1"; then
    fail "the lint rejects a broken page"
else
    pass "the lint rejects a broken page"
fi

# Render parapet(1) as plain text once; check what it documents.
LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$MAN/parapet.1" 2>/dev/null | col -bx >"$TMP/parapet.txt"

# Every command of the CLI's own usage text ("  NAME ..." lines under Commands:).
cmds=$("$PARAPET" help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u)
if [ -z "$cmds" ]; then
    fail "parapet help lists commands"
fi
for c in $cmds; do
    if grep -Eq "^   $c\$|^       parapet $c( |\$)" "$TMP/parapet.txt"; then
        pass "parapet(1) documents '$c'"
    else
        fail "parapet(1) has a section for '$c'"
    fi
done

# Subcommands named in `parapet help plugin|policy|suppress` usage lines.
for c in plugin policy suppress; do
    subs=$("$PARAPET" help "$c" | sed -n "s/^ *\(usage: \)\{0,1\}parapet $c \([a-z][a-z-]*\).*/\2/p" | sort -u)
    [ -n "$subs" ] || fail "parapet help $c lists subcommands"
    for s in $subs; do
        if grep -q "parapet $c $s" "$TMP/parapet.txt"; then
            pass "parapet(1) documents '$c $s'"
        else
            fail "parapet(1) documents '$c $s'"
        fi
    done
done

# Global options of the usage text.
opts=$("$PARAPET" help | sed -n '/^Global options:/,/^$/p' | grep -o -- '--[a-z][a-z-]*' | sort -u)
for o in $opts; do
    if grep -q -- "$o" "$TMP/parapet.txt"; then
        pass "parapet(1) documents $o"
    else
        fail "parapet(1) documents $o"
    fi
done

# Every [core] key of docs/configuration.md is in parapet.conf(5).
LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$MAN/parapet.conf.5" 2>/dev/null | col -bx >"$TMP/conf.txt"
keys=$(sed -n '/^## \[core\]/,/^## /p' "$top_srcdir/docs/configuration.md" | sed -n 's/^| `\([a-z_]*\)` |.*/\1/p')
[ -n "$keys" ] || fail "docs/configuration.md lists [core] keys"
for k in $keys; do
    if grep -Eq "^       $k([[:space:]]|\$)" "$TMP/conf.txt"; then
        pass "parapet.conf(5) documents $k"
    else
        fail "parapet.conf(5) documents [core] $k"
    fi
done

# The pages name each other correctly.
for ref in 'parapet.conf(5)' 'parapet-rules(5)' 'parapet-plugin(7)'; do
    if grep -q "$ref" "$TMP/parapet.txt"; then
        pass "parapet(1) refers to $ref"
    else
        fail "parapet(1) refers to $ref"
    fi
done

if [ "$FAILURES" -ne 0 ]; then
    echo "$TEST_NAME: $FAILURES check(s) failed" >&2
    exit 1
fi
echo "$TEST_NAME: all checks passed"
