#!/bin/sh
# schema_check.sh IWM SOURCE_DIR
#
# Checks assets/pack.schema.json (the JSON Schema editors use) against the
# loader, which is the source of truth:
#   - every YAML file of every pack under story/, of the valid test packs
#     (tests/packs/saves, tests/packs/explore) that `IWM check` accepts, and
#     of a pack written by `IWM new` must pass the schema; `iwm new` must
#     write the schema beside the pack, identical to assets/pack.schema.json;
#   - every broken pack tests/packs/bad/NAME.yaml whose NAME.expect holds a
#     shape error (unknown-key, wrong-type, missing-key, or bad-value, which
#     in this format is always a pattern, a constant or a count) must FAIL
#     the schema. Packs whose defect a schema cannot see are skipped with
#     the reason (the order of keys, a key that is not a string).
# Other bad packs (duplicate keys, unknown names, conditions...) are not
# schema tests: JSON Schema cannot see them.
#
# YAML is read as an editor reads it (YAML 1.2 core schema: `yes` is text,
# `+5` is a number), not with PyYAML's YAML 1.1 defaults, and mapping keys
# are kept as written. Needs python3 with the jsonschema and yaml modules
# (Debian: python3-jsonschema python3-yaml); without them the test prints
# a skip line and passes. Prints "ok FILE" / "FAIL FILE: why" and
# "N passed, M failed"; exits 1 if any failed.

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
if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 is not installed: skipping the schema check"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
if ! python3 -c 'import jsonschema, yaml' >/dev/null 2>&1; then
    echo "python3 has no jsonschema or yaml module (apt-get install python3-jsonschema python3-yaml): skipping the schema check"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/iwm-schema.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# A pack from `iwm new`, validated like the story packs.
"$iwm" new "$tmp/new" >/dev/null || echo "FAIL iwm new: could not write a pack" >"$tmp/new-failed"

python3 - "$iwm" "$tmp" <<'EOF'
import glob, json, os, re, subprocess, sys

import jsonschema
import yaml

iwm, tmp = sys.argv[1], sys.argv[2]


class Core12(yaml.SafeLoader):
    """YAML 1.2 core schema, as editors (yaml-language-server) read YAML:
    only true/false are booleans, no timestamps, no merge keys, no octal
    '0755'; mapping keys stay the text they were written as."""


Core12.yaml_implicit_resolvers = {}
for tag, regexp, first in [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    Core12.add_implicit_resolver("tag:yaml.org,2002:" + tag, re.compile(regexp), list(first))


def construct_int(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith("0o"):
        return int(v[2:], 8)
    if v.startswith("0x"):
        return int(v[2:], 16)
    return int(v)


def construct_float(loader, node):
    v = loader.construct_scalar(node).lower()
    if v.lstrip("+-") == ".inf":
        return float("-inf") if v.startswith("-") else float("inf")
    if v == ".nan":
        return float("nan")
    return float(v)


def construct_mapping(loader, node):
    out = {}
    for k, v in node.value:
        if not isinstance(k, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(None, None, "a key that is not a single value", k.start_mark)
        out[k.value] = loader.construct_object(v, deep=True)
    return out


Core12.add_constructor("tag:yaml.org,2002:int", construct_int)
Core12.add_constructor("tag:yaml.org,2002:float", construct_float)
Core12.add_constructor("tag:yaml.org,2002:map", construct_mapping)

with open("assets/pack.schema.json", encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
# For readable messages: the branch a file means to be (a pack when it has
# 'format', else an included file), whose errors point inside the file.
branch = {k: jsonschema.Draft7Validator({"$ref": "#/definitions/" + k, "definitions": schema["definitions"]})
          for k in ("pack", "chapterFile")}

passed = failed = skipped = 0


def report(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok " + what)
    else:
        failed += 1
        print("FAIL %s: %s" % (what, why))


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=Core12)


def first_error(data):
    if validator.is_valid(data):
        return None
    which = "pack" if isinstance(data, dict) and "format" in data else "chapterFile"
    err = jsonschema.exceptions.best_match(branch[which].iter_errors(data))
    if err is None:  # valid as its branch, so invalid as the other one too
        err = jsonschema.exceptions.best_match(validator.iter_errors(data))
    where = "/".join(str(p) for p in err.absolute_path) or "(top)"
    return "%s: %s" % (where, err.message[:300])


def must_pass(path, label=None):
    label = label or path
    try:
        data = load(path)
    except Exception as e:  # a YAML error in a valid pack is a reader bug here
        report(False, label, "cannot read as YAML 1.2: %s" % str(e).replace("\n", " "))
        return
    err = first_error(data)
    report(err is None, label, "the schema refuses a valid file: " + (err or ""))


def pack_files(d):
    return sorted(glob.glob(os.path.join(d, "**", "*.yaml"), recursive=True))


# 1. The story packs: every YAML file must pass.
for packfile in sorted(glob.glob("story/**/pack.yaml", recursive=True)):
    for path in pack_files(os.path.dirname(packfile)):
        must_pass(path)

# 2. Valid test packs: whatever the loader accepts, the schema accepts.
for path in sorted(glob.glob("tests/packs/saves/*.yaml") + glob.glob("tests/packs/explore/*.yaml")):
    r = subprocess.run([iwm, "check", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode == 0:
        must_pass(path)

# 3. The pack `iwm new` writes, and the schema it writes beside it.
new = os.path.join(tmp, "new")
if os.path.exists(os.path.join(tmp, "new-failed")):
    report(False, "iwm new", "could not write a pack")
else:
    for path in pack_files(new):
        must_pass(path, "iwm new: " + os.path.relpath(path, new))
    written = os.path.join(new, "pack.schema.json")
    if not os.path.exists(written):
        report(False, "iwm new: pack.schema.json", "not written beside the pack (reconfigure the build?)")
    else:
        with open(written, encoding="utf-8") as f:
            same = json.load(f) == schema
        report(same, "iwm new: pack.schema.json", "differs from assets/pack.schema.json")

# 4. Broken packs with a shape error must fail.
SHAPE = {"unknown-key", "wrong-type", "missing-key", "bad-value"}
CANNOT_SEE = {
    "effect-when-not-first": "the order of keys ('when' first): JSON objects have none",
    "wrong-type-key": "a list as a key: JSON keys are strings, so the YAML cannot become JSON data",
}
for path in sorted(glob.glob("tests/packs/bad/*.yaml")):
    name = os.path.basename(path)[:-5]
    try:
        with open("tests/packs/bad/%s.expect" % name, encoding="utf-8") as f:
            codes = set(re.findall(r"\[([a-z0-9-]+)\]\s*$", f.read(), re.M))
    except OSError:
        continue
    if not codes & SHAPE:
        continue
    if name in CANNOT_SEE:
        skipped += 1
        print("skip %s: %s" % (path, CANNOT_SEE[name]))
        continue
    try:
        data = load(path)
    except Exception as e:
        report(False, path, "cannot read as YAML 1.2: %s" % str(e).replace("\n", " "))
        continue
    err = first_error(data)
    report(err is not None, path + (" (%s)" % err if err else ""),
           "the schema accepts it, but iwm check reports [%s]" % ", ".join(sorted(codes & SHAPE)))

print("%d passed, %d failed%s" % (passed, failed, ", %d skipped" % skipped if skipped else ""))
sys.exit(1 if failed else 0)
EOF
