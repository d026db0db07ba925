#!/usr/bin/env bash
# Every shipped INT8 IR against its FP32 IR, interleaved in one run per model (compare_irs.py),
# on a Set14-sized LR input; three runs each. Run on a quiet machine; the CPU line comes first.
# Usage: bash benchmarks/int8_vs_fp32.sh [THREADS] > benchmarks/results/int8_vs_fp32_<cpu>.txt
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
THREADS=${1:-2}
$PY -m xeonsr.cli info | head -3
echo "input 160x140 LR, ${THREADS} threads, latency hint; ratio = FP32 time / INT8 time"
for xml in xeonsr/openvino_models/*_int8.xml; do
  fp32=${xml%_int8.xml}_fp32.xml
  for run in 1 2 3; do
    echo "== $(basename "${xml%_int8.xml}") run $run"
    $PY benchmarks/compare_irs.py --size 160x140 --threads "$THREADS" --rounds 6 --per-round 6 "$fp32" "$xml"
  done
done
