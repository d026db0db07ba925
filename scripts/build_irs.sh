#!/usr/bin/env bash
# Export every shipped model to FP32 IR and quantize each to INT8 under its recipe's budget.
# Usage: XEONSR_DATA=DIR ISA=vnni bash scripts/build_irs.sh     (on a VNNI/AMX CPU: the _int8 IRs)
#        XEONSR_DATA=DIR ISA=amx MODELS=dcscn bash scripts/build_irs.sh  (on an AMX CPU: _int8_amx,
#          shipped for DCSCN only, the one model they made faster there: docs/int8.md)
#        XEONSR_DATA=DIR ISA=avx2 bash scripts/build_irs.sh     (on an AVX2 CPU: the _int8_avx2 IRs)
# Each class's budget is checked on the CPU that builds it, so build each on its own class.
# Another store: IR_DIR=my_irs (exported there first). MODELS: space-separated names (default all).
set -u
XEONSR=${XEONSR:-xeonsr}
STORE=()
[ -n "${IR_DIR:-}" ] && STORE=(--ir-dir "$IR_DIR")
CLASS=()
[ -n "${ISA:-}" ] && CLASS=(--isa "$ISA")
$XEONSR export --data-dir "${XEONSR_DATA:?}" "${STORE[@]}" || exit 1
for w in xeonsr/weights/*.safetensors; do
  b=$(basename "$w" .safetensors); m=${b%_x*}; s=${b##*_x}
  if [ -n "${MODELS:-}" ] && [[ " $MODELS " != *" $m "* ]]; then continue; fi
  # --threads 1: QAT fine-tunes the same way on any machine (the shipped IRs were made so, but
  # FSRCNN's _int8_avx2 ones: 2 threads, as their reports record)
  $XEONSR quantize --model "$m" --scale "$s" --data-dir "$XEONSR_DATA" --threads 1 "${STORE[@]}" "${CLASS[@]}" \
    || echo "quantize $m x$s: FAILED"
done
