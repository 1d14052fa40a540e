#!/bin/sh
# contrib/quickstart.sh - the README's first command: install what is
# missing, build (in ./_build/quickstart) and install parapet into ./_install, and scan the bundled
# demo estate with the embedded SQLite store. Findings go to
# ./demo-findings.jsonl; the summary is printed at the end.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh contrib/install-deps.sh

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
# configure's exit trap tries `rm -f core` and complains that our core/ is a
# directory: drop that one harmless line, keep every other message.
quiet_configure() {
    _err=$(mktemp)
    if "$@" 2>"$_err"; then _rc=0; else _rc=$?; fi
    grep -v "cannot remove 'core': Is a directory" "$_err" >&2 || true
    rm -f "$_err"
    return $_rc
}
# Build out of the source tree (in _build/quickstart), so the second README
# command (contrib/run-tests.sh, whose builds are out of tree too) finds the
# source tree unconfigured. A tree configured in place by an older version of
# this script is cleaned first.
if [ -f config.status ]; then
    make -s distclean >/dev/null 2>&1 || rm -f config.status Makefile
fi
mkdir -p _build/quickstart
cd _build/quickstart
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
    quiet_configure "$top/configure" -q --prefix="$top/_install"
fi
make -s -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
make -s install >/dev/null
cd "$top"

rm -f "$top/_install/demo.db" "$top/_install/demo.db-wal" "$top/_install/demo.db-shm"
echo "== parapet: scanning the demo estate (contrib/demo/estate.jsonl) =="
"$top/_install/bin/parapet" --db "$top/_install/demo.db" \
    scan snapshot contrib/demo/estate.jsonl --output jsonl:demo-findings.jsonl
echo
echo "Findings: $top/demo-findings.jsonl   Store: $top/_install/demo.db"
echo "Try: $top/_install/bin/parapet plugin list"
