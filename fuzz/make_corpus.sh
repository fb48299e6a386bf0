#!/bin/sh
# make_corpus.sh [BUILD_DIR]: regenerates the seed corpora of the fuzz
# targets under tests/fuzz/corpus/<target>/ from the real packs of the
# repository. Run from anywhere; needs python3 with PyYAML (to pull the
# conditions and texts out of the packs) and, for the save seeds, a built
# fuzz_save (BUILD_DIR/fuzz/fuzz_save, default build-fuzz). The corpora
# are committed, so this only needs running when the packs change a lot.
#
#   fuzz_pack  every single-file pack in tests/packs/bad/ and
#              tests/packs/saves/, the small generated hostile packs, the
#              lighthouse and `iwm new` packs (their includes joined with
#              "#8<-- NAME" lines), and the default story's pack.yaml alone
#   fuzz_expr  every condition (when:, if:, enabled_if:) of those packs and
#              of the default story, plus hand-written edge cases
#   fuzz_save  real saves of random playthroughs (fuzz_save writes them),
#              plus broken ones
#   fuzz_text  every scene text, choice text and reply of those packs, as
#              the exact value (form 1), plus YAML escapes (form 0)
# (fuzz_class's seeds are real JSON reports made with `iwm report` from
# saves of both story packs; they are committed as they are and not
# touched here.)
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-fuzz}
out=$src/tests/fuzz/corpus
command -v python3 >/dev/null 2>&1 || { echo "make_corpus.sh: python3 is needed" >&2; exit 2; }
python3 -c 'import yaml' 2>/dev/null || { echo "make_corpus.sh: PyYAML is needed" >&2; exit 2; }

rm -rf "$out/fuzz_pack" "$out/fuzz_expr" "$out/fuzz_save" "$out/fuzz_text"
mkdir -p "$out/fuzz_pack" "$out/fuzz_expr" "$out/fuzz_save" "$out/fuzz_text"

# --- fuzz_pack -----------------------------------------------------------------
for f in "$src"/tests/packs/bad/*.yaml; do
    cp "$f" "$out/fuzz_pack/bad-$(basename "$f" .yaml)"
done
for f in "$src"/tests/packs/saves/*.yaml; do
    cp "$f" "$out/fuzz_pack/saves-$(basename "$f" .yaml)"
done
# join ROOT_DIR OUT: pack.yaml, then each included file after a marker line.
join() {
    {
        cat "$1/pack.yaml"
        (cd "$1" && find . -name '*.yaml' ! -path ./pack.yaml | sed 's|^\./||' | sort) |
            while read -r rel; do
                printf '\n#8<-- %s\n' "$rel"
                cat "$1/$rel"
            done
    } >"$2"
}
join "$src/story/examples/lighthouse" "$out/fuzz_pack/lighthouse"
join "$src/assets/new" "$out/fuzz_pack/new-pack"
cp "$src/story/working-models/pack.yaml" "$out/fuzz_pack/working-models-root"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iwm-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sh "$src/tests/packs/hostile/make.sh" "$tmp/hostile" >/dev/null
for f in alias-bomb alias-self alias-in-scene nul-byte invalid-utf8 overlong-utf8 counter-overflow; do
    cp "$tmp/hostile/$f.yaml" "$out/fuzz_pack/hostile-$f"
done
for d in include-dotdot include-absolute; do
    cp "$tmp/hostile/$d/pack.yaml" "$out/fuzz_pack/hostile-$d"
done
# Small versions of the deep ones (the big ones are hostile/run.sh's job).
awk 'BEGIN { for (i = 0; i < 80; i++) printf "["; for (i = 0; i < 80; i++) printf "]"; print "" }' \
    >"$out/fuzz_pack/deep-flow-80"
awk 'BEGIN { for (i = 0; i < 70; i++) printf "- "; print "x" }' >"$out/fuzz_pack/deep-block-70"

# --- fuzz_expr and fuzz_text: pulled out of the packs --------------------------
python3 - "$src" "$out" <<'EOF'
import glob, os, sys, yaml
src, out = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(src + "/story/**/*.yaml", recursive=True) +
               glob.glob(src + "/tests/packs/bad/*.yaml") +
               glob.glob(src + "/tests/packs/saves/*.yaml") +
               glob.glob(src + "/assets/new/**/*.yaml", recursive=True))
