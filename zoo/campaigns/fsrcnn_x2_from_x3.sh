#!/usr/bin/env bash
# Campaign fsrcnn_x2_from_x3 (issue: a zoo that beats every paper figure, with clean lineages).
# The shipped fsrcnn x2 met its floors (Set5 37.038 / 37.00, Set14 32.631 / 32.63) by a few
# hundredths, with Set5 as its validation set and BSD200-val among its training images: its
# margin may be selection. This run moves the released fsrcnn x3 (210000 CPU steps, never trained
# on BSD200-val or a test image, validated on BSD200-val) to x2 as the FSRCNN paper moves its
# models between scales: every layer but the deconvolution is shared, and --init-from copies the
# x3 deconvolution as the start of the x2 one. All layers train (MSE, loss over every graded pixel),
# warm-up to 3e-4 then cosine to 1e-6, EMA 0.999. Graded once at its last step, released only if
# every floor holds.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ${XEONSR:-xeonsr} train --model fsrcnn --scale 2 --model-args '{"residual": true}' \
  --init-from "${INIT:-zoo/campaigns/fsrcnn_x3_border/fsrcnn_x3.safetensors}" --loss mse \
  --datasets T91,BSD200 --val-set BSD200-val --patch 32 --loss-margin 1 --batch-size 32 \
  --steps "${STEPS:-20000}" --lr 3e-4 --min-lr 1e-6 --ema 0.999 --precision fp32 --threads "${THREADS:-1}" \
  --val-every 2000 --checkpoint-every 2000 --seed 4 --out "${OUT:-zoo/campaigns/fsrcnn_x2_from_x3}" --no-progress \
  --resume --stop-after-minutes "${MINUTES:-150}"
