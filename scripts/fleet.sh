#!/usr/bin/env bash
# A real-time fleet through the real daemon against a fake provider with a hard limit that charges
# each request a random 0-50 ms after its grant: prints the provider's refusals and the share of the
# limit served, for each provider model and algorithm. Usage: scripts/fleet.sh [SECONDS] [CLIENTS]
# (defaults 60 s, 24 clients; window 3 s, threshold 1.0, send margin 0.1 s).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
clients=${2:-24}
bin=${TOKENGATE_BIN:-.build-hardrel/release/tokengate}
[ -x "$bin" ] || { echo "fleet.sh: build first: swift build -c release --scratch-path .build-hardrel (or set TOKENGATE_BIN)" >&2; exit 2; }
echo "fleet.sh: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
for margin in 0 0.1; do
    "$bin" bench fleet --duration "$seconds" --clients "$clients" --send-margin "$margin" --provider window
done
"$bin" bench fleet --duration "$seconds" --clients "$clients" --provider bucket --algorithm sliding-window
"$bin" bench fleet --duration "$seconds" --clients "$clients" --provider bucket --algorithm token-bucket
