#!/bin/sh
# sdk_template.sh - the SDK works for an out-of-tree plugin author.
#
# 1. `make install DESTDIR=$TMP/root` installs the project (headers,
#    parapet-sdk.pc, the CLI) into a staging root.
# 2. contrib/plugin-template is copied out of the tree and built with its
#    own Makefile, finding the SDK only through pkg-config (a copy of the
#    installed parapet-sdk.pc whose prefix points into the staging root:
#    the configured prefix is baked into the .pc).
# 3. The template's `make check` confirms only the entry point is exported.
# 4. The installed CLI lists the plugin as ok and a scan delivers its
#    resources (jsonl output).

. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need pkg-config "apt-get install pkg-config"
need nm "apt-get install binutils"

ROOT="$TMP/root"
# Run a fresh make, not a child of the `make check` that runs us.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$top_builddir" install \
        DESTDIR="$ROOT" >"$TMP/install.log" 2>&1; then
    fail "make install DESTDIR=... succeeds"
    tail -n 30 "$TMP/install.log" >&2
    finish
fi
pass "make install DESTDIR=... succeeds"

PC=$(find "$ROOT" -name parapet-sdk.pc | head -n 1)
if [ -z "$PC" ]; then
    fail "parapet-sdk.pc is installed"
    finish
fi
pass "parapet-sdk.pc is installed ($PC)"
for h in version.h records.h host.h plugin.h; do
    n=$(find "$ROOT" -path "*/include/parapet/$h" | wc -l)
    check "parapet/$h is installed" test "$n" -eq 1
done

# Relocate the .pc into the staging root.
prefix=$(sed -n 's/^prefix=//p' "$PC")
check "parapet-sdk.pc has a prefix= line" test -n "$prefix"
mkdir -p "$TMP/pc"
sed "s|^prefix=.*|prefix=$ROOT$prefix|" "$PC" >"$TMP/pc/parapet-sdk.pc"
PKG_CONFIG_PATH="$TMP/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
cflags=$(pkg-config --cflags parapet-sdk)
case "$cflags" in
    *"-I$ROOT"*) pass "pkg-config --cflags parapet-sdk points into the install ($cflags)" ;;
    *) fail "pkg-config --cflags parapet-sdk points into the install ($cflags)" ;;
esac
check "parapet-sdk.pc declares the ABI the headers declare" \
    test "$(pkg-config --variable=abi_major parapet-sdk).$(pkg-config --variable=abi_minor parapet-sdk)" = \
    "$(sed -n 's/^#define PP_ABI_MAJOR \([0-9]*\).*/\1/p' "$top_srcdir/sdk/include/parapet/version.h").$(sed -n 's/^#define PP_ABI_MINOR \([0-9]*\).*/\1/p' "$top_srcdir/sdk/include/parapet/version.h")"

# Build the template out of tree: no -I into the source tree is possible.
cp -R "$top_srcdir/contrib/plugin-template" "$TMP/template"
chmod -R u+w "$TMP/template"
rm -f "$TMP/template/example.so"
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$TMP/template" check \
        CFLAGS="-O2 -g -Werror" >"$TMP/template.log" 2>&1; then
    pass "the template builds against the installed SDK and exports only its entry"
else
    fail "the template builds against the installed SDK and exports only its entry"
    tail -n 30 "$TMP/template.log" >&2
    finish
fi
if grep -q -- "-I$top_srcdir" "$TMP/template.log"; then
    fail "the template build did not use the source tree's headers"
fi

# The installed CLI loads it.
CLI=$(find "$ROOT" -path '*/bin/parapet' -type f | head -n 1)
check "the CLI is installed in bin/" test -n "$CLI"
[ -n "$CLI" ] || CLI=$PARAPET
PARAPET=$CLI
# The installed first-party plugins (the jsonl output) and the template's.
SYSDIR=$(find "$ROOT" -type d -path '*/parapet/plugins' | head -n 1)
check "the first-party plugin directory is installed" test -n "$SYSDIR"
# make install installs first-party plugins as verified bundles: NAME/lib/NAME.so
check "the jsonl output is installed there as a bundle" test -f "$SYSDIR/jsonl/lib/jsonl.so"
check "with its install record" test -f "$SYSDIR/jsonl/.installed.json"
mkdir -p "$TMP/plugins"
cp "$TMP/template/example.so" "$TMP/plugins/"

out="$TMP/list"
run_parapet "$out" --plugin-dir "$TMP/plugins" --plugin-dir "$SYSDIR" --db "$TMP/t.db" plugin list --format json
st=$(json_sql "$out.out" "SELECT json_extract(value,'\$.status') FROM rec WHERE json_extract(value,'\$.name')='example';" 2>&1)
check "plugin list shows the template plugin 'example' as ok (got '$st')" test "$st" = ok

out="$TMP/scan"
run_parapet "$out" --plugin-dir "$TMP/plugins" --plugin-dir "$SYSDIR" --db "$TMP/t.db" scan example alpha beta \
    -o example.count=2 -o example.greeting=hi --output "jsonl:$out.jsonl" -o jsonl.resources=true
expect_rc "$out" 0 "scan example alpha beta"
same_lines "the template's resources are in the store" \
    "$(sqlite3 -batch -noheader -readonly "$TMP/t.db" "SELECT uid FROM resources WHERE uid LIKE 'example:%' ORDER BY 1;" 2>&1)" \
    "$(expected_uids example "alpha beta" 2)"
if [ -f "$out.jsonl" ]; then
    same_lines "the template's resources come out" "$(resource_uids "$out.jsonl" 'example:%')" \
        "$(expected_uids example "alpha beta" 2)"
    g=$(jsonl_sql "$out.jsonl" "SELECT DISTINCT json_extract(value,'\$.data.greeting') FROM $RES WHERE json_extract(value,'\$.type')='example.widget';")
    check "the template read its config key greeting (got '$g')" test "$g" = hi
else
    fail "scan example wrote $out.jsonl"
    show "$out"
fi

finish
