#!/usr/bin/env bash
# Campaign dcscn_x4_from_x3 (issue: a zoo that beats every paper figure, with clean lineages). The
# shipped DCSCN x4 came from a lent-GPU round that validated on Set5 and trained on BSD200-val.
# This moves the clean-lineage x3 (zoo/campaigns/dcscn_x3, held-out rules throughout) to x4 the
# way FSRCNN and SRCNN were moved: the feature extractor and both network-in-network branches
# start from x3 (every tensor whose shape fits), each sub-pixel of the reconstruction layer
# (scale^2 outputs) starts as the x3 one nearest to it (xeonsr.train_model.resampled_subpixel_head),
# and every layer trains. The x3 recipe's loss (L1) and batch (64 LR patches of 24x24),
# loss over every graded pixel, 3e-4 -> 1e-6 cosine after the warm-up, EMA, 6000 steps
# (~1 h 40 min on two Zen 3 threads). THREADS=2 when nothing else runs: the speed changes, not the schedule.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model dcscn --scale 4 \
  --init-from "${INIT:-zoo/campaigns/dcscn_x3/dcscn_x3.safetensors}" \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 64 \
  --steps 6000 --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision auto --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 11 --out "${OUT:-zoo/campaigns/dcscn_x4_from_x3}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
