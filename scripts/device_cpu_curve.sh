#!/usr/bin/env bash
# The many-core scaling curve (issue 17, item 4) on a lent device machine's CPU (16 cores on the
# H200 machines), as one prepared run. That machine has Python 3.12 with numpy and pillow, no
# OpenVINO and no network, and takes at most 64 MiB of working tree with what is carried.
#
# Here, once (a slim OpenVINO for CPython 3.12, ~19 MB; Set5 + Set14 as Y planes, ~2 MB):
#   bash scripts/device_cpu_curve.sh prepare          # -> .carry/ (ignored by git), sizes checked
# There, in one call (device run, carry [".carry"], timeout_s 480):
#   bash scripts/device_cpu_curve.sh run
# Here, with no device (a dry run of the same steps on this machine's cores):
#   OUT=/tmp/curve PY=.venv/bin/python OV_TAR= bash scripts/device_cpu_curve.sh run
#
# What comes back in $OUT: info.txt (`xeonsr info`, lscpu, the cgroup's CPU quota), scaling_*.json for
# FSRCNN x3 INT8 and SRCNN x3 FP32 (1..N cores, interleaved rounds; benchmarks/scaling.py), a folder's
# throughput as `xeonsr upscale DIR` plans it (throughput_set5_set14_x3.json), README's latency table on
# that CPU, one model a file in bench_set14_x3.tar (the tables in run.log; ov-bf16 rows only where it has
# native bf16), the one-Pad probe's lines and run.log; the steps share BUDGET_S (500 s) so it ends in time. Record
# them as benchmarks/results/scaling_*_<cpu>_<N>c.json, plot each here (`python -c "import sys;
# sys.path.insert(0, 'benchmarks'); import json, scaling; scaling._plot(json.load(open(J)), PNG)"`)
# and put the curves, the CPU named, beside the 2-core ones in docs/performance.md.
set -u
cd "$(dirname "$0")/.."
mode=${1:-}
CARRY=${CARRY:-.carry}

