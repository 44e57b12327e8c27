#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a bounded time.
#
#   Scripts/fuzz.sh [seconds-per-target] [target...]
#
# Targets (default: all): frame batch path-pattern url resp deflate. Seconds default to 60.
# Not part of Scripts/test.sh (too long).
#
# Build: `swift build -c debug --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address` in Fuzz/ (its
# own package and .build, so the main build is untouched). Both flags on purpose: SwiftPM's
# `--sanitize=fuzzer` makes it link libFuzzer's `main` rather than the target's, and the combined
# `-sanitize=fuzzer,address` comes last on every swiftc command line, which keeps only the last
# `-sanitize=` flag: with `--sanitize=fuzzer --sanitize=address` the code would get AddressSanitizer
# but no coverage instrumentation (libFuzzer then warns "no interesting inputs were found").
#
# Each target starts from its seed corpus, Fuzz/Corpus/<target>/ (committed, never written by
# this script; a <target>.dict beside it is its dictionary), plus what earlier runs found,
# .build-fuzz/corpus/<target>/ (gitignored). A crash, timeout (10 s per input) or out-of-memory
# input is saved to .build-fuzz/findings/<target>/; the script goes on with the other targets,
# then exits 1 naming the findings. Reproduce one with
# `Fuzz/.build/debug/fuzz-<target> .build-fuzz/findings/<target>/<file>`.
# Prints executions per second and total executions per target.
#   FUZZ_SKIP_BUILD=1: run the targets as last built (e.g. while another target still builds).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
all_targets=(frame batch path-pattern url resp deflate)

seconds=60
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
    if [[ ! " ${all_targets[*]} " == *" $target "* ]]; then
        echo "usage: $0 [seconds-per-target] [target...]; targets: ${all_targets[*]}" >&2
        exit 2
    fi
done

echo "== build the fuzz targets (Fuzz/, -sanitize=fuzzer,address)"
for target in "${targets[@]}"; do
    [ -z "${FUZZ_SKIP_BUILD:-}" ] || break
    (cd Fuzz && swift build -c debug --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --product "fuzz-$target")
done
bin=$root/Fuzz/.build/debug
work=$root/.build-fuzz

summary=()
found=()
for target in "${targets[@]}"; do
    corpus=$work/corpus/$target
    findings=$work/findings/$target
    log=$work/logs/$target.log
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1
        -artifact_prefix="$findings/")
    [ ! -f "Fuzz/Corpus/$target.dict" ] || options+=(-dict="Fuzz/Corpus/$target.dict")
    echo "== fuzz-$target for ${seconds}s (log: $log)"
    status=0
    # Swift's own crash backtracer reads memory in ways AddressSanitizer reports; libFuzzer and
    # AddressSanitizer print the stack of a finding themselves.
    SWIFT_BACKTRACE=enable=no "$bin/fuzz-$target" "${options[@]}" "$corpus" "Fuzz/Corpus/$target" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
    line="$target: ${execs:-?} executions, ${rate:-?} execs/s, ${coverage:-cov: ?}, corpus $(find "$corpus" -type f | wc -l) inputs"
    if [ "$status" -ne 0 ] || [ -n "$(find "$findings" -type f -print -quit)" ]; then
        line+=" -- FINDING (exit $status): $(find "$findings" -type f | tr '\n' ' ')"
        found+=("$target")
        grep -E "ERROR: |Fatal error|Precondition failed|SUMMARY" "$log" | head -5 || true
    fi
    echo "$line"
    summary+=("$line")
done

echo "== fuzz.sh summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#found[@]} -ne 0 ]; then
    echo "fuzz.sh: FAILED: findings for ${found[*]} in $work/findings/" >&2
    exit 1
fi
echo "fuzz.sh: no findings"
