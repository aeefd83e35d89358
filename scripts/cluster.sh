#!/usr/bin/env bash
# Several hosts, one limit, in real time: 4 daemons with 16 connections each on one private
# redis-server against one fake provider with a hard sliding window, and right before them one
# daemon with the same 64 connections (`tokengate bench fleet --hosts 4 --clients 64
# --compare-single`): prints both JSON lines (refusals, served_share, max_window_tokens,
# host_spread, worker_spread, overtaken). Usage: scripts/cluster.sh [SECONDS] [LIMIT]
# (defaults 60 s, 240,000 tokens per 3 s window, some 490 grants per host in 60 s: enough that a
# host's share is measured to a percent; at 60,000 the sizes' spread alone moves it by several;
# threshold 1.0, send margin 0.1 s).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
limit=${2:-240000}
bin=${TOKENGATE_BIN:-.build-hardrel/release/tokengate}
[ -x "$bin" ] || { echo "cluster.sh: build first: swift build -c release --scratch-path .build-hardrel (or set TOKENGATE_BIN)" >&2; exit 2; }
command -v redis-server >/dev/null || [ -x /usr/sbin/redis-server ] || { echo "cluster.sh: redis-server is missing: apt install redis-server" >&2; exit 2; }
echo "cluster.sh: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" bench fleet --hosts 4 --clients 64 --compare-single --duration "$seconds" --limit "$limit" \
    --window 3 --threshold 1.0 --send-margin 0.1 --provider window
echo "cluster.sh: done $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
