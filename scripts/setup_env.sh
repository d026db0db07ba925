#!/usr/bin/env bash
# Create .venv (once) and install xeonsr with its test tools. torch is pinned to 2.13.0, the
# CPU build this machine's pip finds locally (an unpinned torch would pull a CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import xeonsr, torch, openvino, nncf, skimage, pytest, cv2, onnx, onnxruntime, threadpoolctl" 2>/dev/null; then
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
fi
.venv/bin/python -c "import xeonsr, torch" >/dev/null
