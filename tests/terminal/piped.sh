#!/bin/sh
# Piped play: with stdin and stdout not a terminal, iwm reads plain lines
# (no readline), so a transcript is reproducible byte for byte, holds no
# escape sequences and never echoes the prompt or the input.
# Usage: piped.sh IWM SOURCE_DIR
# Prints "ok NAME" / "FAIL NAME" and "N passed, M failed"; exit 1 on any
# failure. Needs no tmux.

iwm=$1
src=$2
if [ -z "$iwm" ] || [ -z "$src" ]; then
    echo "usage: piped.sh IWM SOURCE_DIR" >&2
    exit 2
fi
case $iwm in /*) ;; *) iwm=$(pwd)/$iwm ;; esac
cd "$src" || exit 2
pack=story/examples/lighthouse

tmp=$(mktemp -d) || exit 2
XDG_STATE_HOME=$tmp/state
export XDG_STATE_HOME
# Styling would be on for a terminal with this TERM: only the pipe turns it off.
unset NO_COLOR
TERM=xterm-256color
export TERM
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP PIPE

pass=0
fail=0
result() { # NAME STATUS [REASON]
    if [ "$2" -eq 0 ]; then
        pass=$((pass + 1))
        echo "ok $1"
    else
        fail=$((fail + 1))
        echo "FAIL $1${3:+: $3}"
    fi
}

inputs='2\n1\n1\n1\n1\n'
# shellcheck disable=SC2059
printf "$inputs" | "$iwm" play $pack --seed 3 >"$tmp/out1" 2>"$tmp/err1"
st1=$?
# The second run finds the first one's autosave: it must not matter.
# shellcheck disable=SC2059
printf "$inputs" | "$iwm" play $pack --seed 3 >"$tmp/out2" 2>"$tmp/err2"
st2=$?

r=0
why=
if ! cmp -s "$tmp/out1" "$tmp/out2"; then
    r=1
    why="the two runs differ"
    diff "$tmp/out1" "$tmp/out2" | head -20 | sed 's/^/# /'
elif ! grep -qF "THE END" "$tmp/out1"; then
    r=1
    why="the story did not reach its end"
fi
result deterministic $r "$why"

r=0
why=
if [ ! -s "$tmp/out1" ]; then
    r=1
    why="no output"
elif LC_ALL=C grep -q "$(printf '\033')" "$tmp/out1"; then
    r=1
    why="ESC in piped output: $(LC_ALL=C grep -n "$(printf '\033')" "$tmp/out1" | head -3 | cat -v)"
fi
result no_escape_bytes $r "$why"

r=0
why=
# The game's own "> chosen text" lines are fine; an echoed prompt with the
# input ("> 2") or a bare prompt is not.
if grep -nE '^(> ?[0-9]*|r/s/a> ?.*|y/n> ?.*)$' "$tmp/out1" >"$tmp/echo"; then
    r=1
    why="prompt echoed: $(head -3 "$tmp/echo" | tr '\n' ' ')"
fi
result no_prompt_echo $r "$why"

r=0
why=
printf '2\n1\n' | "$iwm" play $pack --seed 3 >"$tmp/p21" 2>&1
"$iwm" play $pack --seed 3 --choices 2,1 </dev/null >"$tmp/c21" 2>&1
if ! cmp -s "$tmp/p21" "$tmp/c21"; then
    r=1
    why="--choices 2,1 differs from piped 2,1"
    diff "$tmp/p21" "$tmp/c21" | head -20 | sed 's/^/# /'
fi
"$iwm" play $pack --seed 3 --choices 2,1,1,1,1 </dev/null >"$tmp/c5" 2>&1
if ! cmp -s "$tmp/out1" "$tmp/c5"; then
    r=1
    why="${why:+$why; }--choices 2,1,1,1,1 differs from the same inputs piped"
    diff "$tmp/out1" "$tmp/c5" | head -20 | sed 's/^/# /'
fi
result choices_equal_piped $r "$why"

# --choices first, then the rest from stdin.
r=0
why=
printf '1\n1\n1\n' | "$iwm" play $pack --seed 3 --choices 2,1 >"$tmp/mix" 2>&1
cmp -s "$tmp/out1" "$tmp/mix" || { r=1; why="--choices 2,1 with 1,1,1 piped differs from 2,1,1,1,1 piped"; }
result choices_then_stdin $r "$why"

r=0
why=
[ "$st1" -eq 0 ] && [ "$st2" -eq 0 ] || { r=1; why="exit $st1/$st2 at the end of the story"; }
[ -s "$tmp/err1" ] && { r=1; why="stderr: $(head -2 "$tmp/err1")"; }
# End of input in the middle of the story: exit 0, the autosave holds it.
rm -rf "$XDG_STATE_HOME"
printf '2\n' | "$iwm" play $pack --seed 3 >"$tmp/mid" 2>&1
st=$?
[ "$st" -eq 0 ] || { r=1; why="exit $st at the end of input"; }
save=$XDG_STATE_HOME/iwm/lighthouse/autosave.save
[ "$(grep -c '^step ' "$save" 2>/dev/null)" = 1 ] || { r=1; why="the autosave does not hold the 1 choice made"; }
"$iwm" play $pack --seed 3 </dev/null >"$tmp/none" 2>&1
st=$?
[ "$st" -eq 0 ] || { r=1; why="exit $st on empty input"; }
# No "Saved." chatter when not on a terminal: the transcript is the story.
grep -q '^Saved' "$tmp/mid" && { r=1; why="'Saved...' printed to a pipe"; }
result end_of_input_exits_0 $r "$why"

# A piped game with an unknown word and a disabled choice still goes on.
r=0
why=
printf '1\nbanana\n1\n2\n1\n' | "$iwm" play $pack --seed 3 >"$tmp/hint" 2>&1
grep -qxF "Type a number from 1 to 4 to choose, or 'help' for commands." "$tmp/hint" ||
    { r=1; why="no hint for an unknown word"; }
grep -qxF "You can't choose that now: You have only watched it done once. Look again first." "$tmp/hint" ||
    { r=1; why="no refusal of the disabled choice"; }
grep -qxF "> Light the lamp the way you were shown." "$tmp/hint" || { r=1; why="the game did not go on"; }
result piped_hint_and_refusal $r "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
