#!/usr/bin/env bash
# End to end with the official anthropic SDK (scripts/sdk-fleet/run.py): WORKERS processes gated by
# tokengate.anthropic.gated through a real daemon against a fake Anthropic server with a hard window
# or a token bucket (100,000 tokens per 10 s; daemon send margin 0.2 s).
# Usage: scripts/sdk-fleet.sh [SECONDS] [WORKERS] [THRESHOLD|default]   (defaults 60, 8, default)
# Needs a virtual environment with anthropic and ./assets/clients/python (.build-venv, as .ci/run makes).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TOKENGATE_BIN:-.build-hardrel/release/tokengate}
[ -x "$bin" ] || { echo "sdk-fleet.sh: build first: swift build -c release --scratch-path .build-hardrel (or set TOKENGATE_BIN)" >&2; exit 2; }
python=${TOKENGATE_PYTHON:-.build-venv/bin/python}
[ -x "$python" ] || { echo "sdk-fleet.sh: make the venv first: python3 -m venv .build-venv && .build-venv/bin/pip install anthropic ./assets/clients/python" >&2; exit 2; }
echo "sdk-fleet.sh: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg), $("$python" -c 'import anthropic; print("anthropic", anthropic.__version__)')"
exec "$python" scripts/sdk-fleet/run.py "$bin" "${1:-60}" "${2:-8}" "${3:-default}"
