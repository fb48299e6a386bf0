#!/bin/sh
# make.sh OUTDIR: writes the hostile packs into OUTDIR (created if needed).
#
# These inputs try to hang, crash or bloat the loader. Several are large
# (up to 48 MB), so they are generated on demand and never committed; run.sh
# generates them into a temporary directory and checks each one.
#
# Single files (OUTDIR/NAME.yaml) and directory packs (OUTDIR/NAME/pack.yaml):
#   alias-bomb.yaml         billion laughs: nine anchors, each nine aliases of
#                           the one before (~350 bytes, 10^9 nodes if expanded)
#   alias-self.yaml         a self-referencing alias: &a [1, *a]
#   alias-in-scene.yaml     the billion laughs inside a scene's text variants
#                           (a list, in the middle of a chapter)
#   deep-flow.yaml          100,000-deep flow nesting: [[[[...]]]]
#   deep-block.yaml         100,000-deep block nesting: "- - - - ... x"
#                           (every "- " opens a block list indented 2 deeper)
#   deep-indent.yaml        4,000-deep block mappings, one more space of
#                           indentation per line (~8 MB)
#   big-scalar.yaml         one 48 MB scalar (over the 16 MiB file cap)
#   over-cap.yaml           a valid pack padded to 17 MB (over the cap)
#   long-line.yaml          a 4 MB line (under the cap) with an unknown name
#                           at its very end
#   nul-byte.yaml           a NUL byte in the title
#   invalid-utf8.yaml       a 0xFF byte in a scene text
#   overlong-utf8.yaml      an overlong UTF-8 sequence (C0 AF, a '/') in a text
#   empty.yaml              an empty file
#   deep-expr.yaml          a condition nested 10,000 parentheses deep
#   long-chain.yaml         a condition of 100,000 terms: anxiety + 1 + 1 ...
#   counter-overflow.yaml   a counter with no bounds that starts at 2147483000
#                           and gains 1000 in a loop of scenes: VALID, the
#                           engine saturates at 2147483647 (check must pass)
#   include-dotdot/         pack.yaml includes ../outside.yaml (which exists)
#   include-absolute/       pack.yaml includes /etc/passwd
#   include-symlink/        chapters/night.yaml is a symlink to /etc/passwd
#   include-sibling/        x.yaml is a symlink to ../include-sibling-evil/x.yaml,
#                           whose real path starts with the pack's own
#   include-long-path/      an include path of 5,000 bytes (over PATH_MAX)
#   include-directory/      an include naming a directory
#   include-unreadable/     an include of a file with mode 000
#   too-many-files/         256 includes: with pack.yaml, one file over the
#                           limit of 256
#   too-large-in-all/       four includes of exactly 16 MiB (the file cap;
#                           sparse files starting with a NUL byte, refused
#                           unparsed so that reading them is cheap): the
#                           fourth takes the pack over 64 MiB in all
#   too-many-scenes.yaml    100,001 scenes (the limit is 100,000)
#   million-scenes.yaml     a million scenes written the usual way: 34 MB,
#                           over the file cap (a valid scene takes at least
#                           19 bytes, so no valid million fits under it)
#   million-scenes-flow.yaml a million scenes as {id: sN} on one 14 MB line,
#                           under the cap: each lacks choices, and the
#                           loader stops at its 1,000th diagnostic
#   too-many-vars.yaml      4,097 dimensions (the limit is 4,096)
# POSIX sh and awk; nothing else.

