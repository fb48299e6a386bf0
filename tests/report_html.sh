#!/bin/sh
# tests/report_html.sh IWM SOURCE_DIR [TEST_REPORT]: renders the HTML
# reports in a headless Chromium, in light and in dark mode, and checks
# that each screenshot is a page and not a blank one; then prints the
# playthrough report to PDF and checks it fits on one or two A4 pages.
#
# The reports come from the unit test program (tests/test_report), which
# writes the default story's HTML report and a class summary when
# IWM_REPORT_HTML_OUT names a file. TEST_REPORT defaults to
# tests/test_report beside IWM. Skipped (exit 0) when no Chromium is
# installed. No python here: "not blank" is a PNG larger than a threshold
# that differs from a screenshot of an empty page in the same mode.
# Set IWM_REPORT_KEEP=DIR to keep the screenshots and the PDF there.
set -u

IWM=${1:?usage: report_html.sh IWM SOURCE_DIR [TEST_REPORT]}
SRC=${2:?usage: report_html.sh IWM SOURCE_DIR [TEST_REPORT]}
: "$SRC"

BROWSER=
for b in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then
        BROWSER=$b
        break
    fi
done
if [ -z "$BROWSER" ]; then
    echo "skip: report_html: no chromium installed"
    exit 0
fi
TEST=${3:-$(dirname "$IWM")/tests/test_report}
if [ ! -x "$TEST" ]; then
    echo "report_html: no test program at $TEST" >&2
    exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/iwm-report-html.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT INT TERM
fail=0

# The reports.
if ! IWM_REPORT_HTML_OUT="$WORK/report.html" "$TEST" >"$WORK/test.log" 2>&1 ||
    [ ! -s "$WORK/report.html" ] || [ ! -s "$WORK/report.html.class.html" ]; then
    cat "$WORK/test.log" >&2
    echo "report_html: the test program did not write the reports" >&2
    exit 1
fi
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>empty</title><style>:root{color-scheme:light dark}</style></head><body></body></html>\n' >"$WORK/empty.html"

TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 120"

# shoot IN OUT [FLAGS...]: a 900x1300 screenshot of file IN.
shoot() {
    in=$1
    out=$2
    shift 2
    profile=$(mktemp -d "$WORK/profile.XXXXXX")
    $TIMEOUT "$BROWSER" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
        --user-data-dir="$profile" "$@" --screenshot="$out" --window-size=900,1300 \
        "file://$in" >"$WORK/browser.log" 2>&1
    if [ ! -s "$out" ]; then
        cat "$WORK/browser.log" >&2
        echo "report_html: $BROWSER wrote no screenshot of $in" >&2
        return 1
    fi
}

size() { wc -c <"$1" | tr -d ' '; }

# Dark mode: the flag that works differs between Chromium versions; the
# empty page (color-scheme: light dark) turns dark when one does.
shoot "$WORK/empty.html" "$WORK/empty-light.png" || exit 1
DARK=
for flag in --force-dark-mode --blink-settings=preferredColorScheme=0; do
    shoot "$WORK/empty.html" "$WORK/empty-dark.png" "$flag" || exit 1
    if ! cmp -s "$WORK/empty-light.png" "$WORK/empty-dark.png"; then
        DARK=$flag
        break
    fi
done
if [ -z "$DARK" ]; then
    echo "report_html: could not make $BROWSER prefer a dark colour scheme" >&2
    exit 1
fi

# A page rendered: larger than MIN bytes, unlike the empty page in its mode.
MIN=30000
check() {
    png=$1
    empty=$2
    what=$3
    n=$(size "$png")
    if [ "$n" -lt "$MIN" ]; then
        echo "FAIL $what: the screenshot is $n bytes, a blank page?" >&2
        fail=1
    elif cmp -s "$png" "$empty"; then
        echo "FAIL $what: the screenshot is the same as an empty page" >&2
        fail=1
    else
        echo "ok $what ($n bytes)"
    fi
}

for page in report.html report.html.class.html; do
    shoot "$WORK/$page" "$WORK/$page-light.png" || exit 1
    shoot "$WORK/$page" "$WORK/$page-dark.png" "$DARK" || exit 1
    check "$WORK/$page-light.png" "$WORK/empty-light.png" "$page, light"
    check "$WORK/$page-dark.png" "$WORK/empty-dark.png" "$page, dark ($DARK)"
    if cmp -s "$WORK/$page-light.png" "$WORK/$page-dark.png"; then
        echo "FAIL $page: dark mode looks the same as light mode" >&2
        fail=1
    fi
done

# Print: one or two A4 pages. Chromium's PDF keeps each page's dictionary
# uncompressed, so the pages can be counted with grep.
profile=$(mktemp -d "$WORK/profile.XXXXXX")
$TIMEOUT "$BROWSER" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --no-pdf-header-footer --print-to-pdf-no-header --print-to-pdf="$WORK/report.pdf" \
    "file://$WORK/report.html" >"$WORK/browser.log" 2>&1
if [ -s "$WORK/report.pdf" ]; then
    pages=$(grep -a -o '/Type */Pages*' "$WORK/report.pdf" | grep -c 'Page$')
    if [ "$pages" -eq 0 ]; then
        echo "note: could not count the PDF's pages"
    elif [ "$pages" -gt 2 ]; then
        echo "FAIL print: the report prints on $pages pages (at most 2)" >&2
        fail=1
    else
        echo "ok print ($pages A4 page(s))"
    fi
else
    echo "note: $BROWSER printed no PDF; the print layout is not checked"
fi

if [ -n "${IWM_REPORT_KEEP:-}" ]; then
    mkdir -p "$IWM_REPORT_KEEP" && cp "$WORK"/*.png "$WORK"/*.html "$WORK"/*.pdf "$IWM_REPORT_KEEP"/ 2>/dev/null
    echo "kept in $IWM_REPORT_KEEP"
fi
exit $fail
