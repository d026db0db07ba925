#!/usr/bin/env bash
# Campaign srcnn-955_x3_widen (issue: a zoo that beats every paper figure). SRCNN 9-5-5 started
# from the released SRCNN 9-1-5 x3 weights (srcnn_x3 + srcnn_x3_border, never trained on
# BSD200-val or a test image): --init-from puts the 1x1 mapping layer at the centre of a zero
# 5x5 kernel, so step 0 is exactly the 9-1-5 model (BSD200-val 28.518) and training grows the
# new taps. Loss over every graded pixel (--loss-margin 1), MSE, 1e-4 -> 1e-6, EMA, fp32.
# A 9-5-5 step costs ~7x a 9-1-5 one (51200 of its 57184 multiply-adds per pixel are the 5x5
# layer): hours on one CPU thread, minutes on a lent GPU (scripts/gpu_campaigns.sh). THREADS=2 when
# nothing else runs: the thread count changes the speed, not the schedule.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn-955 --scale 3 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn_x3_border/srcnn_x3.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 32 --loss-margin 1 --batch-size 32 \
  --steps 20000 --lr 1e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 2 --out "${OUT:-zoo/campaigns/srcnn-955_x3_widen}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
