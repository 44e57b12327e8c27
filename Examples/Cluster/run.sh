#!/usr/bin/env bash
# Two demo nodes joined by Redis: starts redis-server on 6390 and `switchboard-demo --redis` on
# 8081 and 8082. Open http://127.0.0.1:8081/ and http://127.0.0.1:8082/ in two tabs: both show
# the same boards (kept in Redis), and a chat line or a board change made on one page reaches the
# other, which talks to the other node.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/../.."
REDIS_PORT="${REDIS_PORT:-6390}"
command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install -y redis-server)" >&2; exit 1; }
swift build --product switchboard-demo
BIN="$(swift build --show-bin-path)/switchboard-demo"
folder="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$folder"; }
trap cleanup EXIT INT TERM
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$folder" >"$folder/redis.log" &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$BIN" --port 8081 --redis "redis://127.0.0.1:$REDIS_PORT" &
pids+=($!)
"$BIN" --port 8082 --redis "redis://127.0.0.1:$REDIS_PORT" &
pids+=($!)
echo "node 1: http://127.0.0.1:8081/   node 2: http://127.0.0.1:8082/   (health: /healthz)"
wait
