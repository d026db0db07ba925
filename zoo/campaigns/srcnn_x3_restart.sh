#!/usr/bin/env bash
# Campaign srcnn_x3_restart: the shipped SRCNN 9-1-5 x3 (srcnn_x3_border's final weights) given the
# warm restart that lifted srcnn-955 x3 twice (+0.019 dB BSD200-val each time) and srcnn x2: MSE,
# loss margin 1, warm-up to 3e-4 then cosine to 1e-6, EMA 0.999, --precision auto, here over 30000
# steps. Why: srcnn x3 had 28607 steps in all (a from-scratch phase stopped at 22607 of its 60000,
# then a 6000-step border phase at 1e-4), the fewest of any shipped x3 model.
# Released only if BSD200-val at the last step is >= 28.5226, 0.005 dB over the shipped model's
# 28.5176 (a tie is not worth new IRs; Set5/Set14 grade once at the end, never choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 3 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn_x3_border/srcnn_x3.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 32 --loss-margin 1 --batch-size 32 \
  --steps 30000 --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision auto --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 19 --out "${OUT:-zoo/campaigns/srcnn_x3_restart}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
