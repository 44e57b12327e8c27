#!/usr/bin/env bash
# Connection set-up cost: opens N WebSockets (default 10,000; 128 handshakes at a time) to the
# bare SwiftNIO upgrade server (the echo baseline) and to the Switchboard bench server with
# token authentication (`?token=bench-user`: a user id, so each connection joins its client and
# user rooms), in turn, and reports each server's CPU (user + system, /proc/<pid>/stat) per
# opened connection and its RSS growth per idle connection, with the ratio.
#
#   Benchmarks/Scripts/connect.sh [--connections 10000] [--rounds 3]
#   PIN=1 Benchmarks/Scripts/connect.sh     # server on CPU 1, load on CPU 0
set -euo pipefail
source "$(dirname "$0")/common.sh"

COUNT=10000 ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --connections) COUNT="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

build_release
raise_open_files
WORK="$(mktemp -d /tmp/switchboard-connect.XXXXXX)"
trap 'stop_server 2>/dev/null || true' EXIT

run_one() {
    local server="$1" query="$2"
    shift 2
    start_server "$server" "$@"
    sleep 1   # let the server settle before the "before" RSS
    on_client_cpu timeout 300 "$BIN/switchboard-load" --url "ws://127.0.0.1:$SERVER_PORT/ws$query" --idle "$COUNT" \
        --settle 1 --server-pid "$SERVER_PID" --json
    stop_server
}

echo "round,server,cpu_us_per_connection,kib_per_connection"
for round in $(seq "$ROUNDS"); do
    bare="$(run_one switchboard-echo-baseline "")"
    sb="$(run_one switchboard-bench-server "?token=bench-user" --token-prefix bench-)"
    for pair in "bare:$bare" "switchboard:$sb"; do
        name="${pair%%:*}"; json="${pair#*:}"
        cpu="$(sed -n 's/.*"server_cpu_microseconds_per_connection":\([0-9.]*\).*/\1/p' <<<"$json")"
        kib="$(sed -n 's/.*"kib_per_connection":\([0-9.]*\).*/\1/p' <<<"$json")"
        echo "$round,$name,$cpu,$kib"
    done
done
trap - EXIT
