#!/bin/sh
# packaging_completions.sh - the bash and zsh completions load and offer what
# a user types.
#
# bash (contrib/completions/parapet), driven through its completion function
# with COMP_WORDS/COMP_CWORD as bash would set them:
#   - sourcing it registers `complete -F _parapet parapet`;
#   - `parapet <TAB>` offers every command of the CLI's own usage text;
#   - `plugin <TAB>`, `policy <TAB>` and `suppress <TAB>` offer subcommands;
#   - plugin names come from the built CLI (`plugin list --format json`), per
#     kind: `scan <TAB>` offers providers, `plugin info <TAB>` all plugins,
#     `scan snapshot --output <TAB>` the formats of output plugins;
#   - a refused plugin (a test plugin with the wrong ABI) is not offered;
#   - --fail-on, --format and --severity values.
# zsh (contrib/completions/_parapet): parses, and compinit binds it to parapet.
# bash and zsh are required: when either is missing this test fails.

set -u
TEST_NAME=packaging_completions
: "${top_srcdir:?}" "${top_builddir:?}" "${PARAPET:?}"
FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

for tool in bash zsh; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAIL: $TEST_NAME needs '$tool' (apt-get install $tool)" >&2
        exit 1
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-$TEST_NAME.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

BASH_COMP="$top_srcdir/contrib/completions/parapet"
ZSH_COMP="$top_srcdir/contrib/completions/_parapet"

# A plugin directory with the built first-party plugins and, when built, a
# test plugin the host refuses (wrong ABI major).
PLUGDIR="$TMP/plugins"
mkdir -p "$PLUGDIR" "$TMP/bin"
for so in "$top_builddir"/plugins/snapshot/.libs/snapshot.so "$top_builddir"/plugins/jsonl/.libs/jsonl.so; do
    [ -f "$so" ] || { fail "plugin is built: $so"; continue; }
    ln -s "$so" "$PLUGDIR/"
done
refused=""
if [ -f "$top_builddir/tests/plugins/.libs/tp_wrong_abi.so" ]; then
    ln -s "$top_builddir/tests/plugins/.libs/tp_wrong_abi.so" "$PLUGDIR/"
    refused=$("$PARAPET" --plugin-dir "$PLUGDIR" plugin list --format json 2>/dev/null |
        tr -d ' \t\n' | sed 's/},{/}\n{/g' | sed -n 's/.*"name":"\([^"]*\)".*"status":"refused".*/\1/p' | head -n 1)
fi
# The completion runs `parapet` from PATH, as it would when installed.
ln -s "$PARAPET" "$TMP/bin/parapet"
PATH="$TMP/bin:$PATH"
export PATH
unset PARAPET_PLUGIN_DIR
XDG_CONFIG_HOME="$TMP/xdg-config"
XDG_DATA_HOME="$TMP/xdg-data"
export XDG_CONFIG_HOME XDG_DATA_HOME

# 1. Loading registers the completion.
reg=$(bash --norc --noprofile -c ". '$BASH_COMP' && complete -p parapet" 2>&1)
if [ "$reg" = "complete -F _parapet parapet" ]; then
    pass "sourcing it registers: $reg"
else
    fail "sourcing the bash completion registers _parapet for parapet (got: $reg)"
fi

# complete WORDS... : the candidates bash would offer for the last word.
cat >"$TMP/drive.bash" <<'EOF'
. "$1"; shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_parapet
printf '%s\n' "${COMPREPLY[@]}"
EOF
complete_words() {
    bash --norc --noprofile "$TMP/drive.bash" "$BASH_COMP" "$@" 2>"$TMP/comp.err" | sort -u
}
# expect_offers DESCRIPTION "EXPECTED WORDS" WORDS...: every expected word offered.
expect_offers() {
    desc=$1 want=$2
    shift 2
    got=$(complete_words "$@")
    missing=""
    for w in $want; do
        printf '%s\n' "$got" | grep -qxF -- "$w" || missing="$missing $w"
    done
    if [ -z "$missing" ] && [ ! -s "$TMP/comp.err" ]; then
        pass "$desc"
    else
        fail "$desc: missing [$missing ] in [$(echo $got)]"
        cat "$TMP/comp.err" >&2
    fi
}
expect_not_offered() {
    desc=$1 word=$2
    shift 2
    if complete_words "$@" | grep -qxF -- "$word"; then
        fail "$desc"
    else
        pass "$desc"
    fi
}