conds, texts = set(), set()
def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("when", "if", "enabled_if") and isinstance(v, str):
                conds.add(v)
            if k in ("text", "reply", "disabled_text") and isinstance(v, str):
                texts.add(v)
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
for f in files:
    try:
        with open(f, encoding="utf-8") as fh:
            walk(yaml.safe_load(fh))
    except Exception:
        pass  # the bad packs: some are not YAML at all
for i, c in enumerate(sorted(conds)):
    with open("%s/fuzz_expr/cond-%03d" % (out, i), "w", encoding="utf-8") as fh:
        fh.write(c)
extra = ["((((anxiety > 1))))", "-(-(-2147483647)) < 0", "wide * wide > wide / 0",
         "childhood.anxiety - dusk.worry >= trust", "weather == \"storm\" or keeper != 'gran'",
         "not not not lamp_lit", "lamps + 2147483647 + 2147483647 > 0", "a = 1",
         "x < y < z", "\"unclosed", "2147483648 > 0", "caregiver == \"rejectin\"",
         "anxeity > 50", "(" * 70 + "true" + ")" * 70, "1" + " + 1" * 70 + " > 0"]
for i, c in enumerate(extra):
    with open("%s/fuzz_expr/edge-%02d" % (out, i), "w", encoding="utf-8") as fh:
        fh.write(c)
# fuzz_text inputs: a mode byte, then the text. Form 1 (the value as it is),
# with the width, indentation and styling bits varied across seeds.
for i, t in enumerate(sorted(texts)):
    mode = 1 | ((i % 8) << 2) | ((i % 3) << 5) | ((i % 2) << 7)
    with open("%s/fuzz_text/text-%04d" % (out, i), "wb") as fh:
        fh.write(bytes([mode]) + t.encode("utf-8"))
escapes = [r"Hello \e[31mred\e[0m", r"clip\e]52;c;aGk=\a", r"\x9b2J and \u009b", r"\u202eevil\u202c",
           r"a\0b", r"line\Nnext\Lsep\Ppara\_nb", r"tab\there", r"\u2066iso\u2069", r"\u200f\u061c",
           r"*bold* **strong** ***both*** ****deco****", r"{worry} {Keeper} {dusk.worry} {stairs}",
           r"{weather == \"storm\": wild | calm} {lamp_lit: lit | dark}", r"\\{ \\} \\| \\\\",
           r"\U0001F600 \u0301e wide \uFF21"]
for i, t in enumerate(escapes):
    for form in (0,):
        mode = form | ((i % 8) << 2) | ((i % 2) << 7)
        with open("%s/fuzz_text/escape-%02d" % (out, i), "wb") as fh:
            fh.write(bytes([mode]) + t.encode("utf-8"))
raw = [b"\x1b[31mred\x1b[0m", b"\x9b\xc2\x9b\xe2\x80\xae\xe2\x81\xa6", b"a\x00b\x07\x7f\r\n\tc",
       b"\xff\xfe\xc0\xaf\xed\xa0\x80", b"para one\n\npara two\n \n  three"]
for i, t in enumerate(raw):
    with open("%s/fuzz_text/raw-%02d" % (out, i), "wb") as fh:
        fh.write(bytes([1 | (i << 2)]) + t)
print("fuzz_expr: %d conditions; fuzz_text: %d texts" % (len(conds) + len(extra), len(texts) + len(escapes) + len(raw)))
EOF

# --- fuzz_save ---------------------------------------------------------------
if [ -x "$build/fuzz/fuzz_save" ]; then
    IWM_FUZZ_SAVE_SEEDS=$out/fuzz_save "$build/fuzz/fuzz_save" >/dev/null 2>&1
else
    echo "make_corpus.sh: no $build/fuzz/fuzz_save: save seeds not written" >&2
fi
printf '\000' >"$out/fuzz_save/empty"
printf '\000not a save\n' >"$out/fuzz_save/not-a-save"
printf '\001iwm-save 2\npack savefuzz\nchecksum 0000000000000000\n' >"$out/fuzz_save/newer"
printf '\001iwm-save 1\npack savefuzz\npack-version 1.0\npack-hash 0123456789abcdef\nseed 7\nsaved 2026-01-01T00:00:00Z\noption keeper aunt\noption mood storm\nstep hall wait\nstep hall keys\nstep hall yard\nstep yard gate\nstep lane gate\nchecksum 0\n' \
    >"$out/fuzz_save/edited"
for t in fuzz_pack fuzz_expr fuzz_save fuzz_text; do
    echo "$t: $(ls "$out/$t" | wc -l) seeds, $(cat "$out/$t"/* | wc -c) bytes"
done
