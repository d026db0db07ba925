#!/usr/bin/env bash
# The second environment: torch 2.8 + intel-extension-for-pytorch 2.8 (IPEX's last release
# imports only beside torch 2.8.x), running the IPEX-marked tests against the native backend.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-ipex/bin/python ]; then
  ${PYTHON:-python3} -m venv .venv-ipex
fi
if ! .venv-ipex/bin/python -c "import intel_extension_for_pytorch, xeonsr, skimage, pytest" 2>/dev/null; then
  .venv-ipex/bin/pip install -q --disable-pip-version-check torch==2.8.0 intel-extension-for-pytorch==2.8.0 \
    numpy pillow scikit-image safetensors tqdm matplotlib pytest 2>&1 | grep -v "^WARNING: Location" || true
  # xeonsr itself without its pinned torch 2.13 (and without OpenVINO/NNCF, not needed here).
  .venv-ipex/bin/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
fi
export XEONSR_DATA=${XEONSR_DATA:-$(cd .. && pwd)/shared/datasets}
export XEONSR_CACHE=${XEONSR_CACHE:-$(mktemp -d)}
.venv-ipex/bin/python -m pytest tests/test_ipex.py -m ipex "$@"
