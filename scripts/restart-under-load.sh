#!/usr/bin/env bash
# Restart under load: 64 clients (the Python client, which reconnects by itself) acquire, hold
# and report while the daemon is killed with SIGKILL and restarted; a checker finds the most
# tokens granted in any window across the restarts, which must stay within the limit.
#   scripts/restart-under-load.sh [SECONDS] [KILLS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${TOKENGATE_BIN:-$root/.build-hardrel/release/tokengate}"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$root/scripts/hardening/restart.py" --binary "$bin" --clients 64 --duration "${1:-60}" --kills "${2:-3}" \
    --limit 200000 --window 10 --threshold 0.9 --hold 8
