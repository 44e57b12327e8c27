#!/usr/bin/env bash
# Runs the Swift test suite under AddressSanitizer and/or ThreadSanitizer.
#
#   Scripts/sanitizers.sh [address|thread|all]     (default: all)
#
# Each sanitizer builds in its own scratch path (.build-asan, .build-tsan; gitignored), so the
# normal .build is never invalidated. A cold sanitizer build takes a long while on a small machine;
# run it with `nice -n 10` when others share the cores. Not part of Scripts/test.sh (too long).
#
# AddressSanitizer: leak detection is off (ASAN_OPTIONS=detect_leaks=0) because XCTest itself
#   leaks at exit on Linux; any other report stops the run and fails it.
# ThreadSanitizer: reports are collected for the whole run (halt_on_error=0) and fail it at the
#   end. Scripts/tsan-suppressions.txt is only for false reports of `Synchronization.Mutex` on
#   this toolchain, each entry naming its frame (see that file); nothing else is suppressed.
#   Scripts/tsan-reports.py then sets aside the reports whose two racing accesses are both
#   inside `Mutex.withLock` bodies (inlined, so no suppression can name them) and counts the rest.
#
# Tests that start external programs (redis-server, openssl) run as usual: the child processes
# are not instrumented, only our test process is. No test is filtered out.
#   SANITIZER_TEST_FILTER / SANITIZER_TEST_SKIP: optional `swift test --filter` / `--skip` values,
#   for running part of the suite while investigating a report.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
which_sanitizers="${1:-all}"

case "$which_sanitizers" in
    address) sanitizers=(address) ;;
    thread) sanitizers=(thread) ;;
    all) sanitizers=(address thread) ;;
    *) echo "usage: $0 [address|thread|all]" >&2; exit 2 ;;
esac

# One test at a time: sanitized code runs several times slower, and end-to-end tests run in
# parallel under a sanitizer on 2 cores miss their timings (23 of 450 failed that way here, and
# every one passed when run alone).
test_args=(--no-parallel)
[ -z "${SANITIZER_TEST_FILTER:-}" ] || test_args+=(--filter "$SANITIZER_TEST_FILTER")
[ -z "${SANITIZER_TEST_SKIP:-}" ] || test_args+=(--skip "$SANITIZER_TEST_SKIP")

failed=()
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        address)
            scratch=.build-asan
            pattern='ERROR: AddressSanitizer'
            export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1"
            ;;
        thread)
            scratch=.build-tsan
            pattern='WARNING: ThreadSanitizer'
            # exitcode=0: the reports are counted below (and the toolchain's false ones set
            # aside), so the exit status says only whether a test failed.
            export TSAN_OPTIONS="suppressions=$root/Scripts/tsan-suppressions.txt:halt_on_error=0:exitcode=0:second_deadlock_stack=1:print_suppressions=0"
            ;;
    esac
    log="$scratch/sanitizers-$sanitizer.log"
    mkdir -p "$scratch"
    echo "== build with --sanitize=$sanitizer (scratch path $scratch)"
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
    echo "== swift test under --sanitize=$sanitizer (full log: $log)"
    status=0
    swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "${test_args[@]}" \
        >"$log" 2>&1 || status=$?
    grep -E "Test run with|Executed [0-9]+ tests|$pattern|SUMMARY: " "$log" || true
    reports=$(grep -c "$pattern" "$log" || true)
    if [ "$sanitizer" = thread ] && [ "$reports" -ne 0 ]; then
        # `Mutex.withLock` is inlined, so no Mutex frame appears and a suppression cannot name
        # it. A report whose two racing accesses each run inside a closure passed to `withLock`
        # (a frame of each stack stands on a source line that calls `withLock`) is the
        # toolchain's false report; any other report still fails the run.
        reports=$(python3 Scripts/tsan-reports.py "$log")
    fi
    echo "sanitizers.sh: $sanitizer: swift test exit status $status, $reports sanitizer report(s)"
    if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then failed+=("$sanitizer"); fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "sanitizers.sh: FAILED under: ${failed[*]}" >&2
    exit 1
fi
echo "sanitizers.sh: all tests passed under: ${sanitizers[*]}"
