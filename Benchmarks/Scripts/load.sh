#!/usr/bin/env bash
# Request/response throughput of Switchboard routes against a bare SwiftNIO echo, in one run.
#
#   Benchmarks/Scripts/load.sh [--rounds 3] [--connections 50] [--inflight 16] [--body 64]
#                              [--warmup 2] [--duration 10]
#   PIN=1 Benchmarks/Scripts/load.sh      # servers on CPU 1, load on CPU 0
#
# Each round: bare echo baseline (start, load, stop), then the bench server (start, POST /echo and
# POST /echo-async, stop); the two routes take turns going first (odd rounds sync first, even
# rounds async first), so neither always pays for the drift of a long run. The server's CPU time is read from /proc/<pid>/stat by the load tool
# at the edges of the measured period. Figures are the median over rounds; ratios are against
# the baseline measured in the same run. Results (JSON lines) are kept in $WORK (printed).
set -euo pipefail
source "$(dirname "$0")/common.sh"

ROUNDS=3 CONNECTIONS=50 INFLIGHT=16 BODY=64 WARMUP=2 DURATION=10
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --connections) CONNECTIONS="$2"; shift 2 ;;
        --inflight) INFLIGHT="$2"; shift 2 ;;
        --body) BODY="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

build_release
raise_open_files
WORK="$(mktemp -d /tmp/switchboard-load.XXXXXX)"
RESULTS="$WORK/results.jsonl"
trap 'stop_server 2>/dev/null || true' EXIT

# run_load CASE PATH: one measured run against the server started last, appended to RESULTS.
run_load() {
    local case="$1" path="$2"
    local line
    line="$(on_client_cpu "$BIN/switchboard-load" --url "ws://127.0.0.1:$SERVER_PORT/ws" --path "$path" \
        --connections "$CONNECTIONS" --inflight "$INFLIGHT" --body "$BODY" \
        --warmup "$WARMUP" --duration "$DURATION" --server-pid "$SERVER_PID" --json)"
    echo "{\"case\":\"$case\",\"round\":$round,${line#\{}" >>"$RESULTS"
    echo "  round $round $case: $(echo "$line" | sed -n 's/.*"requests_per_second":\([0-9]*\).*/\1/p') req/s" >&2
}

echo "load: $CONNECTIONS connections × $INFLIGHT in flight, $BODY B bodies, warm-up $WARMUP s, measured $DURATION s, $ROUNDS round(s)" >&2
for round in $(seq "$ROUNDS"); do
    start_server switchboard-echo-baseline
    run_load echo /echo
    stop_server
    start_server switchboard-bench-server
    if [ $((round % 2)) -eq 1 ]; then
        run_load sync /echo
        run_load async /echo-async
    else
        run_load async /echo-async
        run_load sync /echo
    fi
    stop_server
done
trap - EXIT

python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
cases = ["echo", "sync", "async"]
names = {"echo": "bare NIO echo (baseline)", "sync": "Switchboard POST /echo (sync)", "async": "Switchboard POST /echo-async (async)"}
def median(case, key):
    values = [r[key] for r in rows if r["case"] == case and r.get(key) is not None]
    return statistics.median(values) if values else float("nan")
med = {c: {k: median(c, k) for k in ["requests_per_second", "p50_microseconds", "p99_microseconds", "server_cpu_microseconds_per_request", "errors"]} for c in cases}
print()
print(f"{'case':38} {'req/s':>9} {'p50 µs':>8} {'p99 µs':>8} {'CPU µs/req':>10} {'errors':>6}")
for c in cases:
    m = med[c]
    print(f"{names[c]:38} {m['requests_per_second']:9.0f} {m['p50_microseconds']:8.0f} {m['p99_microseconds']:8.0f} {m['server_cpu_microseconds_per_request']:10.2f} {m['errors']:6.0f}")
print()
rounds = sorted({r["round"] for r in rows})
def per_round(case, base, key):
    out = []
    for r in rounds:
        a = [x for x in rows if x["round"] == r and x["case"] == case]
        b = [x for x in rows if x["round"] == r and x["case"] == base]
        if a and b:
            out.append(a[0][key] / b[0][key])
    return out
def show(values):
    return ", ".join(f"{v:.2f}" for v in values)
# The targets: sync ≥ 95 % of the echo's requests/s at no more CPU per request than the echo;
# async CPU per request ≤ 1.5× the sync route's.
cpu_key, rps_key = "server_cpu_microseconds_per_request", "requests_per_second"
sync_tput = per_round("sync", "echo", rps_key)
sync_cpu = per_round("sync", "echo", cpu_key)
async_sync = per_round("async", "sync", cpu_key)
async_echo = per_round("async", "echo", cpu_key)
def verdict(ok):
    return "meets" if ok else "MISSES"
t, c = statistics.median(sync_tput), statistics.median(sync_cpu)
print(f"sync ÷ echo: requests/s {t:.2f} (per round {show(sync_tput)}; target ≥ 0.95: {verdict(t >= 0.95)}), "
      f"CPU per request {c:.2f} (per round {show(sync_cpu)}; target ≤ 1.00: {verdict(c <= 1.0)})")
a = statistics.median(async_sync)
print(f"async ÷ sync: CPU per request {a:.2f} (per round {show(async_sync)}; target ≤ 1.50: {verdict(a <= 1.5)})")
print(f"async ÷ echo: CPU per request {statistics.median(async_echo):.2f} (per round {show(async_echo)})")
PY
echo "raw results: $RESULTS" >&2
