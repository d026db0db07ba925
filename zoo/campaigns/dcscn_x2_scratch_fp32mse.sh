#!/usr/bin/env bash
# Campaign dcscn_x2_scratch_fp32mse: dcscn_x2_scratch_mse again in fp32 throughout (its seed and
# batches), i.e. the recipe of dcscn_x2_mse (+0.018 dB on BSD200-val there) from dcscn_x2_scratch's final weights.
# Why: in both bf16 phases on the AMX Xeon (family 6 model 167) BSD200-val fell while the learning
# rate fell (scratch 32.594 -> 32.582 over steps 16000-18000; its MSE phase 32.605 -> 32.596 over
# 1000-4000) and came back only in the fp32 final tenth (32.599, 32.600). fp32 on every CPU, so a
# resume on any host continues the same computation. Released only if BSD200-val beats the
# shipped model's 32.600 by 0.005 dB or more (a tie is not worth new IRs; Set5/Set14 grade, never choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model dcscn --scale 2 \
  --init-from "${INIT:-zoo/campaigns/dcscn_x2_scratch/dcscn_x2.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 64 \
  --steps 5000 --lr 1e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 14 --out "${OUT:-zoo/campaigns/dcscn_x2_scratch_fp32mse}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
