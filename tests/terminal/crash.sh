#!/bin/sh
# Crash safety of the autosave: start a game that keeps choosing, kill -9 it
# at a random moment, then resume it with --continue and check that
#   - the resume exits 0 and never calls the save damaged or refuses it,
#   - the autosave, when there is one, ends with a checksum line,
#   - at most the choice in flight was lost: with S steps in the autosave
#     and P choices printed by the killed run, P-1 <= S <= P (stdout is
#     line-buffered through stdbuf so P is exact; without stdbuf only
#     S >= P-1 is checked),
#   - the resumed game is at the right place: its journal lists exactly
#     the first S choices the killed run printed.
# Usage: crash.sh IWM SOURCE_DIR [TRIALS]   (TRIALS defaults to 200)
# Prints "ok NAME" / "FAIL NAME" lines and "N passed, M failed"; exit 1 on
# any failure. Trials alternate the default story (3 in 4) and the
# lighthouse pack, with several input streams; the kill comes 0-30 ms after
# the start (even trials) or after the first autosave (odd trials).

iwm=$1
src=$2
trials=${3:-200}
if [ -z "$iwm" ] || [ -z "$src" ]; then
    echo "usage: crash.sh IWM SOURCE_DIR [TRIALS]" >&2
    exit 2
fi
case $trials in '' | *[!0-9]*) echo "crash.sh: TRIALS must be a number" >&2; exit 2 ;; esac
case $iwm in /*) ;; *) iwm=$(pwd)/$iwm ;; esac
cd "$src" || exit 2

tmp=$(mktemp -d) || exit 2
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
unset NO_COLOR

# Input streams: all 1s, all 2s, and two random streams of 1-3.
awk 'BEGIN { for (i = 0; i < 20000; i++) print 1 }' >"$tmp/in0"
awk 'BEGIN { for (i = 0; i < 20000; i++) print 2 }' >"$tmp/in1"
od -An -tu1 -N40000 /dev/urandom | awk '{ for (i = 1; i <= NF; i++) print $i % 3 + 1 }' >"$tmp/in2"
od -An -tu1 -N40000 /dev/urandom | awk '{ for (i = 1; i <= NF; i++) print $i % 3 + 1 }' >"$tmp/in3"

# Line-buffered stdout makes the count of printed choices exact. stdbuf
# preloads a library: tell AddressSanitizer (CI's second build) to allow it.
exact=0
run_lb=
if command -v stdbuf >/dev/null 2>&1 && stdbuf -oL true 2>/dev/null; then
    exact=1
    run_lb="stdbuf -oL"
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
    export ASAN_OPTIONS
fi

# Random 0-30 ms delays, one per trial.
od -An -tu2 -N$((2 * trials + 2)) /dev/urandom | awk '{ for (i = 1; i <= NF; i++) printf "0.%03d\n", $i % 31 }' >"$tmp/delays"

# What play.c says when a save cannot be used (story text may say "damaged").
refusal="^(Cannot load '|There is a backup|Loading the backup|The backup cannot|There is no saved game called|\\(This save was made with another version)"

exec 3<"$tmp/delays"
pass=0
fail=0
with_save=0
killed=0
in_flight=0
leftover_tmp=0
start=$(date +%s)

t=1
while [ "$t" -le "$trials" ]; do
    name=trial-$t
    why=
    XDG_STATE_HOME=$tmp/$name
    export XDG_STATE_HOME
    if [ $((t % 4)) -eq 0 ]; then
        pack=story/examples/lighthouse
        id=lighthouse
    else
        pack=
        id=working-models
    fi
    input=$tmp/in$(((t + t / 4) % 4))
    read -r delay <&3
    save=$XDG_STATE_HOME/iwm/$id/autosave.save

    # Emptied first: a kill that comes before the child opens the file
    # must not leave the previous trial's output to be read as this one's.
    : >"$tmp/killed.out"
    # Under AddressSanitizer the run that is killed checks no leaks: a kill
    # that lands during the exit-time leak check makes LeakSanitizer print
    # "Unable to get registers from thread" (its tracer lost the process),
    # which is the sanitizer's noise, not the game's. The resumed run and
    # every other test still check leaks.
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        $run_lb "$iwm" play $pack --seed "$t" --width 1000 <"$input" >"$tmp/killed.out" 2>"$tmp/killed.err" &
    pid=$!
    # Even trials: the delay counts from the start. Odd trials: from the
    # first autosave, so that slow builds (sanitizers) and a loaded machine
    # still die in the middle of the game, not while loading the story.
    if [ $((t % 2)) -eq 1 ]; then
        w=0
        while [ ! -f "$save" ] && kill -0 "$pid" 2>/dev/null && [ "$w" -lt 2000 ]; do
            sleep 0.005
            w=$((w + 1))
        done
    fi
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null
    pid=

    # Resume. The commands go through --choices (piped play stops reading
    # at the end of the story, which the killed game may have reached); a
    # hint line for "xyzzy" marks where the journal starts and ends.
    # shellcheck disable=SC2086
    "$iwm" play $pack --continue --seed "$t" --width 1000 --choices xyzzy,journal,xyzzy,quit \
        </dev/null >"$tmp/resume.out" 2>"$tmp/resume.err"
    st=$?
    set -- "$XDG_STATE_HOME/iwm/$id/"*.tmp.*
    [ -e "$1" ] && leftover_tmp=$((leftover_tmp + 1))

    # One pass over the killed run's output, the resumed run's output and
    # the autosave: prints "P S HAVE_SAVE IN_FLIGHT", then the reason for a
    # failure, if any.
    out=$(awk -v save="$save" -v exact="$exact" -v st="$st" -v refusal="$refusal" \
        -v errfile="$tmp/resume.err" -v kerrfile="$tmp/killed.err" '
        FILENAME == ARGV[1] { if (/^> /) printed[++p] = substr($0, 3); next }
        $0 ~ refusal && !refused { refused = $0 }
        $0 == "(Continuing where you left off.)" { resumed = 1 }
        $0 == "(There is no saved game to continue: starting a new one.)" { fresh = 1 }
        /^Type (a number from|.undo., .restart. or .quit.)/ { hints++; next }
        hints == 1 && /^ *[0-9]+\. / { line = $0; sub(/^ */, "", line); journal[++j] = line }
        END {
            p += 0; s = 0; have = 0; last = ""
            while ((getline l < save) > 0) { have = 1; if (l ~ /^step /) s++; last = l }
            flight = (exact && have && s == p - 1) ? 1 : 0
            print p, s, have, flight
            if (have && last !~ /^checksum [0-9a-f]+$/) { print "the autosave does not end with a checksum line"; exit }
            if (s < p - 1) { print "the autosave has " s " steps but the run had printed " p " choices"; exit }
            if (exact && s > p) { print "the autosave has " s " steps, more than the " p " choices printed"; exit }
            if ((getline l < kerrfile) > 0) { print "the killed run wrote to stderr: " l; exit }
            if (st != 0) { print "--continue exited " st; exit }
            if ((getline l < errfile) > 0) { print "--continue wrote to stderr: " l; exit }
            if (refused != "") { print "--continue refused the save: " refused; exit }
            if (have && !resumed) { print "--continue did not resume the autosave"; exit }
            if (!have && !fresh) { print "no autosave, and --continue did not say so"; exit }
            if (j != s) { print "the resumed journal has " j " steps, the autosave " s; exit }
            # Line i of the journal is "i. Scene title: choice i".
            for (i = 1; i <= s; i++) {
                want = printed[i]; got = journal[i]; n = length(got); m = length(want)
                if (index(got, i ". ") != 1 || substr(got, n - m + 1) != want || substr(got, n - m - 1, 2) != ": ") {
                    print "the resumed journal differs from the choices made at step " i ": \"" got "\", chose \"" want "\""
                    exit
                }
            }
        }' "$tmp/killed.out" "$tmp/resume.out")
    set -f # the first line of $out is four numbers; no globbing of the rest
    # shellcheck disable=SC2086
    set -- $out
    set +f
    p=$1 s=$2
    [ "$3" = 1 ] && with_save=$((with_save + 1))
    [ "$4" = 1 ] && in_flight=$((in_flight + 1))
    why=$(printf '%s\n' "$out" | sed -n '2p')

    if [ -z "$why" ]; then
        pass=$((pass + 1))
        echo "ok $name (${delay}s, printed $p, saved $s)"
    else
        fail=$((fail + 1))
        echo "FAIL $name: $why"
        echo "# reproduce: XDG_STATE_HOME=\$(mktemp -d) $iwm play${pack:+ $pack} --seed $t --width 1000" \
            "--choices $(head -n $((p + 5)) "$input" | tr '\n' , | sed 's/,$//') </dev/null & sleep $delay; kill -9 \$!;" \
            "$([ $((t % 2)) -eq 1 ] && echo '(the delay counted from the first autosave)')" \
            "then the same with --continue --choices journal"
        [ -f "$save" ] && tail -n 5 "$save" | awk '{ print "#   " $0 }'
    fi
    rm -rf "$XDG_STATE_HOME"
    t=$((t + 1))
done

end=$(date +%s)
echo "# $trials trials in $((end - start)) s: $killed killed while running, $with_save left an autosave," \
    "$in_flight lost the choice in flight, $leftover_tmp left a temporary file" \
    "$([ "$exact" -eq 1 ] || echo '(no stdbuf: printed counts are a lower bound)')"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
