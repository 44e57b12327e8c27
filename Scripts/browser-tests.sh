#!/usr/bin/env bash
# The demo page end to end in headless Chromium (Tests/Browser): builds the demo, installs
# Debian's chromium when it is missing, runs the test over the DevTools protocol with Node's
# global WebSocket. Screenshots: .build/browser-artifacts/. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
    echo "browser-tests.sh: FAILED: node is not installed (Node 20 or later is needed)" >&2
    exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "browser-tests.sh: FAILED: Node $major is too old; the test needs Node 20 or later" >&2
    exit 1
fi
flags=()
if node --experimental-websocket -e '' >/dev/null 2>&1; then flags+=(--experimental-websocket); fi

if ! command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1; then
    echo "== install chromium (apt-get)"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >/dev/null
fi

echo "== build the demo server the test runs"
swift build --product switchboard-demo

echo "== headless Chromium against the demo (Tests/Browser)"
timeout 90 node "${flags[@]}" --test Tests/Browser/

echo "browser-tests.sh: the browser test passed; screenshots in .build/browser-artifacts/"
