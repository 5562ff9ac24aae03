#!/usr/bin/env bash
# Saves a screenshot of the desktop app in a scripted state: stories260K loaded, two messages answered.
# Builds nothing: run it after building (scripts/vela.sh run, or cmake --build).
#   scripts/screenshot.sh [OUT.png]          default docs/screenshot.png
# Environment: VELA_BUILD_DIR (default build), VELA_TEST_DATA (default ../shared).
# The app grabs its own window (QWidget::grab) under a virtual X display, so the image is exact.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${VELA_BUILD_DIR:-$root/build}
data=${VELA_TEST_DATA:-$root/../shared}
out=$(realpath -m "${1:-$root/docs/screenshot.png}")
app=$build/ui/vela
[ -x "$app" ] || { echo "no $app: build first (scripts/vela.sh run)" >&2; exit 1; }
model=$data/models/stories260K.gguf
[ -f "$model" ] || { echo "no $model: set VELA_TEST_DATA" >&2; exit 1; }

chats=$(mktemp -d)
trap 'rm -rf "$chats"' EXIT
mkdir -p "$(dirname "$out")"
VELA_SCREENSHOT=$out xvfb-run -a -s "-screen 0 1280x800x24" \
    "$app" --data "$chats" --models "$data/models" --open "$model" --temp 0 --max-tokens 60 \
    --send "Once upon a time" --send "Lily and the big red ball"
echo "$out"
