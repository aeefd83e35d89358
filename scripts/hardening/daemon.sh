# Sourced by the hardening scripts: starts a release `tokengate serve` on a short temporary socket
# and stops it on exit. Set TOKENGATE_BIN to use another binary; DAEMON_ULIMIT_N to start the
# daemon under a small file descriptor limit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${TOKENGATE_BIN:-$root/.build-hardrel/release/tokengate}"
[ -x "$bin" ] || { echo "no tokengate binary at $bin: swift build -c release --scratch-path .build-hardrel" >&2; exit 1; }
dir="$(mktemp -d /tmp/tgh.XXXXXX)"
sock="$dir/d.sock"
daemon_pid=""
stop_daemon() {
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap stop_daemon EXIT
start_daemon() {
    if [ -n "${DAEMON_ULIMIT_N:-}" ]; then
        sh -c "ulimit -n $DAEMON_ULIMIT_N; exec \"\$0\" \"\$@\"" "$bin" serve --socket "$sock" "$@" >"$dir/daemon.log" 2>&1 &
    else
        "$bin" serve --socket "$sock" "$@" >"$dir/daemon.log" 2>&1 &
    fi
    daemon_pid=$!
    for _ in $(seq 1 500); do
        python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])" "$sock" 2>/dev/null && return 0
        sleep 0.02
    done
    echo "daemon did not start:" >&2; cat "$dir/daemon.log" >&2; exit 1
}
machine() {
    echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$bin" --version 2>/dev/null || true)"
}
