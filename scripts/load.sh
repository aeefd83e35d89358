#!/usr/bin/env bash
# Load: 1,000 concurrent connections with mixed operations for 60 s against a release daemon
# (5 s window, 1,000,000 tokens): no unexpected errors, no window over the limit, memory flat.
#   scripts/load.sh [CONNECTIONS] [SECONDS]
source "$(dirname "$0")/hardening/daemon.sh"
connections=${1:-1000}
seconds=${2:-60}
ulimit -n $((connections + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
start_daemon --no-state --window 5 --limit 1000000 --threshold 0.9 --log-level warning
machine
python3 "$root/scripts/hardening/load.py" --socket "$sock" --pid "$daemon_pid" --connections "$connections" \
    --duration "$seconds" --limit 1000000 --window 5 --threshold 0.9
echo "# daemon log: $(grep -c . "$dir/daemon.log") lines"; tail -n 5 "$dir/daemon.log"
