#!/usr/bin/env bash
# Soak: sustained load (200 connections, mixed operations, journal on) for 10 minutes; memory and
# latency at the start and at the end.
#   scripts/soak.sh [SECONDS] [CONNECTIONS]
source "$(dirname "$0")/hardening/daemon.sh"
seconds=${1:-600}
connections=${2:-200}
start_daemon --state "$dir/u.sqlite" --window 5 --limit 1000000 --threshold 0.9 --log-level warning
machine
python3 "$root/scripts/hardening/load.py" --socket "$sock" --pid "$daemon_pid" --connections "$connections" \
    --duration "$seconds" --limit 1000000 --window 5 --threshold 0.9
echo "# journal: $(du -h "$dir/u.sqlite" | cut -f1)"; tail -n 5 "$dir/daemon.log"
