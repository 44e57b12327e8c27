#!/usr/bin/env bash
# Runs every test of the project: the README's test command.
# Installs (apt-get, as root) whatever the tests need and the machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# shellcheck source=Scripts/require.sh
. Scripts/require.sh
# Debian packages the tests use: a command that must work, then the package that provides it.
require_packages \
    "python3 --version" python3 \
    "python3 -m venv --help" python3-venv \
    "python3 -m pip --version" python3-pip \
    "redis-server --version" redis-server \
    "openssl version" openssl \
    "test -e /usr/include/zlib.h" zlib1g-dev

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== build (warnings in our sources fail the run)"
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^$root/(Sources|Tests|Examples)/.*warning:" "$log"; then
    echo "test.sh: FAILED: the build has warnings" >&2
    exit 1
fi

echo "== swift test"
swift test --skip-build

echo "== RFC 6455 conformance (Autobahn|Testsuite cases 1-10)"
bash Scripts/autobahn.sh
echo "== RFC 6455 conformance of the Swift client (Autobahn|Testsuite client cases 1-10)"
bash Scripts/autobahn.sh --client

echo "== JavaScript client (node tests against the demo, tsc)"
bash Scripts/js-tests.sh

echo "== the demo page in headless Chromium"
bash Scripts/browser-tests.sh

echo "test.sh: all tests passed"
