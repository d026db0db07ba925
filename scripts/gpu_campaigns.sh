#!/usr/bin/env bash
# One lent-GPU run that trains the zoo's remaining short models side by side (issue: a zoo that
# beats every paper figure). Prepare here, then run there in one call of under 10 minutes:
#
#   echo /.carry/ >> .git/info/exclude
#   .venv/bin/python scripts/pack_y_planes.py "$XEONSR_DATA" .carry/data T91 BSD200   # ~30 MB of Y planes
#   device run, carry [".carry"], command: MINUTES=8 bash scripts/gpu_campaigns.sh
#
# Each job is the campaign's own command from zoo/campaigns/PLAN.md with --device cuda
# --precision fp32 and --max-minutes (its step count is fixed by a timed probe and recorded,
# so `--device cpu --steps N` repeats it). Everything comes back as one archive in $OUT
# (checkpoints, metrics, cards, logs); unpack it, then grade and release on the CPU with
# `python scripts/release_campaign.py runs/gpu/runs/NAME "$XEONSR_DATA"` (a run's command.txt is
# its command; its --init-from campaign's lineage comes first). The first lines also measure the
# patch sampler and a full FSRCNN x3 step on the GPU (benchmarks/sampler_speed.py --device cuda).
set -u
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-8}
DEVICE=${DEVICE:-cuda}  # DEVICE=cpu MINUTES=0.1 tries the script here
OUT=${OUT:-runs/gpu}
DATA=${DATA:-.carry/data}
mkdir -p "$OUT/runs"
export PYTHONPATH=$PWD XEONSR_CACHE=$OUT/cache PYTHONUNBUFFERED=1
PY=${PY:-python3}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader > "$OUT/runs/gpu.txt" 2>&1
$PY benchmarks/sampler_speed.py --data-dir "$DATA" --device "$DEVICE" --seconds 5 --json "$OUT/runs/sampler_cuda.json" \
  > "$OUT/runs/sampler_cuda.txt" 2>&1
COMMON=(--device "$DEVICE" --precision fp32 --data-dir "$DATA" --datasets T91,BSD200 --val-set BSD200-val
        --val-every 2000 --checkpoint-every 2000 --max-minutes "$MINUTES" --threads "${THREADS:-3}" --no-progress)
while read -r name args; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  mkdir -p "$OUT/runs/$name"
  echo "xeonsr train $args ${COMMON[*]}" > "$OUT/runs/$name/command.txt"
  eval "$PY -m xeonsr.cli train $args --out '$OUT/runs/$name' \"\${COMMON[@]}\"" > "$OUT/runs/$name/train.log" 2>&1 &
done <<'JOBS'
# What is still under its paper (zoo/campaigns/PLAN.md): srcnn-955 x3 only. Two ways there, chosen
# afterwards on BSD200-val: the CPU campaign's recipe (the released 9-1-5 srcnn x3 widened exactly
# to 9-5-5, MSE) at twice its batch, and a from-scratch 9-5-5. The four models released from CPU
# campaigns (fsrcnn x3, fsrcnn-s x3, srcnn x3, srcnn x4) no longer need the GPU; fsrcnn x2/x4,
# fsrcnn-s x2/x4 and srcnn x2 move there from those released x3 weights on the CPU
# (zoo/campaigns/*_from_x3.sh).
srcnn-955_x3_widen --model srcnn-955 --scale 3 --model-args '{"residual": true}' --init-from zoo/campaigns/srcnn_x3_border/srcnn_x3.safetensors --loss mse --patch 32 --loss-margin 1 --batch-size 64 --lr 1e-4 --min-lr 1e-6 --ema 0.999 --seed 2
srcnn-955_x3       --model srcnn-955 --scale 3 --model-args '{"residual": true}' --patch 32 --loss-margin 1 --batch-size 64 --lr 1e-3 --min-lr 1e-6 --ema 0.999
# The shipped DCSCN x2-x4 clear their floors (x3, x4 by 0.55-0.58 dB) but came from GPU rounds
# that validated on Set5 and trained on BSD200-val: from scratch again with held-out validation
# (round 1's recipe, 1e-3, plus the loss over every graded pixel and a moving average), released
# over the shipped ones only if every floor holds (`scripts/release_campaign.py`).
dcscn_x2           --model dcscn --scale 2 --patch 32 --loss-margin 1 --batch-size 64 --lr 1e-3 --min-lr 1e-6 --ema 0.999 --seed 2
dcscn_x3           --model dcscn --scale 3 --patch 32 --loss-margin 1 --batch-size 64 --lr 1e-3 --min-lr 1e-6 --ema 0.999 --seed 3
dcscn_x4           --model dcscn --scale 4 --patch 32 --loss-margin 1 --batch-size 64 --lr 1e-3 --min-lr 1e-6 --ema 0.999 --seed 4
JOBS
wait
tar czf "$OUT/gpu_runs.tgz" -C "$OUT" runs
ls -la "$OUT"
