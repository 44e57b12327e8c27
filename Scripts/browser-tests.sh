#!/usr/bin/env bash
# The demo page end to end in headless Chromium (Tests/Browser): builds the demo, installs
# Debian's chromium and redis-server when they are missing, runs the tests over the DevTools
# protocol with Node's global WebSocket: the demo as one node (demo.test.mjs), and as two nodes
# joined by a redis-server of the test's own (cluster.test.mjs). Screenshots:
# .build/browser-artifacts/. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=Scripts/require.sh
. Scripts/require.sh
require_node 20
require_packages "${CHROMIUM:-chromium} --version" chromium "redis-server --version" redis-server

echo "== build the demo server the test runs"
swift build --product switchboard-demo
SWITCHBOARD_DEMO="$(swift build --show-bin-path)/switchboard-demo"
export SWITCHBOARD_DEMO

echo "== headless Chromium against the demo, one node and two (Tests/Browser)"
# The files run one after the other (the machine may have two cores): together ≈ 30 s here
# (the cluster test ≈ 15 s, most of it waiting for the killed node's 10 s lease).
timeout 180 node "${node_flags[@]}" --test --test-concurrency=1 Tests/Browser/

echo "browser-tests.sh: the browser tests passed; screenshots in .build/browser-artifacts/"
