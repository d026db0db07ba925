#!/usr/bin/env bash
# Campaign srcnn_x4_restart: the shipped SRCNN 9-1-5 x4 (srcnn_x4_from_x3's final weights) given
# srcnn_x3_restart's warm restart: MSE, loss margin 1, warm-up to 3e-4 then cosine to 1e-6 over
# 30000 steps, EMA 0.999, --precision auto, LR patch 24 (96x96 HR, as srcnn_x4_from_x3).
# Why: srcnn x4 had 8000 steps at 1e-4 on top of the old srcnn x3, and that x3 rose by the
# restart (session 81, BSD200-val 28.518 -> see PLAN.md).
# Released only if BSD200-val at the last step is >= 26.9635, 0.005 dB over the shipped model's
# 26.9585 (a tie is not worth new IRs; Set5/Set14 grade once at the end, never choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 4 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn_x4_from_x3/srcnn_x4.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 32 \
  --steps 30000 --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision auto --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 20 --out "${OUT:-zoo/campaigns/srcnn_x4_restart}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
