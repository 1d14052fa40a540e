#!/bin/sh
# plugins_config.sh - -o PLUGIN.KEY=VALUE is checked against the plugin's
# config schema; errors name the plugin and the key, and nothing runs.
#
# tp_bad_schema's schema: x required integer 1..10; color "red"|"green";
# no other keys. tp_all's: tasks integer 1..50, per_task 0..1000,
# mode "normal"|"strict", ratio number 0..1, verbose boolean, labels array
# of strings; no other keys.

. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

DIR=$(plugin_dir plugins tp_all tp_bad_schema) || exit 1
N=0

# store_uids DB LIKE : sorted uids of stored resources matching LIKE (none
# when the store was never created).
store_uids() {
    [ -f "$1" ] || return 0
    sqlite3 -batch -noheader -readonly "$1" "SELECT uid FROM resources WHERE uid LIKE '$2' ORDER BY 1;" 2>&1
}

# refuse WHAT PLUGIN KEY_REGEX ARGS... : the scan exits 2 before collecting,
# with an error line naming PLUGIN and matching KEY_REGEX.
refuse() {
    _what=$1
    _plugin=$2
    _key=$3
    shift 3
    N=$((N + 1))
    _out="$TMP/cfg$N"
    run_parapet "$_out" --plugin-dir "$DIR" --db "$_out.db" scan "$_plugin" \
        --output "jsonl:$_out.jsonl" -o jsonl.resources=true "$@"
    expect_rc "$_out" 2 "$_what"
    if error_line "$_out" "$_plugin" | grep -q -E -- "$_key"; then
        pass "$_what: the error names $_plugin and the key"
    else
        fail "$_what: an error line names $_plugin and matches /$_key/"
        show "$_out"
    fi
    if [ -n "$(store_uids "$_out.db" "$_plugin:%")" ]; then
        fail "$_what: $_plugin collected despite an invalid config"
    fi
}

# accept WHAT PLUGIN ARGS... : the scan exits 0; leaves OUT in $ACCEPTED.
accept() {
    _what=$1
    _plugin=$2
    shift 2
    N=$((N + 1))
    ACCEPTED="$TMP/cfg$N"
    run_parapet "$ACCEPTED" --plugin-dir "$DIR" --db "$ACCEPTED.db" scan "$_plugin" \
        --output "jsonl:$ACCEPTED.jsonl" -o jsonl.resources=true "$@"
    expect_rc "$ACCEPTED" 0 "$_what"
}

# The key "x" as a word of its own in the message ('x', "x", x:, .x ...).
X='(^|[^a-z0-9_])x([^a-z0-9_]|$)'

refuse "required key missing" tp_bad_schema "$X"
refuse "integer key given a word" tp_bad_schema "$X" -o tp_bad_schema.x=abc
refuse "integer key given a fraction" tp_bad_schema "$X" -o tp_bad_schema.x=2.5
refuse "integer above maximum" tp_bad_schema "$X" -o tp_bad_schema.x=11
refuse "integer below minimum" tp_bad_schema "$X" -o tp_bad_schema.x=0
refuse "value outside the enum" tp_bad_schema "color" -o tp_bad_schema.x=5 -o tp_bad_schema.color=blue
refuse "unknown key" tp_bad_schema "nope" -o tp_bad_schema.x=5 -o tp_bad_schema.nope=1

accept "valid config" tp_bad_schema -o tp_bad_schema.x=5 -o tp_bad_schema.color=red
echo=$(sqlite3 -batch -noheader -readonly "$ACCEPTED.db" "SELECT json_extract(data,'\$.x'), json_type(data,'\$.x'),
    json_extract(data,'\$.color') FROM resources WHERE uid='tp_bad_schema:x:5';" 2>&1)
check "the plugin got x as an integer 5 and color red (got '$echo')" test "$echo" = "5|integer|red"

refuse "tp_all: tasks below minimum" tp_all "tasks" -o tp_all.tasks=0
refuse "tp_all: tasks above maximum" tp_all "tasks" -o tp_all.tasks=51
refuse "tp_all: mode outside the enum" tp_all "mode" -o tp_all.mode=bogus
refuse "tp_all: boolean given a word" tp_all "verbose" -o tp_all.verbose=maybe
refuse "tp_all: number above maximum" tp_all "ratio" -o tp_all.ratio=1.5
refuse "tp_all: unknown key" tp_all "no_such_key" -o tp_all.no_such_key=1

accept "tp_all: typed values converted" tp_all -o tp_all.tasks=2 -o tp_all.per_task=3 \
    -o tp_all.mode=strict -o tp_all.ratio=0.5 -o tp_all.verbose=true -o tp_all.labels=a,b
want=$( (expected_uids tp_all "t0 t1" 3
    for s in alloc http secret kv service; do echo "tp_all:svc:$s"; done) | LC_ALL=C sort)
same_lines "tp_all with tasks=2 per_task=3 emits 2x3 items" "$(store_uids "$ACCEPTED.db" 'tp_all:%')" "$want"

accept "tp_all: per_task 0 is allowed (minimum inclusive)" tp_all -o tp_all.per_task=0 -o tp_all.tasks=1
n=$(store_uids "$ACCEPTED.db" 'tp_all:t%' | grep -c .)
check "tp_all with per_task=0 emits no items (got $n)" test "$n" = 0

finish
