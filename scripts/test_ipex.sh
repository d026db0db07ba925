#!/usr/bin/env bash
# The second environment: torch 2.8 + intel-extension-for-pytorch 2.8 (IPEX's last release
# imports only beside torch 2.8.x), running the IPEX-marked tests against the native backend.
set -euo pipefail
cd "$(dirname "$0")/.."
pip_quiet() {
  # pip's own failure must fail this script (a filtered pipe would hide it), but its
  # "WARNING: Location" chatter about the local index is noise.
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    grep -v "^WARNING: Location" "$log" >&2 || true
    rm -f "$log"
    return 1
  fi
  grep -v "^WARNING: Location" "$log" || true
  rm -f "$log"
}
if [ ! -x .venv-ipex/bin/python ]; then
  ${PYTHON:-python3} -m venv .venv-ipex
fi
if ! .venv-ipex/bin/python -c "import intel_extension_for_pytorch, xeonsr, skimage, pytest" 2>/dev/null; then
  # torch 2.8 on PyPI is the CUDA build: about 7 GB installed. --no-cache-dir keeps pip from
  # holding a second copy of its wheels (3+ GB) on a disk that other jobs share.
  free_gb=$(df -Pk . | awk 'NR==2 {print int($4 / 1048576)}')
  if [ "$free_gb" -lt 9 ]; then
    echo "test_ipex.sh: ${free_gb} GB free here; the torch 2.8 + IPEX environment needs about 9 GB" >&2
    exit 1
  fi
  pip_quiet .venv-ipex/bin/pip install -q --no-cache-dir --disable-pip-version-check \
    torch==2.8.0 intel-extension-for-pytorch==2.8.0 \
    numpy pillow scikit-image safetensors tqdm matplotlib pytest
  # xeonsr itself without its pinned torch 2.13 (and without OpenVINO/NNCF, not needed here).
  pip_quiet .venv-ipex/bin/pip install -q --no-cache-dir --disable-pip-version-check --no-deps -e .
fi
export XEONSR_DATA=${XEONSR_DATA:-$(cd .. && pwd)/shared/datasets}
export XEONSR_CACHE=${XEONSR_CACHE:-$(mktemp -d)}
.venv-ipex/bin/python -m pytest tests/test_ipex.py -m ipex "$@"
