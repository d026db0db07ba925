#!/usr/bin/env bash
# Campaign srcnn_x3 (issue: a zoo that beats every paper figure). From scratch, fp32, a fixed
# 60k-step cosine schedule (batch 32 of 32x32 LR = 96x96 HR patches; ~2.2 steps/s on one Zen 4
# thread, so ~7.6 h: several sittings). It stops after --stop-after-minutes and the same command
# continues it exactly (the schedule lives in the checkpoint). Run from the repository root with
# XEONSR_DATA set; each sitting appends to zoo/campaigns/PLAN.md what it reached.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn --scale 3 --model-args '{"residual": true}' \
  --datasets T91,BSD200 --val-set BSD200-val --patch 32 --loss-margin auto --batch-size 32 \
  --steps 60000 --lr 1e-3 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads 1 \
  --val-every 2000 --checkpoint-every 1000 --seed 0 --out zoo/campaigns/srcnn_x3 --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
