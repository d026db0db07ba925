#!/usr/bin/env bash
# Campaign dcscn_x3 (issue: a zoo that beats every paper figure, with clean lineages). The shipped
# DCSCN x3 (Set5 33.672, paper 33.09) came from a lent-GPU round that validated on Set5 and
# trained on BSD200-val. This is that round's recipe (L1, batch 64 of 24x24 LR patches, 1e-3
# cosine, 7600 steps there) from scratch on the CPU with the held-out rules: BSD200-val kept out
# and validated on, the loss over every graded pixel (--loss-margin 1), a moving average, and
# 10000 steps. --precision auto: bf16 with an fp32 final tenth where the CPU has native bf16,
# fp32 elsewhere (0.70 steps/s on one Zen 3 thread: ~4 h). THREADS=2 when nothing else runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model dcscn --scale 3 \
  --datasets T91,BSD200 --val-set BSD200-val --patch 24 --loss-margin 1 --batch-size 64 \
  --steps 10000 --lr 1e-3 --min-lr 1e-6 --ema 0.999 --precision auto --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 3 --out "${OUT:-zoo/campaigns/dcscn_x3}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
