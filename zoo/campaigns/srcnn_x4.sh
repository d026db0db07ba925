#!/usr/bin/env bash
# Campaign srcnn_x4 (issue: a zoo that beats every paper figure; paper Set5 30.09, shipped
# 29.973). From scratch, fp32, a fixed 60k-step cosine schedule, batch 32 of 24x24 LR = 96x96 HR
# patches (the cost of srcnn_x3's steps), and from the start the loss over every pixel the
# protocol grades (--loss-margin 1: what moved fsrcnn x3, fsrcnn-s x3 and srcnn x3 over their
# floors; see PLAN.md). Stops after --stop-after-minutes; the same command continues it exactly.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 4 --model-args '{"residual": true}' \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 32 \
  --steps 60000 --lr 1e-3 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads 1 \
  --val-every 2000 --checkpoint-every 1000 --seed 0 --out zoo/campaigns/srcnn_x4 --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
