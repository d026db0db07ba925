#!/usr/bin/env bash
# Campaign srcnn_x4_restart2: the shipped SRCNN 9-1-5 x4 (srcnn_x4_restart's final weights) given the
# same warm restart once more, as srcnn x3 had in session 82 (+0.011 dB BSD200-val, still rising):
# MSE, loss margin 1, LR patch 24 (96x96 HR), warm-up to 3e-4 then cosine to 1e-6, EMA 0.999,
# --precision auto, 20000 steps, seed 22.
# Released only if BSD200-val at the last step is >= 26.9973, 0.005 dB over the shipped model's
# 26.9923 (a tie is not worth new IRs; Set5/Set14 grade once at the end, never choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 4 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn_x4_restart/srcnn_x4.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 32 \
  --steps 20000 --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision auto --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 22 --out "${OUT:-zoo/campaigns/srcnn_x4_restart2}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
