#!/bin/sh
# contrib/check-style.sh - the project's style and layering rules, checked
# in CI (curl-style: a checker beats a style guide nobody reads).
#   - C sources: no tabs, no trailing blanks, lines of at most 120 columns,
#     a leading comment saying what the file is
#   - banned functions: gets, sprintf, vsprintf, strcpy, strcat, strtok (use
#     snprintf, strtok_r)
#   - layering: plugins include only <parapet/...> (never core headers);
#     the core never includes a plugin's header
set -u
cd "$(dirname "$0")/.."
status=0
err() {
    echo "style: $*" >&2
    status=1
}

files=$(git ls-files '*.c' '*.h' 2>/dev/null || find core plugins sdk tests contrib -name '*.[ch]')
for f in $files; do
    [ -f "$f" ] || continue
    case "$f" in tests/plugins/abi-v1.0/*) continue ;; esac
    if grep -n "$(printf '\t')" "$f" >/dev/null; then err "$f: contains tabs"; fi
    if grep -n '[[:space:]]$' "$f" >/dev/null; then err "$f: trailing whitespace (line $(grep -n '[[:space:]]$' "$f" | head -1 | cut -d: -f1))"; fi
    long=$(awk 'length > 120 { print FNR; exit }' "$f")
    [ -n "$long" ] && err "$f:$long: line longer than 120 columns"
    first=$(head -c 2 "$f")
    [ "$first" = "/*" ] || [ "$first" = "//" ] || err "$f: must start with a comment saying what it is"
    if grep -nE '(^|[^_a-z])(gets|sprintf|vsprintf|strcpy|strcat|strtok)\(' "$f" >/dev/null; then
        err "$f: uses a banned function: $(grep -nE '(^|[^_a-z])(gets|sprintf|vsprintf|strcpy|strcat|strtok)\(' "$f" | head -1)"
    fi
    case "$f" in
    plugins/*|contrib/plugin-template/*)
        if grep -nE '#include +"(\.\./)*core/|#include +"(util|log|record|host|loader|scan|store)\.h"' "$f" >/dev/null; then
            err "$f: a plugin must include only <parapet/...> SDK headers"
        fi ;;
    core/*)
        if grep -nE '#include +["<](\.\./)*plugins/' "$f" >/dev/null; then
            err "$f: the core must not include plugin headers"
        fi ;;
    esac
done
[ $status -eq 0 ] && echo "style: ok ($(echo "$files" | wc -w) files)"
exit $status
