# Shared by load.sh, connect.sh and fanout.sh: build, start and stop the servers. Source, don't run.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRODUCTS=(switchboard-load switchboard-echo-baseline switchboard-bench-server)

# Builds the three load products in release mode (not the ordo-one benchmark targets).
build_release() {
    # SwiftPM keeps the path dependency's file list in the build description: drop it, so files
    # added to the library since the last build are compiled too.
    rm -f "$BENCH_DIR/.build/release.yaml" "$BENCH_DIR"/.build/*/release/description.json
    for product in "${PRODUCTS[@]}"; do
        swift build -c release --package-path "$BENCH_DIR" --product "$product" >&2
    done
    BIN="$(swift build -c release --package-path "$BENCH_DIR" --show-bin-path)"
}

# Raises the open-file limit as far as allowed (10,000 idle connections need 10,000+ each side).
raise_open_files() {
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

# PIN=1: the server runs on CPU 1 and the load (run through `on_client_cpu`) on CPU 0, so the
# two do not take each other's core and the server's CPU per operation varies less between rounds.
PIN="${PIN:-0}"
SERVER_TASKSET=() CLIENT_TASKSET=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    SERVER_TASKSET=(taskset -c 1) CLIENT_TASKSET=(taskset -c 0)
fi

# on_client_cpu COMMAND [ARGS...] -- runs the load generator (pinned to CPU 0 with PIN=1).
on_client_cpu() {
    "${CLIENT_TASKSET[@]}" "$@"
}

# start_server NAME [ARGS...] -- sets SERVER_PID and SERVER_PORT; the server logs to $WORK/NAME.log.
start_server() {
    local name="$1"
    shift
    local log="$WORK/$name.log"
    "${SERVER_TASKSET[@]}" "$BIN/$name" --port 0 "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    SERVER_PORT=""
    for _ in $(seq 100); do
        SERVER_PORT="$(sed -n 's|^listening on ws://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -n1)"
        [ -n "$SERVER_PORT" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: $name did not start; its log:" >&2
    cat "$log" >&2
    exit 1
}

# Stops the server started last (SIGTERM, then SIGKILL after 15 s) and waits for it.
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 150); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}
