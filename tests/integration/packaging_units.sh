#!/bin/sh
# packaging_units.sh - the systemd units the packages install are valid and
# keep their sandbox.
#
# 1. `systemd-analyze verify` accepts the four units (the services as built
#    from their .in templates, with ExecStart pointing at the built CLI, and
#    their Documentation= man pages resolved against packaging/man/).
#    A copy with a misspelt directive must be rejected, so the check can fail.
# 2. The scan and feed services keep every hardening directive the packaging
#    promises (docs/packaging.md), and `systemd-analyze security` rates them
#    at most 2.0 ("OK").
# 3. The timers are daily, randomised and persistent.
# systemd-analyze is required: when it is missing this test fails.

set -u
TEST_NAME=packaging_units
: "${top_srcdir:?}" "${top_builddir:?}" "${PARAPET:?}"
FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "FAIL: $TEST_NAME needs systemd-analyze (apt-get install systemd)" >&2
    exit 1
fi
if ! command -v man >/dev/null 2>&1; then
    echo "FAIL: $TEST_NAME needs man to resolve Documentation= (apt-get install man-db)" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-$TEST_NAME.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

units="parapet-scan.service parapet-scan.timer parapet-feed-update.service parapet-feed-update.timer"
services="parapet-scan.service parapet-feed-update.service"
mkdir "$TMP/units"
for u in $units; do
    f="$top_builddir/packaging/systemd/$u"
    [ -f "$f" ] || f="$top_srcdir/packaging/systemd/$u"
    if [ ! -f "$f" ]; then
        fail "unit $u is built (make all)"
        continue
    fi
    # The installed path of the CLI does not exist here: use the built one.
    sed "s#^\(Exec[A-Za-z]*=[-@:+!]*\)[^ ]*/parapet\( \|\$\)#\1$PARAPET\2#" "$f" >"$TMP/units/$u"
done
for s in $services; do
    if grep -q "^ExecStart=$PARAPET " "$TMP/units/$s"; then
        pass "$s runs the CLI"
    else
        fail "$s has ExecStart=<bindir>/parapet ..."
    fi
done

# Documentation=man:... is checked against our own pages.
mkdir -p "$TMP/man/man1" "$TMP/man/man5" "$TMP/man/man7"
cp "$top_srcdir"/packaging/man/*.1 "$TMP/man/man1/"
cp "$top_srcdir"/packaging/man/*.5 "$TMP/man/man5/"
cp "$top_srcdir"/packaging/man/*.7 "$TMP/man/man7/"

verify() {
    (cd "$TMP/units" && MANPATH="$TMP/man" systemd-analyze verify --man=yes "$@") >"$TMP/verify.log" 2>&1
}

# shellcheck disable=SC2086
if verify $units; then
    pass "systemd-analyze verify accepts the units"
else
    fail "systemd-analyze verify accepts the units:"
    cat "$TMP/verify.log" >&2
fi

# The same check rejects a broken unit.
mkdir "$TMP/bad"
sed 's/^ProtectSystem=strict/ProtectSystm=strict/' "$TMP/units/parapet-scan.service" >"$TMP/bad/parapet-scan.service"
if (cd "$TMP/bad" && systemd-analyze verify --man=no parapet-scan.service) >"$TMP/bad.log" 2>&1 ||
        grep -q "ProtectSystm" "$TMP/bad.log"; then
    pass "systemd-analyze verify reports a misspelt directive"
else
    fail "systemd-analyze verify reports a misspelt directive"
fi

# Hardening the packaging promises, line for line.
required="User=parapet
Group=parapet
Environment=PARAPET_DB=/var/lib/parapet/parapet.db
ProtectSystem=strict
ReadWritePaths=/var/lib/parapet
NoNewPrivileges=yes
PrivateTmp=yes
ProtectHome=yes
PrivateDevices=yes
CapabilityBoundingSet=
AmbientCapabilities=
SystemCallFilter=@system-service
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictNamespaces=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native"
for s in $services; do
    missing=$(printf '%s\n' "$required" | while IFS= read -r line; do
        grep -qxF "$line" "$TMP/units/$s" || printf ' [%s]' "$line"
    done)
    if [ -z "$missing" ]; then
        pass "$s has the promised hardening"
    else
        fail "$s lacks:$missing"
    fi
    if grep -q '^Type=oneshot$' "$TMP/units/$s"; then
        pass "$s is a oneshot job"
    else
        fail "$s is Type=oneshot"
    fi
done

# The exposure score: at most 2.0 of 10 for both services.
for s in $services; do
    (cd "$TMP/units" && systemd-analyze security --offline=yes "$s") >"$TMP/sec.log" 2>&1
    score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$TMP/sec.log")
    if [ -z "$score" ]; then
        fail "systemd-analyze security rates $s:"
        tail -n 5 "$TMP/sec.log" >&2
    elif awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
        pass "$s exposure $score (<= 2.0)"
    else
        fail "$s exposure $score is above 2.0"
        grep '✗' "$TMP/sec.log" >&2
    fi
done

# Timers: daily, randomised, catching up after downtime, installable.
for t in parapet-scan.timer parapet-feed-update.timer; do
    f="$TMP/units/$t"
    if grep -q '^OnCalendar=' "$f" && grep -q '^RandomizedDelaySec=[1-9]' "$f" &&
            grep -qx 'Persistent=true' "$f" && grep -qx 'WantedBy=timers.target' "$f"; then
        pass "$t: calendar, randomised delay, persistent, WantedBy=timers.target"
    else
        fail "$t has OnCalendar=, RandomizedDelaySec=, Persistent=true and WantedBy=timers.target"
    fi
done
if grep -qx 'OnCalendar=daily' "$TMP/units/parapet-scan.timer"; then
    pass "the scan runs daily"
else
    fail "parapet-scan.timer has OnCalendar=daily"
fi
next=$(systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' "$TMP/units/parapet-feed-update.timer")" 2>&1)
if printf '%s\n' "$next" | grep -q 'Next elapse'; then
    pass "the feed update calendar expression parses"
else
    fail "the feed update calendar expression parses: $next"
fi

if [ "$FAILURES" -ne 0 ]; then
    echo "$TEST_NAME: $FAILURES check(s) failed" >&2
    exit 1
fi
echo "$TEST_NAME: all checks passed"
