#!/usr/bin/env bash
# Campaign srcnn_x4_from_x3 (issue: a zoo that beats every paper figure). SRCNN runs on the
# bicubic-upscaled image, so one set of weights serves every scale; this starts x4 from the
# released srcnn x3 weights (srcnn_x3 + srcnn_x3_border: 28607 steps, never trained on
# BSD200-val or a test image) and fine-tunes them at x4 with the loss over every graded pixel
# (--loss-margin 1), MSE, 1e-4 -> 1e-6, EMA. Chosen against the srcnn_x4 branches on BSD200-val only.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 4 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn_x3_border/srcnn_x3.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 32 \
  --steps 8000 --lr 1e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads 1 \
  --val-every 1000 --checkpoint-every 1000 --seed 2 --out "${OUT:-zoo/campaigns/srcnn_x4_from_x3}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
