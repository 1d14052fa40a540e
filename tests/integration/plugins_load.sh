#!/bin/sh
# plugins_load.sh - which plugins the loader accepts and refuses, and why.
#
# A plugin dir holding tp_all, tp_old_minor and four plugins that must be
# refused (tp_wrong_abi: ABI 2.0; tp_too_new: ABI 1.99; tp_no_entry: no
# entry symbol; tp_dup: the name "tp_all" again) is listed with
# `plugin list --format json` (docs/cli.md). Then tp_old_minor, built
# against the frozen v1.0 headers, must scan and deliver its resources.

. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

DIR=$(plugin_dir all tp_all tp_old_minor tp_wrong_abi tp_too_new tp_no_entry tp_dup) || exit 1

# ---- plugin list --format json ------------------------------------------
run_parapet "$TMP/list" --plugin-dir "$DIR" --db "$TMP/list.db" plugin list --format json
LIST="$TMP/list.out"
if ! json_sql "$LIST" "SELECT 1;" >/dev/null 2>&1; then
    fail "plugin list --format json prints one JSON array"
    show "$TMP/list"
    finish
fi
pass "plugin list --format json prints one JSON array"

# field FILE_BASENAME MEMBER : MEMBER of the entry whose path ends in FILE.
field() {
    json_sql "$LIST" "SELECT json_extract(value,'\$.$2') FROM rec
        WHERE json_extract(value,'\$.path') LIKE '%/$1' ORDER BY 1;"
}

n=$(json_sql "$LIST" "SELECT count(*) FROM rec WHERE json_extract(value,'\$.path') LIKE '%/tp\_%' ESCAPE '\\';")
check "the six test plugin files are all listed (got $n)" test "$n" = 6

check "tp_all is ok" test "$(field tp_all.so status)" = ok
# the ABI these headers (and so the host and tp_all) declare
V="$top_srcdir/sdk/include/parapet/version.h"
ABI="$(sed -n 's/^#define PP_ABI_MAJOR \([0-9]*\).*/\1/p' "$V").$(sed -n 's/^#define PP_ABI_MINOR \([0-9]*\).*/\1/p' "$V")"
ABI_RE=$(printf '%s' "$ABI" | sed 's/\./\\./')
check "tp_all reports ABI $ABI (the headers' version)" test "$(field tp_all.so abi)" = "$ABI"
check "tp_all keeps its own version, not tp_dup's" test "$(field tp_all.so version)" = 1.0.0
kinds=$(json_sql "$LIST" "SELECT group_concat(k.value, ',') FROM rec, json_each(json_extract(rec.value,'\$.kinds')) AS k
        WHERE json_extract(rec.value,'\$.path') LIKE '%/tp_all.so';")
for k in provider policy scanner output remediation; do
    case ",$kinds," in
        *",$k,"*) pass "tp_all lists kind $k" ;;
        *) fail "tp_all lists kind $k (kinds: $kinds)" ;;
    esac
done
case ",$kinds," in
    *,threat_feed,* | *,threat-feed,* | *,threatfeed,*) pass "tp_all lists the threat-feed kind" ;;
    *) fail "tp_all lists the threat-feed kind (kinds: $kinds)" ;;
esac

check "tp_old_minor is ok" test "$(field tp_old_minor.so status)" = ok
check "tp_old_minor reports ABI 1.0" test "$(field tp_old_minor.so abi)" = 1.0

# refused FILE WHAT REGEX... : FILE is refused and its error matches each REGEX.
refused() {
    _f=$1
    _what=$2
    shift 2
    _st=$(field "$_f" status)
    _err=$(field "$_f" error)
    if [ "$_st" != refused ]; then
        fail "$_what: $_f has status '$_st', expected refused"
        return
    fi
    if [ -z "$_err" ]; then
        fail "$_what: $_f is refused without a reason"
        return
    fi
    for _re in "$@"; do
        if echo "$_err" | grep -q -i -E -- "$_re"; then
            pass "$_what: reason mentions /$_re/"
        else
            fail "$_what: reason '$_err' does not match /$_re/"
        fi
    done
}

