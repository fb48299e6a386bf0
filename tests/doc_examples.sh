#!/bin/sh
# doc_examples.sh IWM SOURCE_DIR
#
# Checks every ```yaml block of docs/story-format.md, according to the
# HTML comment on the last non-blank line before it,
#   <!-- example: KIND -->   or   <!-- example: KIND, fails with CODE -->
# (the rules are in the page itself, "How the examples are checked"):
#   pack (or no comment and a `format:` line)  iwm check --strict passes
#   tutorial [, chapters in PATH]  added to the pack the steps build; it
#                                  must load after each step, and after the
#                                  last it must pass --strict and play,
#                                  explore and draw like the lighthouse
#   top-level / scenes / scene keys / choice keys
#                                  merged into story/examples/lighthouse;
#                                  the result must load
# With ", fails with CODE" the result must be refused with [CODE]. A block
# with no usable comment fails. Packs are assembled by keeping a pack as
# pieces: its top-level keys, one per file, and its scenes, one per file
# (at the indentation of a scene in a chapter); a piece with the same key
# or scene id replaces the old one in place.
# Prints "ok WHAT" / "FAIL WHAT: why" and "N passed, M failed"; exits 1 if
# any failed. POSIX sh and awk.

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
doc=docs/story-format.md
lh=story/examples/lighthouse
if [ ! -f "$doc" ] || [ ! -f "$lh/pack.yaml" ]; then
    echo "$0: no $doc or $lh in '$src'" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/iwm-doc.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
XDG_STATE_HOME=$tmp/state
export XDG_STATE_HOME

passed=0
failed=0
ok() {
    echo "ok $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1: $2"
    [ -n "$3" ] && [ -f "$3" ] && sed 's/^/    /' "$3" | head -30
    failed=$((failed + 1))
}

# ---- the model of a pack ------------------------------------------------

# model_new DIR: an empty pack.
model_new() {
    rm -rf "$1"
    mkdir -p "$1/sec" "$1/scn"
    echo 0 >"$1/n"
    : >"$1/head"
    : >"$1/extra"
}

# model_copy FROM TO
model_copy() {
    rm -rf "$2"
    cp -R "$1" "$2"
}

# model_put DIR KIND NAME FILE: the piece NAME of kind sec or scn, in place
# of the old one with that name, else last.
model_put() {
    old=$(cd "$1/$2" && for f in *; do [ "${f#*-}" = "$3" ] && echo "$f"; done)
    if [ -n "$old" ]; then
        cp "$4" "$1/$2/$old"
    else
        n=$(($(cat "$1/n") + 1))
        echo "$n" >"$1/n"
        cp "$4" "$1/$2/$(printf '%05d' "$n")-$3"
    fi
}

# model_scenes DIR FILE INDENT: adds the scenes of FILE, a list of scenes
# whose dashes are at column INDENT (0 in the page, 6 in a chapter).
model_scenes() {
    rm -rf "$tmp/split"
    mkdir "$tmp/split"
    awk -v dir="$tmp/split" -v indent="$3" '
        function pad(n,   s) { s = ""; while (n-- > 0) s = s " "; return s }
        BEGIN { p = pad(indent); add = pad(6 - indent); k = 0 }
        index($0, p "- id:") == 1 {
            id = substr($0, length(p) + 6)
            sub(/#.*/, "", id); gsub(/[ \t"\047]/, "", id)
            k++; f = sprintf("%s/%05d-%s", dir, k, id)
        }
        k == 0 { next }     # comments before the first scene
        { print (length($0) ? add $0 : "") > f }
    ' "$2"
    for f in "$tmp/split"/*; do
        [ -e "$f" ] || continue
        name=${f##*/}
        model_put "$1" scn "${name#*-}" "$f"
    done
}

# model_sections DIR FILE CHAPTERS: adds the top-level keys of FILE.
# CHAPTERS is "parse" (the chapters key holds the pack's one chapter: its
# head and scenes go into the model) or "extra" (its chapters are added
# after the pack's own).
model_sections() {
    rm -rf "$tmp/sections"
    mkdir "$tmp/sections"
    awk -v dir="$tmp/sections" '
        /^[a-z_][a-z0-9_]*:/ {
            key = $0; sub(/:.*/, "", key)
            k++; f = sprintf("%s/%05d-%s", dir, k, key)
        }
        k == 0 { next }
        { print > f }
    ' "$2"
    for f in "$tmp/sections"/*; do
        [ -e "$f" ] || continue
        name=${f##*/}
        key=${name#*-}
        if [ "$key" != chapters ]; then
            model_put "$1" sec "$key" "$f"
        elif [ "$3" = extra ]; then
            sed 1d "$f" >>"$1/extra"
        else
            # Head: the lines up to the first scene; then the scenes.
            awk 'NR > 1 && /^      - id:/ { exit } NR > 1 { print }' "$f" >"$1/head"
            awk 'NR > 1 && /^      - id:/ { s = 1 } s { print }' "$f" >"$tmp/scenes"
            if grep -q '^  - ' "$tmp/scenes"; then
                echo "model: more than one chapter in $2" >&2
                return 1
            fi
            model_scenes "$1" "$tmp/scenes" 6
        fi
    done
}