cmds=$("$PARAPET" help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u)
[ -n "$cmds" ] || fail "parapet help lists its commands"
expect_offers "parapet <TAB> offers every command ($(echo $cmds))" "$cmds" parapet ""
expect_offers "parapet p<TAB> offers plugin and policy" "plugin policy" parapet p
expect_not_offered "parapet p<TAB> does not offer scan" scan parapet p
expect_offers "global options" "--config --plugin-dir --db --keys-dir" parapet --

for c in plugin policy suppress; do
    subs=$("$PARAPET" help "$c" | sed -n "s/^ *\(usage: \)\{0,1\}parapet $c \([a-z][a-z-]*\).*/\2/p" | sort -u)
    expect_offers "parapet $c <TAB> offers $(echo $subs)" "$subs" parapet "$c" ""
done

P="--plugin-dir $PLUGDIR"
# shellcheck disable=SC2086
{
    expect_offers "scan <TAB> offers the installed provider" snapshot parapet $P scan ""
    expect_not_offered "scan <TAB> does not offer an output plugin" jsonl parapet $P scan ""
    expect_offers "plugin info <TAB> offers every plugin" "snapshot jsonl" parapet $P plugin info ""
    expect_offers "plugin remove s<TAB>" snapshot parapet $P plugin remove s
    expect_offers "--output <TAB> offers the output plugin's formats" "jsonl ndjson" parapet $P scan snapshot x.jsonl --output ""
    expect_offers "-o <TAB> offers plugin. prefixes" "core. snapshot. jsonl." parapet $P scan snapshot -o ""
    if [ -n "$refused" ]; then
        expect_not_offered "a refused plugin ($refused) is not offered" "$refused" parapet $P plugin info ""
    else
        fail "the refused test plugin tp_wrong_abi is built (make check builds it)"
    fi
}
# Without --plugin-dir, nothing from the build tree is offered (no plugins are
# installed for this test's user), and nothing breaks.
XDG_CONFIG_HOME="$TMP/empty" expect_not_offered "no --plugin-dir: the build tree's plugins are not offered" snapshot \
    parapet --config /dev/null --plugin-dir "$TMP/none" plugin info ""

expect_offers "--fail-on <TAB> offers severities" "info low medium high critical" parapet scan snapshot --fail-on ""
expect_offers "findings --format <TAB>" "text json jsonl" parapet findings --format ""
expect_offers "sql --format <TAB>" "text json jsonl csv" parapet sql "SELECT 1" --format ""
expect_offers "--severity high,c<TAB> completes in the list" "high,critical" parapet findings --severity high,c
expect_offers "help <TAB> offers commands" "scan plugin" parapet help ""

# 2. zsh: the file parses and compinit binds it to parapet.
if zsh -n "$ZSH_COMP" 2>"$TMP/zsh.err"; then
    pass "zsh completion parses"
else
    fail "zsh completion parses:"
    cat "$TMP/zsh.err" >&2
fi
bound=$(ZDOTDIR="$TMP" zsh -f -c "fpath=('$top_srcdir/contrib/completions' \$fpath)
autoload -Uz compinit && compinit -u -d '$TMP/zcompdump'
print -r -- \"\${_comps[parapet]}\"" 2>&1)
if [ "$bound" = "_parapet" ]; then
    pass "zsh compinit binds _parapet to parapet"
else
    fail "zsh compinit binds _parapet to parapet (got: $bound)"
fi

if [ "$FAILURES" -ne 0 ]; then
    echo "$TEST_NAME: $FAILURES check(s) failed" >&2
    exit 1
fi
echo "$TEST_NAME: all checks passed"