# The entry names the plugin (its "name", or the error text when the
# descriptor could not be read) and the reason says what it needs and
# what the host offers.
names_plugin() {
    if [ "$(field "$1" name)" = "$2" ] || field "$1" error | grep -q -- "$2"; then
        pass "$3: the entry names $2"
    else
        fail "$3: the entry names $2 (name '$(field "$1" name)', error '$(field "$1" error)')"
    fi
}
names_plugin tp_wrong_abi.so tp_wrong_abi "wrong ABI major"
refused tp_wrong_abi.so "wrong ABI major" '2\.0|ABI 2|major 2' "$ABI_RE|major 1"
names_plugin tp_too_new.so tp_too_new "too new ABI minor"
refused tp_too_new.so "too new ABI minor" '1\.99' "$ABI_RE"
refused tp_no_entry.so "no entry symbol" 'parapet_plugin_entry_v1|entry'
refused tp_dup.so "duplicate name" 'tp_all' 'duplicate|already|twice'

# The refused plugins appear in the text listing too.
run_parapet "$TMP/list-text" --plugin-dir "$DIR" --db "$TMP/list.db" plugin list
for p in tp_wrong_abi tp_too_new tp_no_entry; do
    check "text listing names $p" grep -q "$p" "$TMP/list-text.out" "$TMP/list-text.err"
done
check "text listing shows the refused duplicate (version 9.9.9-dup)" \
    sh -c "grep 9.9.9-dup '$TMP/list-text.out' | grep -q -i refused"
check "text listing says refused" grep -q -i refused "$TMP/list-text.out"

# ---- scanning a refused plugin --------------------------------------------
run_parapet "$TMP/scan-wrong" --plugin-dir "$DIR" --db "$TMP/wrong.db" scan tp_wrong_abi
expect_rc "$TMP/scan-wrong" 2 "scan of a refused plugin"
if error_line "$TMP/scan-wrong" 'tp_wrong_abi' >/dev/null; then
    pass "scan of a refused plugin names it in an error line"
else
    fail "scan of a refused plugin names it in an error line"
    show "$TMP/scan-wrong"
fi

# ---- the v1.0 plugin works in the current host --------------------------------
OLD=$(plugin_dir old tp_old_minor) || exit 1
for iso in process none; do
    out="$TMP/old-$iso"
    run_parapet "$out" --plugin-dir "$OLD" --db "$out.db" scan tp_old_minor \
        --isolation "$iso" --output "jsonl:$out.jsonl" -o jsonl.resources=true
    expect_rc "$out" 0 "scan tp_old_minor ($iso)"
    if [ ! -f "$out.jsonl" ]; then
        fail "scan tp_old_minor ($iso) wrote $out.jsonl"
        continue
    fi
    st=$(sqlite3 -batch -noheader -readonly "$out.db" "SELECT count(*), sum(uid='tp_old_minor:file:main.tf'
        AND source='main.tf' AND source_line=7 AND ifnull(source_column,0)=0) FROM resources;" 2>&1)
    check "tp_old_minor ($iso): 7 resources in the store, main.tf at line 7, column 0 (got $st)" test "$st" = "7|1"
    got=$(resource_uids "$out.jsonl" 'tp_old_minor:%')
    want=$( (expected_uids tp_old_minor "a b" 3; echo tp_old_minor:file:main.tf) | LC_ALL=C sort)
    same_lines "tp_old_minor ($iso): all 7 resources delivered" "$got" "$want"
    src=$(jsonl_sql "$out.jsonl" "SELECT json_extract(value,'\$.source.kind'), json_extract(value,'\$.source.file'),
        json_extract(value,'\$.source.line'), ifnull(json_extract(value,'\$.source.column'),'absent')
        FROM $RES WHERE json_extract(value,'\$.uid')='tp_old_minor:file:main.tf';")
    # A 1.0 record has no source_column: the host must not invent one.
    check "tp_old_minor ($iso): source file/line kept, no column read past the 1.0 struct (got $src)" \
        test "$src" = "file|main.tf|7|absent"
done

finish