# model_write DIR OUT: writes the pack to the directory OUT.
model_write() {
    rm -rf "$2"
    mkdir -p "$2"
    for f in "$1/sec"/*; do
        [ -e "$f" ] && cat "$f"
    done >"$2/pack.yaml"
    chapters=$2/pack.yaml
    if [ -f "$1/split" ]; then
        chapters=$2/$(cat "$1/split")
        mkdir -p "$(dirname "$chapters")"
        : >"$chapters"
    fi
    {
        echo "chapters:"
        cat "$1/head"
        for f in "$1/scn"/*; do
            [ -e "$f" ] && cat "$f"
        done
        cat "$1/extra"
    } >>"$chapters"
}

# The lighthouse as a single-file model: its pack.yaml without `include`,
# with its chapter file's chapter.
lighthouse=$tmp/lighthouse
model_new "$lighthouse"
if ! model_sections "$lighthouse" "$lh/pack.yaml" parse ||
    ! model_sections "$lighthouse" "$lh/chapters/night.yaml" parse; then
    echo "$0: cannot take $lh apart" >&2
    exit 2
fi
rm -f "$lighthouse"/sec/*-include
model_write "$lighthouse" "$tmp/lighthouse-pack"
if ! "$iwm" check --strict "$tmp/lighthouse-pack" >"$tmp/out" 2>&1; then
    fail "the lighthouse taken apart and put back together" "it does not pass iwm check --strict" "$tmp/out"
    echo "$passed passed, $failed failed"
    exit 1
fi

# ---- the blocks -----------------------------------------------------------

mkdir "$tmp/blocks"
awk -v dir="$tmp/blocks" '
    inyaml && /^```[ \t]*$/ { inyaml = 0; close(f); next }
    inyaml { print > f; next }
    inother && /^```/ { inother = 0; next }
    inother { next }
    /^```yaml[ \t]*$/ {
        n++; f = sprintf("%s/%03d.yaml", dir, n)
        printf "" > f
        kind = last
        if (kind ~ /^<!-- example: .* -->[ \t]*$/) {
            sub(/^<!-- example: /, "", kind); sub(/ -->[ \t]*$/, "", kind)
        } else
            kind = ""
        print kind > sprintf("%s/%03d.kind", dir, n)
        print NR > sprintf("%s/%03d.line", dir, n)
        inyaml = 1; next
    }
    /^```/ { inother = 1; next }
    /[^ \t]/ { last = $0 }
    END { if (inyaml) print "unterminated" > (dir "/unterminated") }
' "$doc"
if [ -f "$tmp/blocks/unterminated" ]; then
    fail "$doc" "a \`\`\`yaml block is not closed"
fi

# indent N FILE: FILE with every non-empty line indented by N spaces.
indent() {
    awk -v n="$1" 'BEGIN { while (n-- > 0) p = p " " } { print (length($0) ? p $0 : "") }' "$2"
}

tutorial=$tmp/tutorial
tutorial_steps=0
tutorial_ok=1
for block in "$tmp/blocks"/*.yaml; do
    [ -e "$block" ] || continue
    base=${block%.yaml}
    kind=$(cat "$base.kind")
    what="$doc:$(cat "$base.line")"
    case=$tmp/case
    want=
    case $kind in
    *", fails with "*)
        want=${kind##*, fails with }
        kind=${kind%, fails with *}
        ;;
    esac
    if [ -z "$kind" ] && grep -q '^format:' "$block"; then
        kind=pack
    fi
    what="$what (${kind:-no example comment}${want:+, fails with $want})"
    first=$(grep -v '^[ \t]*#' "$block" | grep -v '^[ \t]*$' | head -1)
    strict=
    case $kind in
    pack)
        rm -rf "$case"
        mkdir -p "$case"
        cp "$block" "$case/pack.yaml"
        strict=--strict
        ;;
    tutorial | "tutorial, chapters in "*)
        tutorial_steps=$((tutorial_steps + 1))
        if [ "$tutorial_steps" -eq 1 ]; then
            model_new "$tutorial"
            model_sections "$tutorial" "$block" parse || { fail "$what" "the first step is not a one-chapter pack"; tutorial_ok=0; continue; }
        else
            case $first in
            "- id:"*) model_scenes "$tutorial" "$block" 0 ;;
            *) model_sections "$tutorial" "$block" extra ;;
            esac
        fi
        case $kind in
        "tutorial, chapters in "*) echo "${kind#tutorial, chapters in }" >"$tutorial/split" ;;
        esac
        model_write "$tutorial" "$case"
        ;;
    top-level | scenes | "scene keys" | "choice keys")
        model_copy "$lighthouse" "$tmp/model"
        case $kind in
        top-level) model_sections "$tmp/model" "$block" extra ;;
        scenes) model_scenes "$tmp/model" "$block" 0 ;;
        "scene keys")
            {
                echo "- id: example"
                indent 2 "$block"
                grep -Eq '^(choices|ending):' "$block" || echo "  ending: {}"
            } >"$tmp/wrapped"
            model_scenes "$tmp/model" "$tmp/wrapped" 0
            ;;
        "choice keys")
            {
                echo "- id: example"
                echo "  choices:"
                grep -q '^id:' "$block" || echo "    - id: example"
                grep -q '^text:' "$block" || echo "      text: Example."
                # A block that gives the id starts the list item itself.
                indent 6 "$block" | awk '/^      id:/ && !done { sub(/^      /, "    - "); done = 1 } { print }'
                grep -q '^goto:' "$block" || echo "      goto: home"
            } >"$tmp/wrapped"
            model_scenes "$tmp/model" "$tmp/wrapped" 0
            ;;
        esac
        model_write "$tmp/model" "$case"
        ;;
    *)
        fail "$what" "no <!-- example: KIND --> comment before it, and not a complete pack"
        continue
        ;;
    esac
    "$iwm" check $strict "$case" >"$tmp/out" 2>&1
    status=$?
    if [ -n "$want" ]; then
        if [ "$status" -eq 1 ] && grep -q "\[$want\]" "$tmp/out"; then
            ok "$what"
        else
            fail "$what" "expected iwm check to refuse it with [$want] (exit $status)" "$tmp/out"
        fi
    elif [ "$status" -eq 0 ]; then
        ok "$what"
    else
        fail "$what" "iwm check $strict refuses it (exit $status)" "$tmp/out"
        case $kind in tutorial*) tutorial_ok=0 ;; esac
    fi
done

# ---- the tutorial builds the lighthouse ---------------------------------

if [ "$tutorial_steps" -gt 0 ]; then
    built=$tmp/built
    model_write "$tutorial" "$built"
    if "$iwm" check --strict "$built" >"$tmp/out" 2>&1; then
        ok "tutorial: the pack after the last step passes iwm check --strict"
    else
        fail "tutorial: the pack after the last step" "iwm check --strict refuses it" "$tmp/out"
    fi
    # The golden transcripts of the lighthouse, played on the built pack.
    for args in tests/golden/lighthouse-*.args; do
        [ -e "$args" ] || continue
        name=${args%.args}
        input=/dev/null
        [ -f "$name.in" ] && input=$name.in
        # shellcheck disable=SC2046
        NO_COLOR= TERM=dumb "$iwm" $(sed "s|$lh|$built|" "$args") <"$input" >"$tmp/play" 2>&1
        status=$?
        want_status=0
        [ -f "$name.status" ] && want_status=$(cat "$name.status")
        if cmp -s "$tmp/play" "$name.out" && [ "$status" = "$want_status" ]; then
            ok "tutorial: plays like the lighthouse (${name##*/})"
        else
            diff -u "$name.out" "$tmp/play" >"$tmp/diff"
            fail "tutorial: plays like the lighthouse (${name##*/})" "the transcript differs (exit $status)" "$tmp/diff"
        fi
    done
    # Exploration (both modes) and the graph, as the lighthouse's.
    for mode in "explore --exhaustive --json" "explore" "graph"; do
        # shellcheck disable=SC2086
        "$iwm" $mode "$lh" 2>&1 | sort >"$tmp/want"
        # shellcheck disable=SC2086
        "$iwm" $mode "$built" 2>&1 | sort >"$tmp/got"
        if cmp -s "$tmp/want" "$tmp/got"; then
            ok "tutorial: iwm $mode gives what it gives for the lighthouse"
        else
            diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"
            fail "tutorial: iwm $mode" "differs from the lighthouse's" "$tmp/diff"
        fi
    done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
