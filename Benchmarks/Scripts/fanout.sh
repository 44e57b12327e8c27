#!/usr/bin/env bash
# Fan-out benchmark (Benchmarks/FANOUT.md): one broadcast of a 64-byte push to 10,000 members of
# a room, deliveries counted at the clients; Switchboard against a bare SwiftNIO WebSocket
# server in the same run, printed as a table and a ratio.
#
#   Benchmarks/Scripts/fanout.sh                      # 10,000 members, K = 20, 3 rounds
#   CONNECTIONS=2000 ROUNDS=1 Benchmarks/Scripts/fanout.sh --broadcasts 5
#   CONNECTIONS=2000 ROUNDS=3 Benchmarks/Scripts/fanout.sh --delivery both   # reliable and volatile (DELIVERY.md)
#   CONNECTIONS=2000 ROUNDS=1 Benchmarks/Scripts/fanout.sh --modes switchboard,cluster   # two nodes over Redis
#   CONNECTIONS=1000 ROUNDS=5 BROADCASTS=100 Benchmarks/Scripts/fanout.sh --modes switchboard,switchboard-deflate --body json --payload 2048   # permessage-deflate
#
# Loopback only. Every wait is bounded (--timeout, default 30 s) and the whole run by
# FANOUT_TIME_LIMIT seconds (default 900).
set -euo pipefail
cd "$(dirname "$0")/.."

connections=${CONNECTIONS:-10000}
broadcasts=${BROADCASTS:-20}
rounds=${ROUNDS:-3}
time_limit=${FANOUT_TIME_LIMIT:-900}

# Each process holds one descriptor per connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((connections + 200)) ]; then
    echo "fanout.sh: $connections connections need $((connections + 200)) open files; ulimit -Hn is $(ulimit -Hn)" >&2
    exit 1
fi

source Scripts/common.sh
PRODUCTS=(switchboard-fanout)
build_release
bin="$BIN/switchboard-fanout"

echo "\$ switchboard-fanout run --connections $connections --broadcasts $broadcasts --rounds $rounds $*"
exec timeout --kill-after=10 "$time_limit" "$bin" run \
    --connections "$connections" --broadcasts "$broadcasts" --rounds "$rounds" "$@"
