#!/usr/bin/env bash
# Campaign fsrcnn_x3_restart: the shipped FSRCNN x3 (fsrcnn_x3_border's final weights) given the
# warm restart that raised srcnn-955 x3 twice (+0.049 and +0.019 dB on BSD200-val): MSE, loss margin
# 1, 20000 steps, warm-up to 3e-4 then cosine to 1e-6, EMA 0.999, fp32 (FSRCNN's phases all ran fp32),
# seed 18. Why: FSRCNN x3's Set5 margin over the paper (33.213 vs 33.16) is among the zoo's smallest.
# Released only if BSD200-val at the last step is >= 28.825, 0.005 dB over the shipped model's
# 28.820 (a tie is not worth new IRs; Set5/Set14 grade once at the end, never choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model fsrcnn --scale 3 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/fsrcnn_x3_border/fsrcnn_x3.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 32 --loss-margin 1 --batch-size 32 \
  --steps 20000 --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads "${THREADS:-1}" \
  --val-every 2000 --checkpoint-every 1000 --seed 18 --out "${OUT:-zoo/campaigns/fsrcnn_x3_restart}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
