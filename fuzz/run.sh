#!/bin/sh
# run.sh [SECONDS] [TARGET...]: builds the libFuzzer targets (if needed) and
# runs each for SECONDS (default 60) with
#   -timeout=1 -rss_limit_mb=512 -max_total_time=SECONDS -print_final_stats=1
# and its dictionary, on a working corpus (BUILD/fuzz-work/corpus/TARGET,
# where new inputs go) seeded from tests/fuzz/corpus/TARGET and
# tests/fuzz/regress/TARGET (read only: the inputs that once failed, each
# of which must now pass). TARGETs default to all five: fuzz_pack
# fuzz_expr fuzz_save fuzz_text fuzz_class. Prints one line per target (executions,
# rate, result) and exits 1 when any target found a crash, a leak, a
# timeout or an out-of-memory; the input is then in
# BUILD/fuzz-work/artifacts/TARGET/ and the log in BUILD/fuzz-work/logs/.
#
# Environment:
#   IWM_FUZZ_BUILD    the build directory (default: build-fuzz in the source tree)
#   IWM_FUZZ_NO_BUILD set to 1 to use the binaries as they are (CTest does)
#   IWM_FUZZ_JOBS     targets run at once (default 1; 2 uses two cores)
#   IWM_FUZZ_ARGS     more libFuzzer options, e.g. -max_len=65536
#   UBSAN_OPTIONS     halt_on_error=1 is added, so that a build with
#                     -DIWM_FUZZ_UBSAN_RECOVER=ON still stops at every report
#                     that a suppressions= file does not cover
# POSIX sh.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ "$#" -gt 0 ] && shift
targets=${*:-fuzz_pack fuzz_expr fuzz_save fuzz_text fuzz_class}
build=${IWM_FUZZ_BUILD:-$src/build-fuzz}
jobs=${IWM_FUZZ_JOBS:-1}
work=$build/fuzz-work

UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export UBSAN_OPTIONS

case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

if [ "${IWM_FUZZ_NO_BUILD:-0}" != 1 ]; then
    if [ ! -f "$build/CMakeCache.txt" ]; then
        cmake -S "$src" -B "$build" -DIWM_FUZZ=ON -DCMAKE_C_COMPILER=clang \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
    fi
    # shellcheck disable=SC2086
    cmake --build "$build" -j2 --target $targets >/dev/null || {
        echo "$0: build failed" >&2
        exit 2
    }
fi

dict_of() {
    case $1 in
    fuzz_expr) echo "$src/fuzz/expr.dict" ;;
    fuzz_save) echo "$src/fuzz/save.dict" ;;
    fuzz_class) echo "$src/fuzz/json.dict" ;;
    *) echo "$src/fuzz/yaml.dict" ;;
    esac
}

# run TARGET: runs one target; prints its summary line; exit status 0 when
# it found nothing.
run() {
    t=$1
    bin=$build/fuzz/$t
    if [ ! -x "$bin" ]; then
        echo "FAIL $t: no binary $bin"
        return 1
    fi
    mkdir -p "$work/corpus/$t" "$work/artifacts/$t" "$work/logs" "$src/tests/fuzz/regress/$t"
    log=$work/logs/$t.log
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$bin" -timeout=1 -rss_limit_mb=512 -max_total_time="$secs" -print_final_stats=1 \
        -dict="$(dict_of "$t")" -artifact_prefix="$work/artifacts/$t/" ${IWM_FUZZ_ARGS:-} \
        "$work/corpus/$t" "$src/tests/fuzz/corpus/$t" "$src/tests/fuzz/regress/$t" >"$log" 2>&1
    status=$?
    wall=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    found=$(ls "$work/artifacts/$t" 2>/dev/null | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | head -n 5 | tr '\n' ' ')
    line="$t: ${execs:-?} executions in ${wall} s (${rate:-?}/s, peak ${rss:-?} MB)"
    if [ "$status" -ne 0 ] || [ -n "$found" ]; then
        echo "FAIL $line: exit $status ${found:+artifacts: $found}(log: $log)"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz oracle|.*runtime error)' "$log" | head -n 5 | sed 's/^/    /'
        return 1
    fi
    echo "ok $line"
    return 0
}

failed=0
mkdir -p "$work"
set -- $targets
while [ "$#" -gt 0 ]; do
    i=0
    while [ "$i" -lt "$jobs" ] && [ "$#" -gt 0 ]; do
        t=$1
        shift
        rm -f "$work/$t.out" "$work/$t.rc"
        (run "$t" >"$work/$t.out" 2>&1; echo $? >"$work/$t.rc") &
        i=$((i + 1))
    done
    wait
done
for t in $targets; do
    cat "$work/$t.out" 2>/dev/null || echo "FAIL $t: did not run"
    [ "$(cat "$work/$t.rc" 2>/dev/null)" = 0 ] || failed=1
done
exit "$failed"
