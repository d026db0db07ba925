#!/usr/bin/env bash
# Export every shipped model to FP32 IR and quantize each to INT8 under its recipe's budget.
# Usage: XEONSR_DATA=DIR bash scripts/build_irs.sh
set -u
XEONSR=${XEONSR:-xeonsr}
$XEONSR export --data-dir "${XEONSR_DATA:?}" || exit 1
for w in xeonsr/weights/*.safetensors; do
  b=$(basename "$w" .safetensors); m=${b%_x*}; s=${b##*_x}
  # --threads 1: QAT fine-tunes the same way on any machine (the shipped IRs were made so)
  $XEONSR quantize --model "$m" --scale "$s" --data-dir "$XEONSR_DATA" --threads 1 || echo "quantize $m x$s: FAILED"
done
