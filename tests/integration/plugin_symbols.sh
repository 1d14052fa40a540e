#!/bin/sh
# Every first-party plugin exports exactly one dynamic symbol: the ABI entry
# point parapet_plugin_entry_v1 (plugin.h). Anything else leaks internals into
# the host's symbol space and breaks when two plugins define the same name.
set -u
: "${top_builddir:=.}"

command -v nm >/dev/null 2>&1 || { echo "SKIP: nm (binutils) not installed"; exit 77; }

found=0
failed=0
for so in "$top_builddir"/plugins/*/.libs/*.so; do
    [ -f "$so" ] || continue
    found=$((found + 1))
    syms=$(nm -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' | sort -u)
    if [ "$syms" != "parapet_plugin_entry_v1" ]; then
        echo "FAIL: $so exports:"
        printf '  %s\n' $syms
        failed=$((failed + 1))
    else
        echo "ok: $so"
    fi
done

if [ "$found" -eq 0 ]; then
    echo "FAIL: no plugin found under $top_builddir/plugins/*/.libs/ (build first)"
    exit 1
fi
echo "$found plugin(s) checked, $failed with extra symbols"
[ "$failed" -eq 0 ]
