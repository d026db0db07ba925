#!/usr/bin/env bash
# The test command: install, then run the tests and the benchmark suite in its quick mode.
# Default: the slow-marked tests left out (about 10 minutes on 2 cores, the benchmark suite's quick
# run included); --all runs them too (CI: `bash scripts/test.sh --all`, about 21 minutes of tests
# on 2 AMD EPYC Zen 3 cores).
# Uses ../shared/datasets when XEONSR_DATA is unset. Other arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
marks="not ipex and not slow"
if [ "${1:-}" = "--all" ]; then
  marks="not ipex"  # the IPEX-marked tests run in their own environment (scripts/test_ipex.sh)
  shift
fi
bash scripts/setup_env.sh
export XEONSR_DATA=${XEONSR_DATA:-$(cd .. && pwd)/shared/datasets}
export XEONSR_CACHE=${XEONSR_CACHE:-$(mktemp -d)}
# Tests, then the benchmark suites once each in quick mode (timing off) so they cannot rot.
.venv/bin/python -m pytest tests -m "$marks" --durations=10 "$@"
XEONSR_BENCH_QUICK=1 .venv/bin/python -m pytest benchmarks --benchmark-disable "$@"
