#!/bin/sh
# Golden transcripts: for every tests/golden/NAME.args, run
#   iwm $(cat NAME.args) < NAME.in
# from the source directory and compare stdout with NAME.out byte for byte
# (and the exit status with NAME.status, 0 when absent). The inputs are
# piped, so this also proves that piped play is deterministic.
# Usage: run_golden.sh IWM SOURCE_DIR [--bless]   (--bless rewrites .out)
iwm=$1
src=$2
bless=$3
cd "$src" || exit 2
pass=0
fail=0
tmp=$(mktemp)
# Saves and history go to a fresh directory, never the user's.
XDG_STATE_HOME=$(mktemp -d)
export XDG_STATE_HOME
trap 'rm -rf "$tmp" "$XDG_STATE_HOME"' EXIT
for args in tests/golden/*.args; do
    name=${args%.args}
    input=/dev/null
    [ -f "$name.in" ] && input=$name.in
    # shellcheck disable=SC2046
    NO_COLOR= TERM=dumb "$iwm" $(cat "$args") <"$input" >"$tmp" 2>&1
    status=$?
    want_status=0
    [ -f "$name.status" ] && want_status=$(cat "$name.status")
    if [ "$bless" = "--bless" ]; then
        cp "$tmp" "$name.out"
    fi
    if cmp -s "$tmp" "$name.out" && [ "$status" = "$want_status" ]; then
        pass=$((pass + 1))
        echo "ok $(basename "$name")"
    else
        fail=$((fail + 1))
        echo "FAIL $(basename "$name") (exit $status, expected $want_status)"
        diff -u "$name.out" "$tmp" | head -40
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
