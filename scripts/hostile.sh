#!/usr/bin/env bash
# Hostile and broken clients against a release daemon: partial lines, deaf subscribers, clients
# killed mid-acquire, connect/disconnect churn, then a daemon started with `ulimit -n 64`.
#   scripts/hostile.sh [CHURN_SECONDS]
source "$(dirname "$0")/hardening/daemon.sh"
churn=${1:-30}
start_daemon --no-state --window 2 --limit 100000 --log-level warning
machine
status=0
python3 "$root/scripts/hardening/hostile.py" --socket "$sock" --pid "$daemon_pid" --case partial --count 500 || status=1
python3 "$root/scripts/hardening/hostile.py" --socket "$sock" --pid "$daemon_pid" --case deaf --count 100 --timeout 60 || status=1
python3 "$root/scripts/hardening/hostile.py" --socket "$sock" --pid "$daemon_pid" --case killed --count 50 || status=1
python3 "$root/scripts/hardening/hostile.py" --socket "$sock" --pid "$daemon_pid" --case churn --threads 16 --duration "$churn" || status=1
stop_daemon; dir="$(mktemp -d /tmp/tgh.XXXXXX)"; sock="$dir/d.sock"
DAEMON_ULIMIT_N=64 start_daemon --no-state --window 2 --limit 100000 --log-level notice
python3 "$root/scripts/hardening/hostile.py" --socket "$sock" --pid "$daemon_pid" --case fdlimit --count 200 || status=1
grep -E "accept failed|accepting connections again" "$dir/daemon.log" | cut -c1-200
exit $status
