#!/usr/bin/env bash
# The test command: install, then run every test (slow ones included) and the benchmark suite
# in its quick mode. Uses ../shared/datasets when XEONSR_DATA is unset.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export XEONSR_DATA=${XEONSR_DATA:-$(cd .. && pwd)/shared/datasets}
export XEONSR_CACHE=${XEONSR_CACHE:-$(mktemp -d)}
# Tests, then the benchmark suites once each in quick mode (timing off) so they cannot rot.
.venv/bin/python -m pytest tests "$@"
XEONSR_BENCH_QUICK=1 .venv/bin/python -m pytest benchmarks --benchmark-disable "$@"
