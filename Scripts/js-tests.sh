#!/usr/bin/env bash
# Tests the JavaScript client (Clients/JavaScript): its node tests against the real demo server,
# and a type check of its declarations with tsc. Installs (apt-get, as root) what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, as pairs: a command that must work, then the package that provides it.
requirements=(
    "node --version" nodejs
    "tsc --version" node-typescript
)
missing=()
while [ ${#requirements[@]} -gt 1 ]; do
    bash -c "${requirements[0]}" >/dev/null 2>&1 || missing+=("${requirements[1]}")
    requirements=("${requirements[@]:2}")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "js-tests.sh: installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "js-tests.sh: FAILED: ${missing[*]} missing, and installing needs root (apt-get)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# The global WebSocket the tests use needs Node 20 (behind a flag there) or later.
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "js-tests.sh: FAILED: Node $major is too old; the tests need Node 20 or later" >&2
    exit 1
fi
flags=()
if node --experimental-websocket -e '' >/dev/null 2>&1; then flags+=(--experimental-websocket); fi

echo "== build the demo server the tests run"
swift build --product switchboard-demo

echo "== node tests (Clients/JavaScript/test)"
node "${flags[@]}" --test Clients/JavaScript/test/

echo "== tsc (Clients/JavaScript/example.ts against switchboard.d.ts)"
tsc -p Clients/JavaScript

echo "js-tests.sh: all JavaScript tests passed"
