#!/usr/bin/env bash
# Campaign dcscn_x2_scratch_mse: phase 2 of dcscn_x2_scratch, as dcscn_x2_mse was of
# dcscn_x2_from_x3 (+0.018 dB on BSD200-val there): its final weights fine-tuned with MSE, the loss
# PSNR measures, 1e-4 -> 1e-6 cosine after the warm-up, the same batch (64 LR patches of 24x24)
# and loss margin, EMA, 5000 steps. --precision auto (bf16 with an fp32 final tenth on a
# native-bf16 CPU). Released only if BSD200-val beats the shipped model's (scripts/release_campaign.py;
# Set5/Set14 grade, never choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model dcscn --scale 2 \
  --init-from "${INIT:-zoo/campaigns/dcscn_x2_scratch/dcscn_x2.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 64 \
  --steps 5000 --lr 1e-4 --min-lr 1e-6 --ema 0.999 --precision auto --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 14 --out "${OUT:-zoo/campaigns/dcscn_x2_scratch_mse}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
