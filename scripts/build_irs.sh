#!/usr/bin/env bash
# Export every shipped model to FP32 IR and quantize each to INT8 under its recipe's budget.
# Usage: XEONSR_DATA=DIR bash scripts/build_irs.sh
# A store for another CPU class, elsewhere: XEONSR_DATA=DIR ISA=avx2 IR_DIR=my_irs bash scripts/build_irs.sh
# (the shipped store is made for VNNI/AMX; `xeonsr upscale --ir-dir my_irs` takes an avx2-made
# INT8 IR first on 256-bit AVX2 CPUs).
set -u
XEONSR=${XEONSR:-xeonsr}
STORE=()
[ -n "${IR_DIR:-}" ] && STORE=(--ir-dir "$IR_DIR")
CLASS=()
[ -n "${ISA:-}" ] && CLASS=(--isa "$ISA")
$XEONSR export --data-dir "${XEONSR_DATA:?}" "${STORE[@]}" || exit 1
for w in xeonsr/weights/*.safetensors; do
  b=$(basename "$w" .safetensors); m=${b%_x*}; s=${b##*_x}
  # --threads 1: QAT fine-tunes the same way on any machine (the shipped IRs were made so)
  $XEONSR quantize --model "$m" --scale "$s" --data-dir "$XEONSR_DATA" --threads 1 "${STORE[@]}" "${CLASS[@]}" \
    || echo "quantize $m x$s: FAILED"
done
