#!/usr/bin/env bash
# Request/response throughput of Switchboard routes against a bare SwiftNIO echo, in one run.
#
#   Benchmarks/Scripts/load.sh [--rounds 3] [--connections 50] [--inflight 16] [--body 64]
#                              [--warmup 2] [--duration 10]
#   PIN=1 Benchmarks/Scripts/load.sh      # servers on CPU 1, load on CPU 0
#
# Each round: bare echo baseline (start, load, stop), then the bench server (start, POST /echo,
# POST /echo-async, stop). The server's CPU time is read from /proc/<pid>/stat by the load tool
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
    run_load sync /echo
    run_load async /echo-async
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
echo = med["echo"]
targets = {"sync": 0.85, "async": 0.50}
for c in ["sync", "async"]:
    tput = med[c]["requests_per_second"] / echo["requests_per_second"]
    cpu = echo["server_cpu_microseconds_per_request"] / med[c]["server_cpu_microseconds_per_request"]
    per_round = []
    for r in sorted({r["round"] for r in rows}):
        e = [x for x in rows if x["round"] == r and x["case"] == "echo"]
        s = [x for x in rows if x["round"] == r and x["case"] == c]
        if e and s:
            per_round.append(f"{s[0]['requests_per_second'] / e[0]['requests_per_second']:.0%}")
    verdict = "meets" if tput >= targets[c] else "BELOW"
    print(f"{c}/echo: throughput {tput:.0%} (target ≥{targets[c]:.0%}: {verdict}; per round {', '.join(per_round)}), "
          f"CPU efficiency (echo µs/req ÷ {c} µs/req) {cpu:.0%}")
PY
echo "raw results: $RESULTS" >&2
