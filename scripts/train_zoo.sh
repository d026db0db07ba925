#!/usr/bin/env bash
# Train several models side by side, one process per line of a jobs file:
#   <run-name> <xeonsr train arguments...>
# Every job also gets the common arguments below. --max-minutes picks --steps once, from a short
# timed probe, and the card records it, so `xeonsr train <same args> --device cpu --steps N`
# repeats the run exactly on a CPU. Validation is on the held-out BSD200-val images.
# Usage: DATA=DIR OUT_DIR=DIR DEVICE=cuda MAX_MIN=8 bash scripts/train_zoo.sh JOBS_FILE
set -u
JOBS_FILE=${1:?jobs file}
DATA=${DATA:?folder with T91/ BSD200/ Set5/}
OUT_DIR=${OUT_DIR:-runs/zoo}
DEVICE=${DEVICE:-cpu}
MAX_MIN=${MAX_MIN:-60}
export XEONSR_CACHE=${XEONSR_CACHE:-$OUT_DIR/cache}
XEONSR=${XEONSR:-xeonsr}
COMMON=(--device "$DEVICE" --data-dir "$DATA" --datasets T91,BSD200 --val-set BSD200-val --patch 24
        --batch-size 64 --threads 1 --val-every 2000 --checkpoint-every 2000 --precision fp32
        --max-minutes "$MAX_MIN" --no-progress)
# Degrade the training images once per scale before the jobs share the cache.
for s in ${SCALES:-2 3 4}; do
  python3 -c "from xeonsr.data import PatchConfig, cached_pairs; import os; \
cached_pairs(PatchConfig(scale=$s, datasets=('T91','BSD200'), lq_patch=24), '$DATA', os.environ['XEONSR_CACHE'])" &
done
wait
while read -r name args; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  mkdir -p "$OUT_DIR/$name"
  echo "xeonsr train $args ${COMMON[*]}" > "$OUT_DIR/$name/command.txt"
  eval "$XEONSR train $args --out '$OUT_DIR/$name' \"\${COMMON[@]}\"" > "$OUT_DIR/$name/train.log" 2>&1 &
done < "$JOBS_FILE"
wait
