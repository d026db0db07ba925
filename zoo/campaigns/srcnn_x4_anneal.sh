#!/usr/bin/env bash
# Campaign srcnn_x4_anneal (issue: a zoo that beats every paper figure). A branch of srcnn_x4:
# the moving-average weights of its step 5053 (exported beside its checkpoints with their card),
# annealed with MSE (the loss PSNR measures) at a low learning rate, 1e-4 -> 1e-6, with the loss
# over every graded pixel (--loss-margin 1). The 60000-step campaign itself continues; this
# branch asks, on BSD200-val only, how much of the remaining gap a short anneal closes.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 4 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn_x4/srcnn_x4_step5053.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 32 \
  --steps 8000 --lr 1e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads 1 \
  --val-every 1000 --checkpoint-every 1000 --seed 2 --out "${OUT:-zoo/campaigns/srcnn_x4_anneal}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
