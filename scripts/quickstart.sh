#!/usr/bin/env bash
# The main job on an embedded default: install, then evaluate bicubic and the shipped FSRCNN x3
# by the papers' protocol on photos that scikit-image ships (or on Set5 when XEONSR_DATA or
# --data-dir is given). Extra arguments go to `xeonsr eval`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
.venv/bin/xeonsr info
.venv/bin/xeonsr eval --model bicubic --scale 3 "$@"
.venv/bin/xeonsr eval --model fsrcnn --scale 3 "$@"
