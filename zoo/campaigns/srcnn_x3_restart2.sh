#!/usr/bin/env bash
# Campaign srcnn_x3_restart2: the shipped SRCNN 9-1-5 x3 (srcnn_x3_restart's final weights) given the
# same warm restart once more, as srcnn-955 x3 had a second one (+0.049 dB BSD200-val, then +0.019):
# MSE, loss margin 1, warm-up to 3e-4 then cosine to 1e-6, EMA 0.999, --precision auto, 20000 steps
# (the first restart was flat from ~22000 of its 30000), seed 21.
# Released only if BSD200-val at the last step is >= 28.5693, 0.005 dB over the shipped model's
# 28.5643 (a tie is not worth new IRs; Set5/Set14 grade once at the end, never choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 3 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn_x3_restart/srcnn_x3.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 32 --loss-margin 1 --batch-size 32 \
  --steps 20000 --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision auto --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 21 --out "${OUT:-zoo/campaigns/srcnn_x3_restart2}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
