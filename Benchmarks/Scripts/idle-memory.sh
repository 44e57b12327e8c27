#!/usr/bin/env bash
# Server memory per idle WebSocket: opens N idle connections (default 10,000) to the bare echo
# baseline and to the Switchboard bench server in turn, and reports each one's RSS growth
# (/proc/<pid>/status VmRSS) per connection.
#
#   Benchmarks/Scripts/idle-memory.sh [--connections 10000] [--settle 2]
set -euo pipefail
source "$(dirname "$0")/common.sh"

COUNT=10000 SETTLE=2
while [ $# -gt 0 ]; do
    case "$1" in
        --connections) COUNT="$2"; shift 2 ;;
        --settle) SETTLE="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

build_release
raise_open_files
WORK="$(mktemp -d /tmp/switchboard-idle.XXXXXX)"
trap 'stop_server 2>/dev/null || true' EXIT

for server in switchboard-echo-baseline switchboard-bench-server; do
    start_server "$server"
    sleep 1   # let the server settle before the "before" RSS
    echo "== $server" 
    timeout 300 "$BIN/switchboard-load" --url "ws://127.0.0.1:$SERVER_PORT/ws" --idle "$COUNT" \
        --settle "$SETTLE" --server-pid "$SERVER_PID" | tee "$WORK/$server.txt"
    stop_server
done
trap - EXIT
echo "target: Switchboard < 16 KiB per idle connection" 
