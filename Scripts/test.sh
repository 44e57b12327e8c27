#!/usr/bin/env bash
# Runs every test of the project: the README's test command.
# Installs (apt-get, as root) whatever the tests need and the machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Debian packages the tests use, as pairs: a command that must work, then the package that
# provides it. The commands are run (not just looked up), so a half-installed tool counts as
# missing.
requirements=(
    "python3 --version" python3
    "python3 -m venv --help" python3-venv
    "python3 -m pip --version" python3-pip
    "openssl version" openssl
    "test -e /usr/include/zlib.h" zlib1g-dev
)

install_missing() {
    local missing=()
    while [ $# -gt 1 ]; do
        bash -c "$1" >/dev/null 2>&1 || missing+=("$2")
        shift 2
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "test.sh: installing ${missing[*]}"
        if [ "$(id -u)" -ne 0 ]; then
            echo "test.sh: FAILED: ${missing[*]} missing, and installing needs root (apt-get)" >&2
            exit 1
        fi
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
}
install_missing "${requirements[@]}"

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

echo "== JavaScript client (node tests against the demo, tsc)"
bash Scripts/js-tests.sh

echo "test.sh: all tests passed"
