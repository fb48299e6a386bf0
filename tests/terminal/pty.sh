#!/bin/sh
# Terminal tests: drive the real iwm binary in a pseudo-terminal with tmux
# (readline, Ctrl-C, Ctrl-D, completion, history, styling, resizing).
# Usage: pty.sh IWM SOURCE_DIR
# Every game runs with a fresh XDG_STATE_HOME under a private temporary
# directory and INPUTRC=/dev/null; the tmux server uses a private socket
# (iwmtest-PID) and no configuration file. Waits poll the pane for the
# expected text (timeout TIMEOUT seconds, default 10), never fixed sleeps.
# Prints "ok NAME" / "FAIL NAME" and "N passed, M failed"; exit 1 on any
# failure; exit 0 with a skip line when tmux is not installed.

NCASES=21
iwm=$1
src=$2
if [ -z "$iwm" ] || [ -z "$src" ]; then
    echo "usage: pty.sh IWM SOURCE_DIR" >&2
    exit 2
fi
if ! command -v tmux >/dev/null 2>&1; then
    echo "tmux is not installed: skipping the terminal tests"
    echo "0 passed, 0 failed, $NCASES skipped"
    exit 0
fi
case $iwm in /*) ;; *) iwm=$(pwd)/$iwm ;; esac
case $src in /*) ;; *) src=$(pwd)/$src ;; esac
if [ ! -x "$iwm" ] || [ ! -d "$src/story/examples/lighthouse" ]; then
    echo "pty.sh: no binary at $iwm or no lighthouse pack under $src" >&2
    exit 2
fi

timeout=${TIMEOUT:-10}
sock=iwmtest-$$
tmp=$(mktemp -d) || exit 2
unset TMUX TMUX_PANE
cleanup() {
    # tmux leaves its socket file behind: remove it too.
    _sp=$(tmux -L "$sock" display-message -p '#{socket_path}' 2>/dev/null)
    tmux -L "$sock" kill-server >/dev/null 2>&1
    [ -n "$_sp" ] && rm -f "$_sp"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

pass=0
fail=0
ESC=$(printf '\033')

T() { tmux -L "$sock" -f /dev/null "$@"; }

# start SESSION STATE_DIR "ENV ASSIGNMENTS" IWM-PLAY-ARGS...
# Runs `iwm play story/examples/lighthouse ARGS` in a new 80x40 session;
# when it exits, writes EXIT=status to $tmp/SESSION.exit and keeps the pane
# (so the screen can still be read) until the server is killed.
start() {
    name=$1 state=$2 envs=$3
    shift 3
    mkdir -p "$state"
    {
        # The shell shares the game's process group, so it gets the game's
        # Ctrl-C too: a trap (reset to the default in the game) keeps it
        # alive to record the exit status.
        echo "trap : INT"
        echo "cd '$src' || exit 1"
        echo "XDG_STATE_HOME='$state' INPUTRC=/dev/null; export XDG_STATE_HOME INPUTRC"
        echo "unset NO_COLOR"
        [ -n "$envs" ] && echo "export $envs"
        printf "'%s' play story/examples/lighthouse" "$iwm"
        for a in "$@"; do printf " '%s'" "$a"; done
        echo
        echo "echo EXIT=\$? > '$tmp/$name.exit'"
        echo "exec sleep 600"
    } >"$tmp/$name.run"
    T new-session -d -s "$name" -x 80 -y 40 "sh '$tmp/$name.run'"
}

# Cuts trailing spaces from every line and blank lines from the end.
trim() { awk '{ sub(/[ \t]+$/, ""); if ($0 == "") n++; else { for (; n > 0; n--) print ""; print } }'; }

# The whole pane with its history, wrapped lines joined, trimmed.
screen() { T capture-pane -p -J -S - -t "$1" | trim; }

# wait_for SESSION FIXED-TEXT [COUNT]: until at least COUNT lines hold it.
wait_for() {
    _i=0
    while [ "$_i" -lt $((timeout * 20)) ]; do
        _c=$(screen "$1" | grep -cF -- "$2")
        [ "$_c" -ge "${3:-1}" ] && return 0
        sleep 0.05
        _i=$((_i + 1))
    done
    echo "# timed out waiting for '$2' (x${3:-1}) in $1"
    return 1
}

# wait_line SESSION EXACT-LINE [COUNT]: like wait_for, whole lines only.
wait_line() {
    _i=0
    while [ "$_i" -lt $((timeout * 20)) ]; do
        _c=$(screen "$1" | grep -cxF -- "$2")
        [ "$_c" -ge "${3:-1}" ] && return 0
        sleep 0.05
        _i=$((_i + 1))
    done
    echo "# timed out waiting for the line '$2' (x${3:-1}) in $1"
    return 1
}

# The last non-blank line of the pane.
last_line() { screen "$1" | grep -v '^$' | tail -n 1; }

# wait_prompt SESSION: until the last non-blank line is the empty prompt.
wait_prompt() {
    _i=0
    while [ "$_i" -lt $((timeout * 20)) ]; do
        [ "$(last_line "$1")" = ">" ] && return 0
        sleep 0.05
        _i=$((_i + 1))
    done
    echo "# timed out waiting for the prompt in $1"
    return 1
}

wait_file() {
    _i=0
    while [ "$_i" -lt $((timeout * 20)) ]; do
        [ -s "$1" ] && return 0
        sleep 0.05
        _i=$((_i + 1))
    done
    echo "# timed out waiting for $1"
    return 1
}

# send SESSION TEXT: types TEXT literally and presses Enter.
send() {
    T send-keys -t "$1" -l -- "$2"
    T send-keys -t "$1" Enter
}

dump() {
    echo "# --- the last lines of $1:"
    screen "$1" | grep -v '^$' | tail -n 12 | sed 's/^/#   /'
}

result() { # NAME SESSION STATUS [REASON]
    if [ "$3" -eq 0 ]; then
        pass=$((pass + 1))
        echo "ok $1"
    else
        fail=$((fail + 1))
        echo "FAIL $1${4:+: $4}"
        [ -n "$2" ] && dump "$2"
    fi
}

count() { screen "$1" | grep -cF -- "$2"; }

# ---- a: choices, choosing, a disabled choice, hints, Ctrl-C, Ctrl-D -------
A=$tmp/state-a
start a "$A" "" --seed 3

r=0
wait_line a "  1. Wait on the quay." && wait_line a "  2. Climb the tower to see further." &&
    wait_prompt a || r=1
result choices_appear a $r

r=0
send a 1
wait_line a "> Wait on the quay." && wait_for a "You count waves." &&
    wait_for a "One hundred and twelve steps. You have climbed them 1 time" &&
    wait_prompt a || r=1
result number_advances a $r

r=0
why=
screen a | grep -qF "  1. Light the lamp the way you were shown. (You have only watched it done once." ||
    { r=1; why="choice 1 is not shown as disabled with its reason"; }
send a 1
wait_line a "You can't choose that now: You have only watched it done once. Look again first." &&
    wait_prompt a || r=1
if [ "$(count a '> Light the lamp')" -ne 0 ]; then r=1; why="the disabled choice was taken"; fi
result disabled_choice_refused a $r "$why"

r=0
why=
send a banana
hint="Type a number from 1 to 4 to choose, or 'help' for commands."
if wait_line a "$hint" && wait_prompt a; then
    # One line: the input line, the hint, then (after a blank) the prompt.
    after=$(screen a | grep -v '^$' | grep -xF -A 2 '> banana' | tail -n 2 | tr '\n' '|')
    [ "$after" = "$hint|>|" ] || { r=1; why="expected the hint alone then the prompt, got '$after'"; }
    send a 2
    wait_line a "> Look out over the water again." && wait_prompt a || { r=1; why="the game did not continue"; }
else
    r=1
fi
result unknown_word_hint a $r "$why"

r=0
why=
T send-keys -t a -l abc
if wait_for a "> abc"; then
    T send-keys -t a C-c
    wait_prompt a || r=1
    send a 1
    if wait_line a "> Light the lamp the way you were shown." && wait_for a "The wick takes." &&
        wait_prompt a; then
        [ "$(count a 'Type a number from')" -eq 1 ] || { r=1; why="'abc1' was read as input"; }
    else
        r=1
        why="choice 1 was not taken after Ctrl-C"
    fi
    [ ! -s "$tmp/a.exit" ] || { r=1; why="the game ended on Ctrl-C"; }
else
    r=1
fi
result ctrl_c_clears_line a $r "$why"

# The screen just before quitting, for the --continue case.
screen a | sed '$d' | trim >"$tmp/before" # without the prompt line

r=0
why=
T send-keys -t a C-d
if wait_file "$tmp/a.exit"; then
    [ "$(cat "$tmp/a.exit")" = "EXIT=0" ] || { r=1; why="exit status $(cat "$tmp/a.exit")"; }
    wait_line a "Saved. Continue later with: iwm --continue" || r=1
    save=$A/iwm/lighthouse/autosave.save
    if [ ! -f "$save" ]; then
        r=1
        why="no autosave at $save"
    elif ! tail -n 1 "$save" | grep -q '^checksum [0-9a-f]'; then
        r=1
        why="the autosave does not end with a checksum line"
    elif [ "$(grep -c '^step ' "$save")" -ne 3 ]; then
        r=1
        why="the autosave has $(grep -c '^step ' "$save") steps, expected 3"
    fi
else
    r=1
    why="the game did not exit on Ctrl-D"
fi
result ctrl_d_saves_and_quits a $r "$why"

# ---- b: --continue, undo, save/saves/load, completion, history -----------
r=0
why=
start b "$A" "" --continue --seed 3
if wait_line b "(Continuing where you left off.)" && wait_prompt b; then
    # After the notice: a blank, the chapter title, a blank, then the scene.
    screen b | sed -n '/^(Continuing where you left off\.)$/,$p' | sed '1d' | sed '/./,$!d' |
        sed '1d' | sed '/./,$!d' | sed '$d' | trim >"$tmp/after"
    n=$(wc -l <"$tmp/after")
    if ! grep -qF "The wick takes." "$tmp/after" || ! grep -qxF "  1. Go down to meet the boat." "$tmp/after"; then
        r=1
        why="not resumed at the lamp scene"
    elif ! tail -n "$n" "$tmp/before" | cmp -s - "$tmp/after"; then
        r=1
        why="the resumed scene differs from the scene before quitting"
        tail -n "$n" "$tmp/before" | diff - "$tmp/after" | sed 's/^/# /'
    fi
else
    r=1
fi
result continue_resumes b $r "$why"

# The listing names the scene a save resumes at (save.h: "the scene the
# game was at"), not the scene where its last choice was made.
r=0
why=
send b "save beta"
if wait_line b "Saved as 'beta'." && wait_prompt b; then
    send b saves
    if wait_for b "beta: " && wait_prompt b; then
        line=$(screen b | grep '^ *beta: ' | tail -n 1)
        echo "$line" | grep -q '^ *beta: [0-9T:Z-]*, 3 choices, The night, The lamp$' ||
            { r=1; why="expected '3 choices, The night, The lamp', got '$line'"; }
    else
        r=1
    fi
else
    r=1
fi
result saves_names_current_scene b $r "$why"

r=0
why=
send b undo
if wait_line b "(Undone: 1 choice.)" && wait_prompt b; then
    screen b | sed -n '/^(Undone: 1 choice\.)$/,$p' | grep -qxF "  1. Light the lamp the way you were shown." ||
        { r=1; why="the stairs scene is not shown again after undo"; }
    send b journal
    if wait_line b "  2. The stairs: Look out over the water again." && wait_prompt b; then
        screen b | sed -n '/^> journal$/,$p' | grep -q '^  3\. ' && { r=1; why="the journal still has 3 steps"; }
    else
        r=1
    fi
    [ "$(grep -c '^step ' "$A/iwm/lighthouse/autosave.save")" -eq 2 ] ||
        { r=1; why="the autosave was not rewritten with 2 steps"; }
else
    r=1
fi
result undo b $r "$why"

r=0
why=
send b "save alpha"
if wait_line b "Saved as 'alpha'." && wait_prompt b; then
    send b saves
    if wait_for b "alpha: " && wait_prompt b; then
        screen b | grep -q '^ *alpha: [0-9T:Z-]*, 2 choices, The night, The stairs$' ||
            { r=1; why="'saves' does not describe alpha: $(screen b | grep '^ *alpha: ')"; }
    else
        r=1
    fi
    send b 1
    wait_for b "The wick takes." 2 && wait_prompt b || { r=1; why="could not move on after saving"; }
    n=$(count b "(Loaded 'alpha'.)")
    send b "load alpha"
    if wait_line b "(Loaded 'alpha'.)" $((n + 1)) && wait_prompt b; then
        screen b | sed -n '/^(Loaded .alpha.\.)$/,$p' | grep -qxF "  1. Light the lamp the way you were shown." ||
            { r=1; why="the loaded scene is not the stairs"; }
    else
        r=1
    fi
else
    r=1
fi
result save_saves_load b $r "$why"

r=0
why=
T send-keys -t b -l he
T send-keys -t b Tab
if wait_line b "> help"; then
    T send-keys -t b Enter
    wait_line b "Type the number of a choice, or a command:" && wait_prompt b || r=1
else
    r=1
    why="'he<Tab>' did not become 'help'"
fi
result complete_command b $r "$why"

r=0
why=
n=$(count b "(Loaded 'alpha'.)")
T send-keys -t b -l "load al"
T send-keys -t b Tab
if wait_line b "> load alpha"; then
    T send-keys -t b Enter
    wait_line b "(Loaded 'alpha'.)" $((n + 1)) && wait_prompt b || r=1
else
    r=1
    why="'load al<Tab>' did not become 'load alpha'"
fi
result complete_slot_name b $r "$why"

r=0
why=
send b quit
if wait_file "$tmp/b.exit"; then
    [ "$(cat "$tmp/b.exit")" = "EXIT=0" ] || { r=1; why="quit: $(cat "$tmp/b.exit")"; }
    h=$A/iwm/history
    for l in 1 banana 2 undo journal "save alpha" saves "load alpha" help quit; do
        grep -qx -- "$l *" "$h" 2>/dev/null || { r=1; why="'$l' is not in $h"; }
    done
    # The line cleared by Ctrl-C was never entered.
    grep -q abc "$h" 2>/dev/null && { r=1; why="the cleared line 'abc' is in the history"; }
else
    r=1
fi
result history_file b $r "$why"

# ---- styling ----------------------------------------------------------------
styled_screen() { T capture-pane -p -e -J -S - -t "$1"; }

r=0
why=
start nc "$tmp/state-nc" "NO_COLOR=1" --seed 3
if wait_line nc "  2. Climb the tower to see further."; then
    styled_screen nc | grep -q "$ESC" && { r=1; why="escape sequences with NO_COLOR=1"; }
else
    r=1
fi
result no_color_no_escapes nc $r "$why"

r=0
why=
start col "$tmp/state-col" "" --seed 3
if wait_line col "  2. Climb the tower to see further."; then
    styled_screen col | grep -q "${ESC}\[1mThe Lighthouse" || { r=1; why="the title is not bold (ESC[1m)"; }
else
    r=1
fi
result color_bold_title col $r "$why"

r=0
why=
start pl "$tmp/state-pl" "" --seed 3 --plain
if wait_line pl "  2. Climb the tower to see further."; then
    styled_screen pl | grep -q "$ESC" && { r=1; why="escape sequences with --plain"; }
else
    r=1
fi
result plain_no_escapes pl $r "$why"

# TERM=dumb turns styling off too (README).
r=0
why=
start dumb "$tmp/state-dumb" "TERM=dumb" --seed 3
if wait_line dumb "  2. Climb the tower to see further."; then
    styled_screen dumb | grep -q "$ESC" && { r=1; why="escape sequences with TERM=dumb"; }
else
    r=1
fi
result term_dumb_no_escapes dumb $r "$why"

# ---- resize ---------------------------------------------------------------
r=0
why=
start rs "$tmp/state-rs" "" --seed 3
if wait_line rs "  2. Climb the tower to see further." && wait_prompt rs; then
    T resize-window -t rs -x 50 -y 40
    # tmux may resize the pseudo-terminal a little later than the window:
    # wait until the terminal itself reports 50 columns.
    tty=$(T display-message -p -t rs '#{pane_tty}')
    i=0
    while [ "$(stty -F "$tty" size 2>/dev/null)" != "40 50" ] && [ $i -lt $((timeout * 20)) ]; do
        sleep 0.05
        i=$((i + 1))
    done
    [ "$(stty -F "$tty" size 2>/dev/null)" = "40 50" ] || echo "# the terminal did not become 50 columns wide"
    send rs 1
    if wait_line rs "> Wait on the quay." && wait_for rs "three short." && wait_prompt rs; then
        # -J joins the lines tmux wrapped, so any line the game wrote wider
        # than 50 columns shows as one long line.
        widest=$(screen rs | sed -n '/^> Wait on the quay\.$/,$p' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
        if [ "$widest" -gt 50 ]; then
            r=1
            why="a line of $widest columns after resizing to 50"
        elif [ "$widest" -lt 40 ]; then
            r=1
            why="wrapped at $widest columns, narrower than the 50 expected"
        fi
    else
        r=1
    fi
else
    r=1
fi
result resize_rewraps rs $r "$why"

# ---- the game must also quit on Ctrl-D at the first prompt ------------------
r=0
why=
start first "$tmp/state-first" "" --seed 3
if wait_prompt first; then
    T send-keys -t first C-d
    if wait_file "$tmp/first.exit"; then
        [ "$(cat "$tmp/first.exit")" = "EXIT=0" ] || { r=1; why="$(cat "$tmp/first.exit")"; }
    else
        r=1
    fi
else
    r=1
fi
result ctrl_d_at_start first $r "$why"

# ---- content notes: asked on a terminal before a marked scene -------------
# wait_last SESSION LINE: until the last non-blank line is LINE.
wait_last() {
    _i=0
    while [ "$_i" -lt $((timeout * 20)) ]; do
        [ "$(last_line "$1")" = "$2" ] && return 0
        sleep 0.05
        _i=$((_i + 1))
    done
    echo "# timed out waiting for the last line '$2' in $1"
    return 1
}

# to_storm SESSION: climb, light the lamp, go down: the storm scene (note
# "peril") comes next with --seed 3.
to_storm() {
    for k in 2 1 1; do
        wait_prompt "$1" || return 1
        send "$1" $k
    done
    wait_for "$1" "The next scene contains: Peril at sea." && wait_last "$1" "r/s/a>"
}

r=0
why=
start cn1 "$tmp/state-cn1" "" --seed 3
if to_storm cn1; then
    send cn1 s
    if wait_line cn1 "(Skipped.) The boat comes in through rough water and reaches the slipway." &&
        wait_prompt cn1; then
        [ "$(count cn1 'A wave breaks over the slipway')" -eq 0 ] || { r=1; why="the skipped scene was shown"; }
    else
        r=1
    fi
else
    r=1
fi
result content_note_skip cn1 $r "$why"

# Ctrl-D at the question saves and quits, as at the prompt, and never
# shows the marked scene.
r=0
why=
start cn2 "$tmp/state-cn2" "" --seed 3
if to_storm cn2; then
    T send-keys -t cn2 C-d
    if wait_file "$tmp/cn2.exit"; then
        [ "$(cat "$tmp/cn2.exit")" = "EXIT=0" ] || { r=1; why="$(cat "$tmp/cn2.exit")"; }
    else
        r=1
        why="the game did not quit on Ctrl-D at the content-note question"
    fi
    [ "$(count cn2 'A wave breaks over the slipway')" -eq 0 ] ||
        { r=1; why="${why:+$why; }the marked scene was shown after Ctrl-D"; }
else
    r=1
fi
result content_note_ctrl_d_quits cn2 $r "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
