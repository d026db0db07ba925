#!/usr/bin/env bash
# Campaign dcscn_x3_fp32short: the shipped DCSCN x3's weights, then the short fp32 MSE phase that
# released DCSCN x2 (dcscn_x2_scratch_fp32short: 1000 steps, 1e-4 -> 1e-6 within them, EMA 0.999;
# +0.013 dB on BSD200-val there). DCSCN x3 never had an MSE phase (its lineage is L1 only).
# Released only if BSD200-val at the last step is >= 29.024, 0.005 dB over the shipped model's
# 29.019 (a tie is not worth new IRs; Set5/Set14 grade, never choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model dcscn --scale 3 \
  --init-from "${INIT:-zoo/campaigns/dcscn_x3/dcscn_x3.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 64 \
  --steps 1000 --lr 1e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads "${THREADS:-1}" \
  --val-every 250 --checkpoint-every 250 --seed 15 --out "${OUT:-zoo/campaigns/dcscn_x3_fp32short}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
