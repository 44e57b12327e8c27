# Sourced by the test scripts: installs what they need and checks Node.
#
#   require_packages "<command that must work>" <debian package> [...]
#       runs each command; installs the packages of those that fail (apt-get update first),
#       as root, or fails with a clear message.
#   require_node 20
#       fails unless Node >= 20 is installed; sets node_flags (the global WebSocket flag).

require_packages() {
    local missing=()
    while [ $# -gt 1 ]; do
        bash -c "$1" >/dev/null 2>&1 || missing+=("$2")
        shift 2
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    echo "$(basename "$0"): installing ${missing[*]} (apt-get)"
    if [ "$(id -u)" -ne 0 ]; then
        echo "$(basename "$0"): FAILED: ${missing[*]} missing, and installing needs root (apt-get)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

require_node() {
    require_packages "node --version" nodejs
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    if [ "$major" -lt "$1" ]; then
        echo "$(basename "$0"): FAILED: Node $major is too old; Node $1 or later is needed" >&2
        exit 1
    fi
    node_flags=()
    if node --experimental-websocket -e '' >/dev/null 2>&1; then node_flags+=(--experimental-websocket); fi
}
