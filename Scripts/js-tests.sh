#!/usr/bin/env bash
# Tests the JavaScript client (Clients/JavaScript): its node tests against the real demo server,
# and a type check of its declarations with tsc. Installs (apt-get, as root) what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=Scripts/require.sh
. Scripts/require.sh
require_node 20
require_packages "tsc --version" node-typescript

echo "== build the demo server the tests run"
swift build --product switchboard-demo

echo "== node tests (Clients/JavaScript/test)"
node "${node_flags[@]}" --test Clients/JavaScript/test/

echo "== tsc (Clients/JavaScript/example.ts against switchboard.d.ts)"
tsc -p Clients/JavaScript

echo "js-tests.sh: all JavaScript tests passed"
