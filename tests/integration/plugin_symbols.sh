#!/bin/sh
# Every first-party plugin exports exactly one dynamic symbol: the ABI entry
# point parapet_plugin_entry_v1 (plugin.h). Anything else leaks internals into
# the host's symbol space and breaks when two plugins define the same name.
# No plugin links against libparapet or needs a symbol of the core: the SDK
# headers are the only door (ldd, nm --undefined-only).
set -u
: "${top_builddir:=.}"

command -v nm >/dev/null 2>&1 || { echo "FAIL: nm is needed (apt-get install binutils)"; exit 1; }
command -v ldd >/dev/null 2>&1 || { echo "FAIL: ldd is needed (libc-bin)"; exit 1; }
# symbols of the core a plugin must never reach for
core_syms='^(log_msg|log_vmsg|rec_copy|rec_free|sbuf_append|xmalloc|registry_find|scan_run|store_open|host_api_table)$'

found=0
failed=0
for so in "$top_builddir"/plugins/*/.libs/*.so "$top_builddir"/tests/plugins/.libs/tp_*.so; do
    [ -f "$so" ] || continue
    case "$so" in */tp_no_entry.so) continue ;; esac # exports no v1 entry on purpose
    found=$((found + 1))
    syms=$(nm -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' | sort -u)
    if [ "$syms" != "parapet_plugin_entry_v1" ]; then
        echo "FAIL: $so exports:"
        printf '  %s\n' $syms
        failed=$((failed + 1))
    elif ldd "$so" | grep -q 'libparapet'; then
        echo "FAIL: $so is linked against libparapet"
        failed=$((failed + 1))
    elif nm -D --undefined-only "$so" | awk '{ print $NF }' | grep -Eq "$core_syms"; then
        echo "FAIL: $so needs a symbol of the core: $(nm -D --undefined-only "$so" | awk '{ print $NF }' | grep -E "$core_syms" | head -n 3)"
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
