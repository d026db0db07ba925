#!/usr/bin/env bash
# The main job on an embedded default: install; show the CPU; evaluate bicubic and the shipped
# FSRCNN x3 (OpenVINO INT8 IR) by the papers' protocol, printing PSNR and latency per image, on
# photos that scikit-image ships (on Set5 when XEONSR_DATA is set or --data-dir DIR is given);
# then upscale one photo and save a before/after crop. Extra arguments go to `xeonsr eval`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
X=.venv/bin/xeonsr
$X info
$X eval --model bicubic --scale 3 "$@"
$X eval --model fsrcnn --scale 3 --backend openvino --precision int8 "$@"
photo=$(.venv/bin/python -c "from xeonsr.evaluate import sample_photo_paths; print(sample_photo_paths()[0])")
mkdir -p runs/quickstart  # the quick start's own folder: a rerun replaces its results (--overwrite)
$X upscale "$photo" --scale 3 -o runs/quickstart/astronaut_x3.png --compare runs/quickstart/compare.png --overwrite
