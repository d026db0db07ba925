#!/usr/bin/env bash
# The measurements a new host gets for the speed tables (docs/performance.md): three latency runs
# of Set14 x3 and three folder runs of Set5 + Set14 x3, every model against every peer, then their
# ranges (runs_range.py: per row, each OpenVINO row against each peer, and OpenVINO against the
# fastest peer). About 25 minutes on 2 Zen 3 cores. Run on a quiet machine: pause any training
# first (kill -STOP PID, then kill -CONT PID). BF16 backends are added where the CPU has bf16.
# Usage: bash benchmarks/host_runs.sh TAG   (RUNS, MODELS, RESULTS to change them; e.g. amd_epyc_zen4_2c_s25: files
#        benchmarks/results/set14_x3_TAG_run[1-3].json, throughput_set5_set14_x3_TAG_run[1-3].json)
#        SCALES="2 4" adds latency runs at those scales (set14_x2_TAG_run[1-3].json, ...; ~12 more minutes
#        a scale on 2 Zen 2 cores): the x3 tables alone do not show a user of x2 or x4 that every row stays ahead.
#        FOLDER_ROUNDS=9 gives the folder runs more interleaved rounds (default 3): on a busy host three moved
#        the folder / one-at-a-time ratio ~20% either way (docs/performance.md, session 67).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:?usage: bash benchmarks/host_runs.sh TAG}
PY=${PY:-.venv/bin/python}
DATA=${XEONSR_DATA:-../shared/datasets}
RUNS=${RUNS:-3}
MODELS=${MODELS:-srcnn,fsrcnn,fsrcnn-s,dcscn}
R=${RESULTS:-benchmarks/results}
$PY -m xeonsr.cli info | head -3
backends=torch-fp32,ov-fp32,ov-int8,opencv,ort,ort-int8
if $PY -c "from xeonsr.info import cpu_info; raise SystemExit(0 if cpu_info().native_bf16 else 1)"; then
  backends=torch-fp32,torch-bf16,ov-fp32,ov-bf16,ov-int8,opencv,ort,ort-int8
fi
for run in $(seq "$RUNS"); do
  $PY -m xeonsr.cli bench --dataset Set14 --scale 3 --data-dir "$DATA" --models "$MODELS" \
    --backends "$backends" --threads 28 --json "$R/set14_x3_${TAG}_run$run.json"
  $PY -m xeonsr.cli bench --mode throughput --dataset Set5,Set14 --scale 3 --data-dir "$DATA" \
    --models "$MODELS" --backends ov-int8,ov-fp32,torch-fp32,ort,ort-int8,opencv --threads 28 --rounds "${FOLDER_ROUNDS:-3}" \
    --json "$R/throughput_set5_set14_x3_${TAG}_run$run.json"
  for scale in ${SCALES:-}; do
    $PY -m xeonsr.cli bench --dataset Set14 --scale "$scale" --data-dir "$DATA" --models "$MODELS" \
      --backends "$backends" --threads 28 --json "$R/set14_x${scale}_${TAG}_run$run.json"
  done
done
$PY benchmarks/runs_range.py "$R"/set14_x3_"${TAG}"_run*.json
# The same over the images timed while the CPUs passed data at full speed (a VM's vCPUs can sit on
# cores with no shared L3 for minutes; each run names the images it timed so)
$PY benchmarks/runs_range.py --handoff-ok "$R"/set14_x3_"${TAG}"_run*.json
$PY benchmarks/runs_range.py "$R"/throughput_set5_set14_x3_"${TAG}"_run*.json
for scale in ${SCALES:-}; do
  $PY benchmarks/runs_range.py "$R"/set14_x"${scale}"_"${TAG}"_run*.json
done
