#!/bin/sh
# run_bad_packs.sh IWM_BINARY SOURCE_DIR
#
# Checks every broken pack tests/packs/bad/NAME.yaml: from SOURCE_DIR it runs
#   IWM_BINARY check --strict tests/packs/bad/NAME.yaml
# and asserts that
#   - the exit status is non-zero (and not a crash: no signal, no timeout);
#   - the diagnostics' first lines (lines matching
#     '^tests/packs/bad/.*: (error|warning): ', or starting with 'iwm: ' for
#     diagnostics without a location) equal NAME.expect exactly, in order;
#   - no output line holds an ESC byte (a pack must never drive the terminal
#     through a diagnostic).
# Prints "ok NAME" or "FAIL NAME" (with the reason and a diff), then
# "N passed, M failed"; exits 1 if any failed. POSIX sh, no other tools
# than the POSIX utilities.

if [ "$#" -ne 2 ]; then
    echo "usage: $0 IWM_BINARY SOURCE_DIR" >&2
    exit 2
fi

iwm=$1
src=$2
case $iwm in
/*) ;;
*/*) iwm=$(pwd)/$iwm ;;
esac
if [ ! -x "$iwm" ]; then
    echo "$0: '$iwm' is not an executable" >&2
    exit 2
fi
cd "$src" || exit 2
if [ ! -d tests/packs/bad ]; then
    echo "$0: no tests/packs/bad in '$src'" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/iwm-bad-packs.XXXXXX" 2>/dev/null) ||
    tmp=${TMPDIR:-/tmp}/iwm-bad-packs.$$
mkdir -p "$tmp" || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

esc=$(printf '\033')
limit=10 # seconds before a check is considered hung
passed=0
failed=0

for pack in tests/packs/bad/*.yaml; do
    [ -e "$pack" ] || continue
    name=${pack##*/}
    name=${name%.yaml}
    expect=tests/packs/bad/$name.expect
    out=$tmp/out
    got=$tmp/got

    # Run with a watchdog, so that a loader that hangs fails the test
    # instead of the whole run.
    "$iwm" check --strict "$pack" >"$out" 2>&1 &
    pid=$!
    (
        trap - EXIT INT TERM
        i=0
        while [ "$i" -lt "$limit" ] && kill -0 "$pid" 2>/dev/null; do
            sleep 1
            i=$((i + 1))
        done
        kill -9 "$pid" 2>/dev/null
    ) &
    watchdog=$!
    wait "$pid"
    status=$?
    # SIGKILL: a watchdog killed in the instant after its fork could
    # otherwise run this shell's traps (bash) and remove $tmp.
    kill -9 "$watchdog" 2>/dev/null
    wait "$watchdog" 2>/dev/null

    grep -E '^(tests/packs/bad/.*: (error|warning): |iwm: )' "$out" >"$got"

    why=
    if [ ! -f "$expect" ]; then
        why="no $expect"
    elif [ "$status" -eq 0 ]; then
        why="exit status 0, expected a failure"
    elif [ "$status" -gt 125 ]; then
        why="exit status $status (crashed, killed or hung for ${limit}s)"
    elif grep -q "$esc" "$out"; then
        why="the output holds an ESC byte"
    elif ! diff -u "$expect" "$got" >"$tmp/diff" 2>&1; then
        why="diagnostics differ from $expect"
    fi

    if [ -z "$why" ]; then
        echo "ok $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: $why"
        if [ -f "$expect" ]; then
            diff -u "$expect" "$got" | sed 's/^/    /'
        else
            sed 's/^/    /' "$got"
        fi
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
