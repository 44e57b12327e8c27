#!/usr/bin/env bash
# The demo page end to end in headless Chromium (Tests/Browser): builds the demo, installs
# Debian's chromium when it is missing, runs the test over the DevTools protocol with Node's
# global WebSocket. Screenshots: .build/browser-artifacts/. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=Scripts/require.sh
. Scripts/require.sh
require_node 20
require_packages "${CHROMIUM:-chromium} --version" chromium

echo "== build the demo server the test runs"
swift build --product switchboard-demo

echo "== headless Chromium against the demo (Tests/Browser)"
timeout 90 node "${node_flags[@]}" --test Tests/Browser/

echo "browser-tests.sh: the browser test passed; screenshots in .build/browser-artifacts/"
