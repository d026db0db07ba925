#!/usr/bin/env bash
# Campaign srcnn-955_x3_restart (issue: a zoo that beats every paper figure). Candidate 1 of
# PLAN.md after srcnn-955_x3_widen ended short of the paper: a warm restart of its final weights
# (themselves the released SRCNN 9-1-5 x3 widened exactly to 9-5-5, never trained on BSD200-val or
# a test image) at a rate 3x the widen run's start, so the 5x5 mapping taps move further than a
# 1e-4 cosine took them. MSE, loss over every graded pixel (--loss-margin 1), 3e-4 -> 1e-6, EMA.
# --precision auto: bf16 with an fp32 final tenth on a CPU with native bf16 (AVX512-BF16/AMX;
# 1.98x faster for SRCNN on a Zen 4, within 0.007 dB of fp32 held out, docs/training.md), fp32
# elsewhere. THREADS=2 when nothing else runs: the thread count changes the speed, not the schedule.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model srcnn-955 --scale 3 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/srcnn-955_x3_widen/srcnn-955_x3.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 32 --loss-margin 1 --batch-size 32 \
  --steps 20000 --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision auto --threads "${THREADS:-1}" \
  --val-every 1000 --checkpoint-every 500 --seed 3 --out "${OUT:-zoo/campaigns/srcnn-955_x3_restart}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