if [[ "$mode" == prepare ]]; then
  set -e
  PYHERE=${PYHERE:-.venv/bin/python}
  ver=$($PYHERE -c "import openvino; print(openvino.__version__.split('-')[0])")
  if [[ "$(cat "$CARRY/openvino.version" 2>/dev/null)" != "$ver" ]]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    $PYHERE -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
      --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
      -d "$tmp/whl" "openvino==$ver" openvino-telemetry
    mkdir -p "$tmp/ov" "$CARRY"
    for w in "$tmp"/whl/*.whl; do (cd "$tmp/ov" && unzip -q -o "$w"); done
    # Only what reads an IR and runs it on the CPU: no GPU/NPU plugins, no model-format frontends.
    rm -rf "$tmp"/ov/openvino/include "$tmp"/ov/openvino/libs/cache.json \
      "$tmp"/ov/openvino/libs/libopenvino_intel_{gpu,npu}_plugin.so \
      "$tmp"/ov/openvino/frontend/{pytorch,tensorflow,onnx,paddle,jax}
    for f in onnx tensorflow pytorch paddle gguf tensorflow_lite jax; do rm -f "$tmp"/ov/openvino/libs/libopenvino_${f}_frontend.so.*; done
    tar -C "$tmp/ov" -cJf "$CARRY/openvino.tar.xz" .
    echo "$ver" > "$CARRY/openvino.version"
  fi
  $PYHERE scripts/pack_y_planes.py "${XEONSR_DATA:?set XEONSR_DATA}" "$CARRY/data" Set5 Set14
  tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
  carried=$(du -sb "$CARRY" | cut -f1)
  echo "travels: tracked tree $((tree / 1048576)) MiB + $CARRY $((carried / 1048576)) MiB (the limit: 64 MiB)"
  if ((tree + carried > 64 * 1048576)); then
    echo "over the device's 64 MiB: leave out what the run does not read for the call (session 53: mv zoo /tmp/hold/, back after)" >&2
    exit 1
  fi
  exit 0
fi

if [[ "$mode" != run ]]; then
  echo "usage: bash scripts/device_cpu_curve.sh prepare|run" >&2
  exit 2
fi
OUT=${OUT:?OUT: the folder whose files come back}
PY=${PY:-python3}
OV_TAR=${OV_TAR-$CARRY/openvino.tar.xz}  # empty: the OpenVINO this Python has
DATA=${DATA:-$CARRY/data}
ROUNDS=${ROUNDS:-5}
PASSES=${PASSES:-2}
MAX_CORES=${MAX_CORES:-}
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1
if [[ -n "$OV_TAR" ]]; then
  mkdir -p /tmp/ov && tar -C /tmp/ov -xJf "$OV_TAR" || exit 1
  export PYTHONPATH=/tmp/ov:$PWD${PYTHONPATH:+:$PYTHONPATH}
else
  export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONUNBUFFERED=1 XEONSR_CACHE_DIR=
# Every step is bounded and writes its own file, so whatever finishes comes back (at most 8 files).
BUDGET_S=${BUDGET_S:-500}
step_s() { local left=$((BUDGET_S - SECONDS)); echo $((left < $1 ? (left > 5 ? left : 5) : $1)); }
{ $PY -m xeonsr.cli info; echo; lscpu 2>/dev/null; echo "nproc: $(nproc)"
  echo "cgroup cpu.max: $(cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo none)"; } > "$OUT/info.txt" 2>&1
head -3 "$OUT/info.txt"
# FSRCNN rounds are short, so each drains the folder twice; SRCNN's are ten times longer already.
for job in "fsrcnn int8 $PASSES" "srcnn fp32 1"; do
  set -- $job
  timeout "$(step_s "${SCALE_S:-200}")" $PY benchmarks/scaling.py --data-dir "$DATA" --model "$1" --precision "$2" \
    --rounds "$ROUNDS" --passes "$3" ${MAX_CORES:+--max-cores "$MAX_CORES"} --json "$OUT/scaling_$1_x3_$2.json" \
    || echo "scaling $1 $2 failed or timed out: $?"
done
# A folder as `xeonsr upscale DIR` plans it (streams by the images, a worker per core for its
# files), with and without file IO, beside ONNX Runtime in its best setting.
timeout "$(step_s "${THROUGHPUT_S:-90}")" $PY -m xeonsr.cli bench --mode throughput --dataset Set5,Set14 --scale 3 \
  --data-dir "$DATA" --models "${THROUGHPUT_MODELS:-fsrcnn,srcnn}" --backends "${THROUGHPUT_BACKENDS:-ov-int8,ov-fp32,ort}" \
  --threads 28 --json "$OUT/throughput_set5_set14_x3.json" || echo "throughput failed or timed out: $?"
# The second data point: README's latency table on this CPU, with the peers this machine has
# (ONNX Runtime, OpenCV, its own PyTorch in FP32 and bf16: the 2-thread Xeon's fastest peer for three of the
# four models; session 53's run lacked it), one model a call so a timeout loses one model only;
# their files go back as one tar (8 files come back at most), remade after each model.
bench=$(mktemp -d)
for m in ${BENCH_MODELS:-fsrcnn fsrcnn-s srcnn dcscn}; do
  timeout "$(step_s "${BENCH_S:-90}")" $PY -m xeonsr.cli bench --dataset Set14 --scale 3 --data-dir "$DATA" --models "$m" \
    --backends "${BENCH_BACKENDS:-torch-fp32,torch-bf16,ov-fp32,ov-bf16,ov-int8,opencv,ort}" --threads 28 \
    --json "$bench/bench_set14_x3_$m.json" || echo "bench $m failed or timed out: $?"
  tar -C "$bench" -cf "$OUT/bench_set14_x3.tar" .
done
rm -rf "$bench"
# Session 54's one-Pad form of the bicubic skip (xeonsr.ir_pad), shipped for the AVX2 class only:
# without it and with it on this CPU's class (its forms and kernel plans), 2 threads as README's table.
timeout "$(step_s "${PAD_S:-60}")" $PY benchmarks/probes/bicubic_pad_forms.py ${PAD_PROBE:-2 10 160x140,92x92 fsrcnn:int8,srcnn:fp32} \
  || echo "bicubic_pad_forms failed or timed out: $?"
echo "done in $SECONDS s"
