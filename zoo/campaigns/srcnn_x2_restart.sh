#!/usr/bin/env bash
# Campaign srcnn_x2_restart (issue: a zoo that beats every paper figure, with clean lineages). The
# next step PLAN.md names after srcnn_x2_from_x3 ended 0.44 dB under the Set5 floor while its
# BSD200-val curve was still rising as its 1e-4 cosine ran out: a warm restart of that run's final
# weights (the released srcnn x3 fine-tuned at x2; never trained on BSD200-val or a test image) at
# 3x the rate and 5x the steps, so the x3-shaped filters can move to x2 ones. MSE, loss over every
# graded pixel (--loss-margin 1), 3e-4 -> 1e-6 cosine after a 500-step warm-up, EMA, LR patch 48.
# THREADS=2 when nothing else runs: the thread count changes the speed, not the schedule.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 2 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn_x2_from_x3/srcnn_x2.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 48 --loss-margin 1 --batch-size 32 \
  --steps 40000 --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads "${THREADS:-1}" \
  --val-every 2000 --checkpoint-every 1000 --seed 9 --out "${OUT:-zoo/campaigns/srcnn_x2_restart}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
