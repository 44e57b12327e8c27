#!/usr/bin/env bash
# RFC 6455 conformance: runs the Autobahn|Testsuite cases 1.* to 10.* (there is no group 8)
# against the server's raw echo endpoint (Configuration.rawEchoMode), with PyPI's `kosoku`
# (the suite's case files under Python 3). Fails on any FAILED, UNCLEAN or WRONG CODE result;
# OK, NON-STRICT and INFORMATIONAL pass.
# With --client, kosoku is the server (fuzzingserver mode) and the Swift client's WebSocket
# layer (Examples/AutobahnClient, RawWebSocketConnection) runs the same cases against it.
# With --compression, runs the permessage-deflate cases 12.* and 13.* instead, against the
# echo endpoint with Configuration.compression on, or with --client --compression against the
# client with ClientConfiguration.compression on (about ten minutes here, so not in test.sh).
# A run is stopped after 15 minutes (30 with --compression).
# Usage: bash Scripts/autobahn.sh [--client] [--compression] [extra kosoku -i/-x options]
set -euo pipefail
cd "$(dirname "$0")/.."

mode=server
limit=900
cases=(-i '1.*' -i '2.*' -i '3.*' -i '4.*' -i '5.*' -i '6.*' -i '7.*' -i '9.*' -i '10.*')
echo_options=()
client_options=()
while [ $# -gt 0 ]; do
    case "$1" in
        --client) mode=client; shift ;;
        --compression) shift; cases=(-i '12.*' -i '13.*'); echo_options=(--compression); client_options=(--compression); limit=1800 ;;
        *) break ;;
    esac
done

venv=.build/autobahn-venv
if [ ! -x "$venv/bin/kosoku" ]; then
    # The first Python on PATH with a working venv module (Debian's needs python3-venv, which
    # Scripts/test.sh installs).
    python=""
    for candidate in python3 /usr/bin/python3; do
        if "$candidate" -m venv --help >/dev/null 2>&1; then python=$candidate; break; fi
    done
    [ -n "$python" ] || { echo "autobahn.sh: no python3 with the venv module (apt-get install python3-venv)" >&2; exit 1; }
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet kosoku
fi

out=$(mktemp -d)
log="$out/server.log"
status=0
if [ "$mode" = server ]; then
    swift build --product switchboard-autobahn-echo
    .build/debug/switchboard-autobahn-echo 0 "${echo_options[@]}" >"$log" 2>&1 &
    server=$!
    trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT

    for _ in $(seq 1 100); do
        grep -q "listening on" "$log" && break
        sleep 0.1
    done
    url=$(grep -o 'ws://[^ ]*' "$log" | head -1)
    [ -n "$url" ] || { echo "autobahn.sh: the echo server did not start" >&2; cat "$log" >&2; exit 1; }

    timeout "$limit" "$venv/bin/kosoku" "$url" -o "$out/reports" "${cases[@]}" "$@" || status=$?
else
    swift build --product switchboard-autobahn-client
    # kosoku binds a free port and says which on stderr; it exits once the client asked for the reports.
    timeout "$limit" "$venv/bin/kosoku" -m fuzzingserver 127.0.0.1:0 -o "$out/reports" "${cases[@]}" "$@" >"$log" 2>&1 &
    server=$!
    trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT

    for _ in $(seq 1 300); do
        grep -q "listening on" "$log" && break
        sleep 0.1
    done
    url=$(grep -o 'ws://[^ ]*' "$log" | head -1)
    [ -n "$url" ] || { echo "autobahn.sh: kosoku did not start" >&2; cat "$log" >&2; exit 1; }

    if timeout "$limit" .build/debug/switchboard-autobahn-client "$url" switchboard "${client_options[@]}"; then
        wait "$server" || status=$?
    else
        status=1
        kill "$server" 2>/dev/null || true
    fi
    cat "$log"
fi

checked=0
python3 - "$out/reports" <<'PY' || checked=$?
import collections, glob, json, sys
counts, bad = collections.Counter(), []
for path in glob.glob(sys.argv[1] + "/*.json"):
    result = json.load(open(path))
    if "case" not in result and "id" not in result:
        continue
    behaviours = (result.get("behavior"), result.get("behaviorClose"))
    counts[behaviours[0]] += 1
    if any(b in ("FAILED", "UNCLEAN", "WRONG CODE") for b in behaviours):
        bad.append(f'{result.get("id")}: {behaviours}')
print("autobahn:", ", ".join(f"{n} {b}" for b, n in sorted(counts.items(), key=str)))
for line in sorted(bad):
    print("  ", line)
if not counts:
    print("   no case results were written")
sys.exit(1 if bad or not counts else 0)
PY
if [ "$status" -ne 0 ] || [ "$checked" -ne 0 ]; then
    echo "autobahn.sh: FAILED" >&2
    exit 1
fi
echo "autobahn.sh: all cases passed"
