#!/usr/bin/env bash
# Resident memory of room histories at the default limits (Benchmarks/DELIVERY.md): 10,000 rooms,
# each given 100 reliable pushes of a 200-byte JSON body through `server.sendToGroup`, VmRSS
# before and after.
#
#   Benchmarks/Scripts/history-memory.sh                              # 10,000 rooms × 100 × 200 B
#   Benchmarks/Scripts/history-memory.sh --rooms 1000 --body 4096     # rooms held by the 256 KiB bound
#
# The whole run is bounded by HISTORY_TIME_LIMIT seconds (default 240, under the histories'
# 5-minute age limit, which would start dropping pushes).
set -euo pipefail
cd "$(dirname "$0")/.."

time_limit=${HISTORY_TIME_LIMIT:-240}

swift build -c release --product switchboard-fanout
bin="$(swift build -c release --product switchboard-fanout --show-bin-path)/switchboard-fanout"

echo "\$ switchboard-fanout history $*"
exec timeout --kill-after=10 "$time_limit" "$bin" history "$@"
