#!/usr/bin/env bash
# Campaign fsrcnn_x3, phase 2 (issue: a zoo that beats every paper figure): the finished L1 run
# (zoo/campaigns/fsrcnn_x3, 160k steps) fine-tuned with MSE, the loss PSNR measures, on a short
# cosine. Chosen against phase 1 on BSD200-val only. The same command continues it (--resume).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model fsrcnn --scale 3 --model-args '{"residual": true}' \
  --init-from zoo/campaigns/fsrcnn_x3/fsrcnn_x3.safetensors --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 32 --loss-margin 4 --batch-size 32 \
  --steps 30000 --lr 1e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads 1 \
  --val-every 2000 --checkpoint-every 2000 --seed 1 --out zoo/campaigns/fsrcnn_x3_mse --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
