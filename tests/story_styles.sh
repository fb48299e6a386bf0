#!/bin/sh
# Four fixed playthroughs of the default story, one per caregiver and
# strategy, each of which must end in a different attachment style. The
# choice lists were recorded from `iwm explore` witnesses; if an edit of
# the story changes what a list reaches, this test says which one, so the
# author can look (and re-record with `iwm explore --json` if the change is
# intended). Usage: story_styles.sh IWM SOURCE_DIR
iwm=$1
cd "$2" || exit 2
XDG_STATE_HOME=$(mktemp -d)
export XDG_STATE_HOME
out=$(mktemp -d)
trap 'rm -rf "$XDG_STATE_HOME" "$out"' EXIT
pass=0
fail=0
# style  options  choices
while read -r style options choices; do
    [ -z "$style" ] && continue
    # shellcheck disable=SC2086
    "$iwm" play --no-autosave --plain --seed 1 $(echo "$options" | tr , " ") --choices "$choices" \
        --report "$out/$style.json" </dev/null >"$out/$style.txt" 2>&1
    got=$(sed -n 's/^  "style": { "name": "\([a-z_]*\)".*/\1/p' "$out/$style.json" 2>/dev/null)
    if [ "$got" = "$style" ]; then
        pass=$((pass + 1))
        echo "ok $style"
    else
        fail=$((fail + 1))
        echo "FAIL $style: the playthrough ended as '${got:-no ending}'"
        tail -5 "$out/$style.txt"
    fi
done <<'LISTS'
secure --set=caregiver=sensitive,--set=parent=dad 2,3,1,1,2,3,2,3,3,3,1,2,1,2,2,3,1,2,1,1,1,4,4,1,3,3,2,1,4,1,3,1,2,3,4,1,1,3,3,2,4,2,3,3,4,3,2,2,2,4,4,4,3,1,3,2,3,1,4,1,2,2,2,1,1,4
preoccupied --set=caregiver=inconsistent,--set=parent=mum 1,3,1,1,3,3,2,2,2,3,1,3,2,1,1,2,1,1,1,3,4,2,2,4,1,4,4,2,2,3,2,1,2,4,4,4,3,1,2,4,3,2,3,2,1,2,4,2,4,1,1,1,4,4,3,3,2,1,2,2,1,3,1,2,1,4,1,2
dismissing --set=caregiver=rejecting,--set=parent=dad 2,2,3,2,3,1,3,1,2,2,1,1,3,1,3,3,1,1,3,1,4,2,2,3,3,3,4,1,1,3,4,1,3,1,3,1,1,2,2,1,2,3,2,4,2,1,1,2,3,2,3,2,4,1,3,1,3,3,4,2,1,1,2,3,3,4,1,1,3
fearful --set=caregiver=inconsistent,--set=parent=mum 2,1,1,2,2,3,3,3,2,3,1,2,2,3,2,1,3,3,1,3,2,3,3,1,2,2,1,3,2,3,2,2,3,3,4,1,2,2,1,1,3,1,2,2,1,1,3,1,2,1,1,4,3,4,4,2,4,3,3,4,1,2,3,2,2,4,1,2
LISTS
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
