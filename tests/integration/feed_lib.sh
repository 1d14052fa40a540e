# feed_lib.sh - helpers shared by tests/integration/feed_*.sh. Sourced after
# plugins_lib.sh. POSIX sh.

FEEDS_SO="$top_builddir/plugins/feeds/.libs/feeds.so"
FIX="$top_srcdir/tests/fixtures/feeds"
PY3=/usr/bin/python3
[ -x "$PY3" ] || PY3=python3
need "$PY3" "apt-get install python3"

# feed_plugin_dir NAME : a plugin directory with the feeds plugin (and the
# jsonl output); prints its path.
feed_plugin_dir() {
    if [ ! -f "$FEEDS_SO" ]; then
        echo "FAIL: the feeds plugin is not built: $FEEDS_SO" >&2
        exit 1
    fi
    _d=$(plugin_dir "$1")
    ln -sf "$FEEDS_SO" "$_d/feeds.so"
    echo "$_d"
}

# make_zip OUT.zip FILE... : an OSV-export-like zip, one entry per file
# (named by its base name).
make_zip() {
    "$PY3" - "$@" <<'PY'
import os, sys, zipfile
out = sys.argv[1]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in sys.argv[2:]:
        z.write(f, os.path.basename(f))
PY
}

# q DB SQL : one sqlite3 query, no header.
q() {
    sqlite3 -batch -noheader "$1" "$2"
}