set -e
if [ "$#" -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"
cd "$out"

# head4: the four required keys. chapters: one chapter with a start scene
# (its text given, or "It begins.") and an ending.
head4() {
    printf 'format: 1\nid: hostile\ntitle: A hostile pack\nversion: "1.0"\n'
}
chapters() { # chapters [START-TEXT]
    printf 'chapters:\n  - id: one\n    scenes:\n      - id: start\n        text: %s\n' \
        "${1:-It begins.}"
    cat <<'EOF'
        choices:
          - id: go
            text: Go on.
            goto: end
      - id: end
        text: It ends.
        ending: {title: The end}
EOF
}
# a_bytes N: N bytes of 'a' (N a multiple of 1,000,000).
a_bytes() {
    dd if=/dev/zero bs=1000000 count="$(($1 / 1000000))" 2>/dev/null | tr '\000' 'a'
}
# repeat N STRING: STRING N times, no newline.
repeat() {
    awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

# --- aliases ---------------------------------------------------------------
laughs() { # laughs INDENT
    awk -v ind="$1" 'BEGIN {
        printf "%sa: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n", ind
        split("a b c d e f g h i", k, " ")
        for (i = 2; i <= 9; i++) {
            printf "%s%s: &%s [", ind, k[i], k[i]
            for (j = 0; j < 9; j++)
                printf "%s*%s", (j ? "," : ""), k[i - 1]
            printf "]\n"
        }
    }'
}
laughs '' >alias-bomb.yaml

printf '&a [1, *a]\n' >alias-self.yaml

{
    head4
    cat <<'EOF'
chapters:
  - id: one
    scenes:
      - id: start
        text:
          - when: "true"
            text: It begins.
          -
EOF
    laughs '            '
    cat <<'EOF'
        choices:
          - id: go
            text: Go on.
            goto: end
      - id: end
        text: It ends.
        ending: {title: The end}
EOF
} >alias-in-scene.yaml

# --- depth -----------------------------------------------------------------
{
    repeat 100000 '['
    repeat 100000 ']'
    echo
} >deep-flow.yaml

{
    repeat 100000 '- '
    echo x
} >deep-block.yaml

awk 'BEGIN { s = ""; for (i = 0; i < 4000; i++) { printf "%sk:\n", s; s = s " " } printf "%sx\n", s }' \
    >deep-indent.yaml

# --- size ------------------------------------------------------------------
{
    printf 'title: '
    a_bytes 48000000
    echo
} >big-scalar.yaml

{
    head4
    chapters
    printf 'description: '
    a_bytes 17000000
    echo
} >over-cap.yaml

{
    head4
    cat <<'EOF'
state:
  dimensions:
    anxiety: {label: Anxiety, min: 0, max: 100, start: 50}
chapters:
  - id: one
    scenes:
      - id: start
        text: It begins.
        choices:
          - id: go
            text: Go on.
            effects: {anxiety: +1}
            goto: end
      - id: end
EOF
    printf '        text: '
    a_bytes 4000000
    printf ' {anxeity}\n'
    printf '        ending: {title: The end}\n'
} >long-line.yaml

# --- bytes -----------------------------------------------------------------
{
    printf 'format: 1\nid: hostile\ntitle: A hostile\000 pack\nversion: "1.0"\n'
    chapters
} >nul-byte.yaml

{
    head4
    chapters "It b$(printf '\377')egins."
} >invalid-utf8.yaml

{
    head4
    chapters "It b$(printf '\300\257')egins."
} >overlong-utf8.yaml

: >empty.yaml

# --- conditions ------------------------------------------------------------
cond_pack() { # cond_pack CONDITION-GENERATOR
    head4
    cat <<'EOF'
state:
  dimensions:
    anxiety: {label: Anxiety, min: 0, max: 100, start: 50}
chapters:
  - id: one
    scenes:
      - id: start
        text: It begins.
        choices:
          - id: go
            text: Go on.
EOF
    printf '            if: '
    "$@"
    echo
    cat <<'EOF'
            effects: {anxiety: +1}
            goto: end
          - id: wait
            text: Wait.
            goto: end
      - id: end
        text: It ends.
        ending: {title: The end}
EOF
}
deep_parens() {
    repeat 10000 '('
    printf 'anxiety > 1'
    repeat 10000 ')'
}
long_chain() {
    printf 'anxiety'
    repeat 100000 ' + 1'
    printf ' > 1'
}
cond_pack deep_parens >deep-expr.yaml
cond_pack long_chain >long-chain.yaml

# --- a counter that would overflow (valid) ---------------------------------
{
    head4
    cat <<'EOF'
state:
  counters:
    lamps: {label: Lamps lit, start: 2147483000}
chapters:
  - id: one
    scenes:
      - id: start
        text: "{lamps} lamps are lit."
        choices:
          - id: light
            text: Light another thousand.
            effects: {lamps: +1000}
            goto: again
          - id: stop
            text: Stop.
            goto: end
      - id: again
        text: "{lamps} lamps are lit."
        choices:
          - id: more
            text: More.
            effects: {lamps: +1000}
            goto: start
      - id: end
        text: It ends with {lamps} lamps.
        ending: {title: The end}
EOF
} >counter-overflow.yaml

# --- includes that leave the pack ------------------------------------------
{
    cat <<'EOF'
chapters:
  - id: outside
    scenes:
      - id: elsewhere
        text: This file lies outside every pack.
        ending: {title: Outside}
EOF
} >outside.yaml

include_pack() { # include_pack DIR PATH
    mkdir -p "$1"
    {
        head4
        printf 'include:\n  - %s\n' "$2"
        chapters
    } >"$1/pack.yaml"
}
include_pack include-dotdot ../outside.yaml
include_pack include-absolute /etc/passwd
include_pack include-symlink chapters/night.yaml
mkdir -p include-symlink/chapters
rm -f include-symlink/chapters/night.yaml
ln -s /etc/passwd include-symlink/chapters/night.yaml

# x.yaml's real path, .../include-sibling-evil/x.yaml, starts with the pack's
# directory, .../include-sibling, but is not inside it.
include_pack include-sibling x.yaml
mkdir -p include-sibling-evil
{
    cat <<'EOF'
chapters:
  - id: evil
    scenes:
      - id: sibling
        ending: {title: Sibling}
EOF
} >include-sibling-evil/x.yaml
rm -f include-sibling/x.yaml
ln -s ../include-sibling-evil/x.yaml include-sibling/x.yaml

# --- include paths that cannot be read -------------------------------------
include_pack include-long-path "$(repeat 5000 a)"
include_pack include-directory chapters
mkdir -p include-directory/chapters
printf 'chapters: []\n' >include-directory/chapters/one.yaml
include_pack include-unreadable secret.yaml
printf 'chapters: []\n' >include-unreadable/secret.yaml
chmod 000 include-unreadable/secret.yaml

# --- limits ----------------------------------------------------------------
mkdir -p too-many-files
{
    head4
    awk 'BEGIN { print "include:"; for (i = 1; i <= 256; i++) printf "  - i%03d.yaml\n", i }'
    chapters
} >too-many-files/pack.yaml
awk 'BEGIN { for (i = 1; i <= 256; i++) { f = sprintf("too-many-files/i%03d.yaml", i); print "chapters: []" >f; close(f) } }'

mkdir -p too-large-in-all
{
    head4
    printf 'include:\n  - z1.yaml\n  - z2.yaml\n  - z3.yaml\n  - z4.yaml\n'
    chapters
} >too-large-in-all/pack.yaml
# A NUL and a line end, then a hole up to 16 MiB: dd keeps the bytes it
# seeks over. (The short first line keeps quoting it in the NUL error cheap.)
for z in z1 z2 z3 z4; do
    printf '\000\n' >"too-large-in-all/$z.yaml"
    dd if=/dev/zero of="too-large-in-all/$z.yaml" bs=1 count=0 seek=16777216 2>/dev/null
done

{
    head4
    printf 'chapters:\n  - id: one\n    scenes:\n'
    awk 'BEGIN { for (i = 1; i <= 100001; i++) printf "      - {id: s%d, ending: {}}\n", i }'
} >too-many-scenes.yaml

{
    head4
    printf 'chapters:\n  - id: one\n    scenes:\n'
    awk 'BEGIN { for (i = 1; i <= 1000000; i++) printf "      - {id: s%d, ending: {}}\n", i }'
} >million-scenes.yaml

{
    head4
    printf 'chapters: [{id: one, scenes: ['
    awk 'BEGIN { for (i = 1; i <= 1000000; i++) printf "{id: s%d},", i }'
    printf ']}]\n'
} >million-scenes-flow.yaml

{
    head4
    printf 'state:\n  dimensions:\n'
    awk 'BEGIN { for (i = 1; i <= 4097; i++) printf "    d%d: {min: 0, max: 1, start: 0}\n", i }'
    chapters
} >too-many-vars.yaml
