#!/usr/bin/env bash
# Every shipped INT8 IR against its FP32 IR, interleaved in one run per model (compare_irs.py),
# on a Set14-sized LR input; three runs each. Run on a quiet machine; the CPU line comes first.
# ISA=avx2 times the IRs made for AVX2 CPUs (*_int8_avx2.xml: what `xeonsr upscale` runs on one)
# instead of the VNNI ones (*_int8.xml).
# Usage: [ISA=vnni|avx2] bash benchmarks/int8_vs_fp32.sh [THREADS] > benchmarks/results/int8_vs_fp32_<cpu>.txt
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
THREADS=${1:-2}
case "${ISA:-vnni}" in
  vnni) suffix=_int8 ;;
  avx2) suffix=_int8_avx2 ;;
  *) echo "int8_vs_fp32.sh: ISA must be vnni or avx2, not ${ISA}" >&2; exit 2 ;;
esac
$PY -m xeonsr.cli info | head -3
echo "input 160x140 LR, ${THREADS} threads, latency hint, this CPU's exact forms; IRs made for ${ISA:-vnni}; ratio = FP32 time / INT8 time"
for xml in xeonsr/openvino_models/*"${suffix}".xml; do
  fp32=${xml%"${suffix}".xml}_fp32.xml
  for run in 1 2 3; do
    echo "== $(basename "${xml%"${suffix}".xml}") run $run"
    $PY benchmarks/compare_irs.py --size 160x140 --threads "$THREADS" --rounds 6 --per-round 6 "$fp32" "$xml"
  done
done
