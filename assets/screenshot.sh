#!/usr/bin/env bash
# Makes assets/dashboard.png from a real run: builds tokengate, runs `tokengate demo` in a private
# tmux server at 100x30 for 90 s (the 30 s window fills, a queue forms, 429 cooldowns come and go,
# and the history chart, 10 s a column at this width, has some minutes to show), captures the pane
# with its colours (`capture-pane -e -p`) and renders it with assets/render-ansi.py.
#
#   assets/screenshot.sh                      # build into .build, write assets/dashboard.png
#   SCRATCH_PATH=.build-e2e SECONDS_BEFORE_CAPTURE=25 OUTPUT=/tmp/d.png KEEP_CAPTURE=/tmp/d.ansi \
#       assets/screenshot.sh
#
# Needs tmux, Pillow and DejaVu Sans Mono; on Debian it installs the missing ones with apt-get.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scratch=${SCRATCH_PATH:-.build}
wait_seconds=${SECONDS_BEFORE_CAPTURE:-90}
columns=100
rows=30
output=${OUTPUT:-assets/dashboard.png}

# --- dependencies -------------------------------------------------------------------------------
python=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import PIL' 2>/dev/null; then
        python=$candidate
        break
    fi
done
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ -n "$python" ] || missing+=(python3 python3-pil)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "screenshot.sh: missing ${missing[*]} (install them: tmux, Pillow, DejaVu Sans Mono)" >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "screenshot.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    [ -n "$python" ] || python=/usr/bin/python3
fi

# --- build --------------------------------------------------------------------------------------
swift build --scratch-path "$scratch" --product tokengate
binary="$(swift build --scratch-path "$scratch" --show-bin-path)/tokengate"

# --- run the demo in a private tmux server ------------------------------------------------------
work=$(mktemp -d /tmp/tg-shot-XXXXXX)
server="tg-shot-$$"
export TMUX_TMPDIR="$work"   # the server's socket lives here, away from the user's tmux
unset TMUX
tmux_() { tmux -L "$server" -f "$work/tmux.conf" -u "$@"; }
cleanup() {
    tmux_ kill-server >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# 256 colours so that the dashboard's grey (muted) text is grey; no status line.
cat >"$work/tmux.conf" <<'EOF'
set -g default-terminal tmux-256color
set -g status off
EOF
tmux_ new-session -d -s shot -x "$columns" -y "$rows" \
    "env LC_ALL=C.UTF-8 '$binary' demo; sleep 5"

# Wait for the dashboard, then let the traffic build up.
for _ in $(seq 1 300); do
    tmux_ capture-pane -p -t shot | grep -q "RUNNING" && break
    sleep 0.1
done
if ! tmux_ capture-pane -p -t shot | grep -q "RUNNING"; then
    echo "screenshot.sh: the demo's dashboard did not come up; the pane shows:" >&2
    tmux_ capture-pane -p -t shot >&2
    exit 1
fi
sleep "$wait_seconds"
tmux_ capture-pane -e -p -t shot >"$work/capture.ansi"
tmux_ send-keys -t shot q
[ -z "${KEEP_CAPTURE:-}" ] || cp "$work/capture.ansi" "$KEEP_CAPTURE"

"$python" assets/render-ansi.py "$work/capture.ansi" "$output" \
    --columns "$columns" --rows "$rows" --title "tokengate demo"
echo "wrote $output"
